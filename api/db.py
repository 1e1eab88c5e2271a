"""Database access for request handlers: one transaction per request, and the row lookups
every router shares. Engines, tables and migrations are the store's (:mod:`planet.store`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from fastapi import Request
from sqlalchemy import Connection, Engine, RowMapping, Table, select
from starlette.concurrency import run_in_threadpool

from api.errors import NotFound

__all__ = ["connection", "in_transaction", "one_on_chain"]


def connection(request: Request) -> Iterator[Connection]:
    """One transaction per request: committed when the route returns, before the answer is sent
    (``Depends(connection, scope="function")``, see :data:`api.deps.Conn`), rolled back on
    error."""
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
