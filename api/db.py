"""The API's database: the indexer's engine setup (SQLite pragmas, psycopg2) and Alembic
migrations for the API's own tables, with a version table apart from the indexer's so both
programs migrate one database independently."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from fastapi import Request
from sqlalchemy import Connection, Engine, RowMapping, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from starlette.concurrency import run_in_threadpool

from api.errors import NotFound
from indexer.db import make_engine

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "api_alembic_version"

__all__ = [
    "MIGRATIONS",
    "VERSION_TABLE",
    "connection",
    "in_transaction",
    "insert_ignore",
    "make_engine",
    "migrate",
    "one_on_chain",
]


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Brings the API's tables to ``revision`` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def connection(request: Request) -> Iterator[Connection]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    engine: Engine = request.app.state.engine
    with engine.begin() as conn:
        yield conn


T = TypeVar("T")


async def in_transaction(request: Request, work: Callable[[Connection], T]) -> T:
    """Runs ``work`` in one transaction on a worker thread, for ``async`` routes on hot paths.

    Same transaction as :func:`connection` (committed when ``work`` returns, rolled back if it
    raises), but one thread hop for the whole request: a sync route with the ``Conn``
    dependency takes four (opening the transaction, the route, validating its answer, closing
    the transaction), and on a busy server those hops cost more than a short query."""
    engine: Engine = request.app.state.engine

    def run() -> T:
        with engine.begin() as conn:
            return work(conn)

    return await run_in_threadpool(run)


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Inserts ``values`` unless a row with the same key exists; whether it inserted. One
    statement (``ON CONFLICT DO NOTHING``) so a race between two requests never fails one."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    result = conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1


def one_on_chain(
    conn: Connection, table: Table, chain_id: int, row_id: int, noun: str
) -> RowMapping:
    """The row of ``table`` with ``id`` ``row_id`` on ``chain_id``: ids are unique across
    chains, so one of another chain is as absent as a missing one (404 "no <noun> <id>")."""
    query = select(table).where(table.c.id == row_id, table.c.chain_id == chain_id)
    row = conn.execute(query).mappings().one_or_none()
    if row is None:
        raise NotFound(f"no {noun} {row_id}")
    return row
