"""Final blocks (at or below the finality point), as fast as the node serves them.

eth_getLogs over adaptive ranges (:class:`~indexer.ranges.RangeSizer`) in a pipeline: one
thread fetches the next ranges, another decodes them, a third applies their handlers to
detached state stores (where no handler needs a stored row), and the writer
(:class:`~indexer.write.RangeWriter`) inserts a range's ``events`` rows from a worker thread
while it waits for those handlers, then flushes the store (SQLite's and psycopg2's C code runs
without the GIL) while the decode and handler threads wait between two chunks
(:mod:`indexer.priority`); on SQLite, WAL checkpoints run after each commit in a thread of
their own (:mod:`indexer.checkpoint`).

Final blocks cannot be reorged, so nothing is journaled and the pass keeps a cache of the rows
it committed (:class:`~indexer.store.RowCache`).
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from tqdm import tqdm

from indexer.decode import Event
from indexer.gil import switch_interval
from indexer.priority import WriterFirst
from indexer.reader import Fetched, RangeReader
from indexer.registry import Registry
from indexer.result import PassResult
from indexer.store import NeedsDatabase, RowCache, StateStore
from indexer.write import RangeWriter
from planet.core import logs

log = logs.get("indexer.backfill")

_READ_AHEAD = 3  # backfill ranges requested ahead of the one being written
# How long a thread may keep the GIL while another waits for it, during a backfill (Python's
# default is 5 ms). The backfill's insert and checkpoint threads give the GIL up for each
# SQLite call and then wait for it while the fetch, decode and handler threads run Python; at
# 5 ms per wait, a 50,000-row insert took about three times as long as on an idle interpreter.
# Process-wide, so only for as long as a backfill runs (:func:`~indexer.gil.switch_interval`).
_BACKFILL_SWITCH_INTERVAL = 0.0005


class Backfill:
    """Backfill passes of one chain: reads through ``reader``, writes through ``writer``, from
    the writer's cursor on."""

    def __init__(
        self,
        reader: RangeReader,
        writer: RangeWriter,
        registry: Registry,
        chain_id: int,
        progress: bool,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.registry = registry
        self.chain_id = chain_id
        self.progress = progress

    def run(self, to_block: int, stop: threading.Event) -> PassResult:
        """Indexes the blocks after the cursor up to ``to_block``; stops reading ahead once
        ``stop`` is set and returns after writing what it already read."""
        result = PassResult()
        start = self.writer.cursor.block_number + 1
        if start > to_block:
            return result
        progress = tqdm(
            total=to_block - start + 1,
            unit="blk",
            unit_scale=True,
            desc=f"backfill chain {self.chain_id}",
            file=sys.stderr,
            disable=not (self.progress and logs.bars_allowed()),
            mininterval=0.5,
            leave=False,
        )
        began = time.monotonic()
        with progress as bar, switch_interval(_BACKFILL_SWITCH_INTERVAL):
            self._pipeline(start, to_block, stop, bar, began, result)
        elapsed = max(time.monotonic() - began, 1e-9)
        log.info(
            "backfilled",
            to_block=self.writer.cursor.block_number,
            blocks=result.blocks,
            events=result.events,
            seconds=round(elapsed, 2),
            events_per_s=round(result.events / elapsed),
        )
        return result

    def _pipeline(
        self,
        start: int,
        to_block: int,
        stop: threading.Event,
        bar: tqdm[None],
        began: float,
        result: PassResult,
    ) -> None:
        """Fetches, decodes, applies and writes ``[start, to_block]`` range by range, counting
        into ``result`` as each range commits (so a failure leaves it counting what did)."""
        # One thread fetches ranges in order (the range sizer is never shared), another decodes
        # them in order, a third applies their handlers, so the node is already serving the
        # next range while one is decoded and the one before it written.
        fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="getlogs")
        decoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decode")
        applier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="handlers")
        ahead: deque[Future[Fetched]] = deque()
        next_first = start
        sizer = self.reader.sizer
        cache = RowCache()  # this pass's commits are the only writes meanwhile
        writer_first = WriterFirst()  # the threads ahead wait while the writer flushes
        try:
            while True:
                # keep a few ranges requested ahead of the one being written
                while next_first <= to_block and len(ahead) < _READ_AHEAD and not stop.is_set():
                    last = min(to_block, next_first + sizer.size - 1)
                    fetching = fetcher.submit(self.reader.fetch, next_first, last)
                    ahead.append(
                        decoder.submit(self._decoded, fetching, applier, writer_first.pause)
                    )
                    next_first = last + 1
                if not ahead:
                    break
                fetched = ahead.popleft().result()
                written = self.writer.commit(
                    fetched, journal=False, cache=cache, flushing=writer_first.flushing
                )
                result.blocks += fetched.last - fetched.first + 1
                result.events += written
                bar.update(fetched.last - fetched.first + 1)
                elapsed = max(time.monotonic() - began, 1e-9)
                bar.set_postfix(events=result.events, ev_s=f"{result.events / elapsed:,.0f}")
        finally:
            # fetches not started are dropped first, so a decode waiting on one ends at once
            fetcher.shutdown(wait=False, cancel_futures=True)
            decoder.shutdown(wait=True, cancel_futures=True)
            applier.shutdown(wait=True, cancel_futures=True)
            fetcher.shutdown(wait=True)

    def _decoded(
        self, fetching: Future[Fetched], applier: ThreadPoolExecutor, pause: Callable[[], None]
    ) -> Fetched:
        """The range decoded, its handlers handed to the ``applier`` thread (see
        :meth:`_applied`), so the next range is decoded meanwhile; both pause while the writer
        flushes (:mod:`indexer.priority`)."""
        fetched = self.reader.decode(fetching.result(), pause)
        assert fetched.events is not None
        fetched.state = applier.submit(self._applied, fetched.events, pause)
        return fetched

    def _applied(self, events: list[Event], pause: Callable[[], None]) -> StateStore | None:
        """A range's handlers applied to a detached store, ahead of its transaction, so that
        writing it only has to flush that store; None if a handler needs stored rows, which
        the ranges before it may still be writing (its handlers then run in the writer)."""
        store = StateStore(None, self.chain_id)
        try:
            self.registry.apply(events, store, pause)
        except NeedsDatabase:
            return None
        store.prepare()
        return store
