"""Throw-away databases, SQLite and PostgreSQL, each migrated in milliseconds.

Each test gets a database of its own. Migrating both table sets takes a second or more on
PostgreSQL, so every session (every xdist worker) migrates one template per backend and each
test copies it: ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, a file copy on SQLite.

A test runs on SQLite only unless it is marked ``dialects`` (its SQL differs by dialect: the
store, bulk writes, the indexer's write path, reorgs, migrations, rewards inputs, paging); it
then runs on both, the PostgreSQL instance marked ``postgres``. ``PLANET_TEST_POSTGRES_URL``
names the server and an existing database to administer from (default
``postgresql://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from planet.store import ALL, make_engine, migrate

POSTGRES_URL = os.environ.get(
    "PLANET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``backend`` is SQLite, or both backends for tests marked ``dialects``."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("dialects"):
        metafunc.parametrize(
            "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
        )


def postgres_database_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def backend() -> str:
    return "sqlite"


class Databases:
    """Makes databases for one session: empty ones, or copies of a migrated template."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.templates: dict[str, str] = {}  # backend -> URL of its migrated template
        self._admin: Engine | None = None

    @property
    def admin(self) -> Engine:
        """A connection to the server's administrative database, opened on first use."""
        if self._admin is None:
            self._admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
        return self._admin

    def _create_postgres(self, template: str | None = None) -> str:
        name = f"planet_test_{secrets.token_hex(6)}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return name

    def _template(self, backend: str) -> str:
        if backend not in self.templates:
            if backend == "sqlite":
                url = f"sqlite:///{self.folder / 'template.sqlite'}"
            else:
                url = postgres_database_url(self._create_postgres())
            engine = make_engine(url)
            try:
                for schema in ALL:
                    migrate(engine, schema)
            finally:
                engine.dispose()  # a template database may have no open connections
            self.templates[backend] = url
        return self.templates[backend]

    def new(self, backend: str, migrated: bool) -> tuple[str, str | None]:
        """A new database's URL, and its name if it lives on the PostgreSQL server."""
        if backend == "sqlite":
            path = self.folder / f"planet_{secrets.token_hex(4)}.sqlite"
            if migrated:
                shutil.copyfile(make_url(self._template(backend)).database or "", path)
            return f"sqlite:///{path}", None
        template = make_url(self._template(backend)).database if migrated else None
        name = self._create_postgres(template)
        return postgres_database_url(name), name

    def drop(self, names: list[str]) -> None:
        with self.admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory.mktemp("databases"))
    yield made
    if "postgresql" in made.templates:
        made.drop([make_url(made.templates["postgresql"]).database or ""])
    if made._admin is not None:
        made._admin.dispose()


@pytest.fixture
def new_database(databases: Databases) -> Iterator[Callable[..., str]]:
    """Makes databases of a backend on demand: empty, or with every table (``migrated=True``);
    PostgreSQL ones are dropped after the test."""
    created: list[str] = []

    def make(backend: str, *, migrated: bool = False) -> str:
        url, name = databases.new(backend, migrated)
        if name is not None:
            created.append(name)
        return url

    yield make
    if created:
        databases.drop(created)


@pytest.fixture
def empty_database_url(new_database, backend) -> str:
    """A database of the test's backend with no tables at all."""
    return new_database(backend)


@pytest.fixture
def database_url(new_database, backend) -> str:
    """A database of the test's backend with every table (the mirror's and the API's)."""
    return new_database(backend, migrated=True)


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    """An engine on :func:`database_url`."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def sqlite_scratch(tmp_path_factory) -> Iterator[Engine]:
    """One migrated SQLite file per test module, for property tests whose examples each roll
    their transaction back."""
    path = tmp_path_factory.mktemp("scratch") / "scratch.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    for schema in ALL:
        migrate(engine, schema)
    yield engine
    engine.dispose()
