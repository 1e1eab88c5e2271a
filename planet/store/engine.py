"""The one way Planet's programs open a database, SQLite or PostgreSQL by URL.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed transaction survives the
process being killed (only a power cut may lose the last commits, never half of one), and the
API can read while the indexer writes. New files get 16 KiB pages.
"""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from planet.core.errors import PlanetError


class DatabaseError(PlanetError):
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


def first_line(err: BaseException) -> str:
    """The driver's own message of a database failure, first line only (no SQL, no trace)."""
    text = str(getattr(err, "orig", None) or err)
    return text.strip().splitlines()[0] if text.strip() else type(err).__name__


def describe(err: SQLAlchemyError) -> str:
    """A database failure as one line for a user."""
    return f"database error: {first_line(err)}"
