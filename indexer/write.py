"""The one write path: every range, final (:mod:`indexer.backfill`) or not (:mod:`indexer.tip`),
goes into the database here, in one transaction.

That transaction holds the range's events, the derived state its handlers computed, its block
hashes and the cursor, moved compare-and-set. A crash at any point leaves the database at the
end of the last committed range, and the next run resumes from there; an event can neither be
lost nor stored twice (its key is its chain position). Keeping a single writer is what keeps
that promise checkable: there is no second way for rows to get in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import Engine

from indexer import cursor as cursors
from indexer.bulk import BackgroundInsert, tuple_writer
from indexer.checkpoint import WalCheckpointer
from indexer.cursor import NO_HASH, Cursor
from indexer.decode import EVENT_COLUMNS, Event, EventDecoder
from indexer.reader import Fetched
from indexer.registry import Registry
from indexer.reorg import ReorgGuard
from indexer.store import RowCache, StateStore
from planet.store.mirror import events as events_table


class RangeWriter:
    """Commits ranges of one chain, each right after the one before; :attr:`cursor` is where
    the database stands as far as this writer knows (the pass sets it from the database and
    after a rewind, :meth:`commit` moves it)."""

    def __init__(
        self,
        engine: Engine,
        chain_id: int,
        decoder: EventDecoder,
        registry: Registry,
        guard: ReorgGuard,
        checkpointer: WalCheckpointer,
    ) -> None:
        self.engine = engine
        self.chain_id = chain_id
        self.decoder = decoder
        self.registry = registry
        self.guard = guard
        self.checkpointer = checkpointer
        self.cursor = Cursor(-1, NO_HASH)

    def commit(
        self,
        fetched: Fetched,
        journal: bool,
        cache: RowCache | None = None,
        flushing: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> int:
        """Writes a fetched range in one transaction; returns the events stored. ``journal``
        (unfinal blocks) records each block's state changes so a reorg can undo them; ``cache``
        (final ranges only) serves stored rows and learns the rows written once committed;
        ``flushing`` wraps the store's flush (the backfill's
        :class:`~indexer.priority.WriterFirst`)."""
        decoded, rows = fetched.events, fetched.rows
        if decoded is None or rows is None:
            decoded, rows = self.decoder.decode_rows(fetched.logs, self.chain_id)
        new = Cursor(fetched.last, fetched.headers[-1].hash)
        with self.engine.begin() as conn:
            self.checkpointer.writer(conn)
            # cursor first: a concurrent writer waits on (PostgreSQL) or fails at this row
            cursors.move(conn, self.chain_id, self.cursor, new)
            # the events rows go in while the handlers run (they touch the database only
            # through the store, which waits for the insert first)
            write = tuple_writer(conn, events_table, EVENT_COLUMNS, rows, convert=False)
            with BackgroundInsert(conn, write) as inserting:
                ahead = None if journal or fetched.state is None else fetched.state.result()
                if ahead is not None:
                    store = ahead
                    store.attach(conn, before_io=inserting.wait, cache=cache)
                    with flushing():
                        store.flush()
                elif journal:
                    store = StateStore(conn, self.chain_id, before_io=inserting.wait)
                    by_block: dict[int, list[Event]] = defaultdict(list)
                    for event in decoded:
                        by_block[event.block_number].append(event)
                    for header in fetched.headers:
                        self.registry.apply(by_block.get(header.number, ()), store)
                        store.flush(journal_block=header.number)
                else:
                    store = StateStore(conn, self.chain_id, before_io=inserting.wait, cache=cache)
                    self.registry.apply(decoded, store)
                    with flushing():
                        store.flush()
            self.guard.remember(conn, fetched.headers)
        if cache is not None:
            cache.committed(store)
        self.cursor = new
        self.checkpointer.committed()
        return len(decoded)
