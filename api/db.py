"""Database access for request handlers: one transaction per request, and the row lookups
every router shares. Engines, tables and migrations are the store's (:mod:`planet.store`)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from fastapi import Request
from sqlalchemy import Connection, Engine, RowMapping, Table, select
from starlette.concurrency import run_in_threadpool

from api.errors import NotFound

__all__ = ["after_commit", "connection", "in_transaction", "one_on_chain", "transaction"]

# Work to do once a connection's transaction has committed (see after_commit), keyed weakly by
# the Connection object: a transaction that rolls back, or that was opened without
# transaction(), simply drops its hooks with the object.
_hooks: weakref.WeakKeyDictionary[Connection, list[Callable[[], None]]] = (
    weakref.WeakKeyDictionary()
)
_hooks_lock = threading.Lock()


def after_commit(conn: Connection, hook: Callable[[], None]) -> None:
    """Runs ``hook`` once ``conn``'s transaction has committed (never if it rolls back).

    For telling other processes about rows this transaction wrote (a notification's live
    delivery): told before the commit, a listener could read the database and find nothing.
    Only transactions opened by :func:`transaction`, :func:`connection` or
    :func:`in_transaction` run hooks; a hook that fails is logged by its owner, never raised
    here, since the commit it follows has already happened."""
    with _hooks_lock:
        _hooks.setdefault(conn, []).append(hook)


def _take_hooks(conn: Connection) -> list[Callable[[], None]]:
    with _hooks_lock:
        return _hooks.pop(conn, [])


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()`` that runs the :func:`after_commit` hooks once it has committed."""
    with engine.begin() as conn:
        try:
            yield conn
        except BaseException:
            _take_hooks(conn)
            raise
        # taken before the commit: a commit that fails runs none of them
        hooks = _take_hooks(conn)
    for hook in hooks:
        hook()


def connection(request: Request) -> Iterator[Connection]:
    """One transaction per request: committed when the route returns, before the answer is sent
    (``Depends(connection, scope="function")``, see :data:`api.deps.Conn`), rolled back on
    error."""
    engine: Engine = request.app.state.engine
    with transaction(engine) as conn:
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
        with transaction(engine) as conn:
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
