"""Database connections and migrations for the mirrored tables, SQLite or PostgreSQL by URL.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed range survives the indexer
being killed (only a power cut may lose the last commits, never half of one), and the API can
read while the indexer writes. New files get 16 KiB pages. Migrations are Alembic's,
configured here rather than from an ini file, with their own version table so the API's
migrations can share the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import sqlalchemy
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from indexer.errors import IndexerError

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "indexer_alembic_version"


class DatabaseError(IndexerError):
    """The database URL is wrong, the server unreachable, or the schema out of date."""


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets the pragmas described in the module docstring."""
    try:
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            # SQLAlchemy 2.1 defaults to psycopg 3; Planet ships psycopg2 (psycopg2-binary).
            parsed = parsed.set(drivername="postgresql+psycopg2")
        engine = sqlalchemy.create_engine(parsed, json_serializer=_json)
    except (ArgumentError, ValueError, ImportError) as err:
        raise DatabaseError(f"database_url {url!r} is not usable: {err}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # 16 KiB pages for a new file (an existing one keeps its size): a backfill appends
    # hundreds of bytes per event to every B-tree, and larger pages split a quarter as often
    cursor.execute("PRAGMA page_size=16384")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Brings the schema to ``revision`` (upgrades only; idempotent)."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except SQLAlchemyError as err:
        raise DatabaseError(f"migrating {engine.url!r} failed: {_first_line(err)}") from None


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(
                conn, opts={"version_table": VERSION_TABLE}
            ).get_current_revision()
    except SQLAlchemyError as err:
        raise DatabaseError(f"cannot open database {engine.url!r}: {_first_line(err)}") from None
    return current == head


def _first_line(err: BaseException) -> str:
    text = str(getattr(err, "orig", None) or err)
    return text.strip().splitlines()[0] if text.strip() else type(err).__name__
