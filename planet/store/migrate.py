"""Alembic, configured in code: one helper for both table sets.

Each :class:`Schema` names its script folder and version table. The two histories are
independent (the indexer may migrate the mirror before the API ever starts), which is why
they keep separate version tables in one database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData
from sqlalchemy.exc import SQLAlchemyError

from planet.store import mirror, offchain
from planet.store.engine import DatabaseError, first_line

_MIGRATIONS = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class Schema:
    """One set of tables with its own Alembic history."""

    name: str  # what a user calls it in messages
    scripts: Path
    version_table: str
    command: str  # the command that migrates it, named in "not migrated" errors
    metadata: MetaData  # the tables its migrations must build


#: The chain mirror, written by the indexer only.
MIRROR = Schema(
    "chain mirror",
    _MIGRATIONS / "mirror",
    "indexer_alembic_version",
    "planet index migrate",
    mirror.metadata,
)
#: The API's off-chain tables (content, interactions, trading).
OFFCHAIN = Schema(
    "off-chain",
    _MIGRATIONS / "offchain",
    "api_alembic_version",
    "planet serve migrate",
    offchain.metadata,
)
#: Both, in the order a fresh database needs them.
ALL = (MIRROR, OFFCHAIN)


def alembic_config(engine: Engine, schema: Schema) -> Config:
    config = Config()
    config.set_main_option("script_location", str(schema.scripts))
    config.attributes["engine"] = engine
    config.attributes["version_table"] = schema.version_table
    config.attributes["metadata"] = schema.metadata
    return config


def migrate(engine: Engine, schema: Schema, revision: str = "head") -> None:
    """Brings ``schema``'s tables to ``revision`` (upgrades only; idempotent). A database that
    cannot be reached or migrated raises :class:`DatabaseError` naming it, never a trace."""
    try:
        command.upgrade(alembic_config(engine, schema), revision)
    except SQLAlchemyError as err:
        raise DatabaseError(
            f"migrating the {schema.name} tables of {engine.url!r} failed: {first_line(err)}"
        ) from None


def run_environment() -> None:
    """What each script folder's ``env.py`` does: run its migrations on the engine and version
    table :func:`alembic_config` handed over, in one transaction (batch mode on SQLite, which
    cannot alter most columns in place)."""
    from alembic import context

    engine: Engine = context.config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=context.config.attributes["metadata"],
            version_table=context.config.attributes["version_table"],
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


def downgrade(engine: Engine, schema: Schema, revision: str) -> None:
    command.downgrade(alembic_config(engine, schema), revision)


def schema_is_current(engine: Engine, schema: Schema) -> bool:
    """Whether ``schema``'s tables are at their newest migration in this database."""
    head = ScriptDirectory.from_config(alembic_config(engine, schema)).get_current_head()
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(
                conn, opts={"version_table": schema.version_table}
            ).get_current_revision()
    except SQLAlchemyError as err:
        raise DatabaseError(f"cannot open database {engine.url!r}: {first_line(err)}") from None
    return current == head
