"""Backfill and follow: moves the cursor from the deployment block to the chain head, exactly once.

Each pass reads the cursor, lets :class:`~indexer.reorg.ReorgGuard` rewind it if the block
under it was replaced, then

* backfills final blocks (at or below the finality point) with eth_getLogs over adaptive ranges
  (:class:`~indexer.ranges.RangeSizer`) in a pipeline: one thread fetches the next ranges,
  another decodes them, a third applies their handlers to detached state stores (where no
  handler needs a stored row), and the writer inserts a range's ``events`` rows from a worker
  thread while it waits for those handlers, then flushes the store (SQLite's and psycopg2's C
  code runs without the GIL) while the decode and handler threads wait between two chunks
  (:mod:`indexer.priority`); on SQLite, WAL checkpoints run after each commit in a thread of
  their own (:mod:`indexer.checkpoint`);
* follows unfinal blocks up to the head block by block: it fetches their headers, checks that
  each builds on the previous one and that every log belongs to those very blocks, remembers
  their hashes and journals their state changes so a reorg can undo them.

Every range, final or not, is written in one database transaction: its events, the derived
state its handlers computed, its block hashes and the cursor, compare-and-set. A crash at any
point leaves the database at the end of the last committed range, and the next run resumes
from there; an event can neither be lost nor stored twice (its key is its chain position).
"""

from __future__ import annotations

import sys
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, select
from tqdm import tqdm

from indexer import cursor as cursors
from indexer.bulk import BackgroundInsert, tuple_writer
from indexer.checkpoint import WalCheckpointer
from indexer.config import IndexerSettings
from indexer.cursor import NO_HASH, Cursor
from indexer.decode import EVENT_COLUMNS, Event, EventDecoder
from indexer.errors import ChainMismatchError
from indexer.handlers import default_registry
from indexer.priority import WriterFirst
from indexer.ranges import RangeSizer
from indexer.reader import Fetched, RangeReader
from indexer.registry import Registry
from indexer.reorg import ReorgGuard, Rewind
from indexer.rpc import BlockHeader, RpcClient
from indexer.store import NeedsDatabase, RowCache, StateStore
from planet.core import logs
from planet.core.manifest import Manifest
from planet.store import MIRROR, DatabaseError, schema_is_current
from planet.store.mirror import events as events_table
from planet.store.mirror import sources

log = logs.get("indexer.sync")

TIP_BLOCKS_PER_PASS = 256  # unfinal blocks fetched header by header in one pass, at most
_READ_AHEAD = 3  # backfill ranges requested ahead of the one being written
# How long a thread may keep the GIL while another waits for it, during a backfill (Python's
# default is 5 ms). The backfill's insert and checkpoint threads give the GIL up for each
# SQLite call and then wait for it while the fetch, decode and handler threads run Python; at
# 5 ms per wait, a 50,000-row insert took about three times as long as on an idle interpreter.
_BACKFILL_SWITCH_INTERVAL = 0.0005


@dataclass
class PassResult:
    """What one pass did; ``retry`` asks for another pass at once (the head moved under it)."""

    blocks: int = 0
    events: int = 0
    rewinds: list[Rewind] = field(default_factory=list)
    retry: bool = False

    def __iadd__(self, other: PassResult) -> PassResult:
        self.blocks += other.blocks
        self.events += other.events
        self.rewinds += other.rewinds
        self.retry = self.retry or other.retry
        return self


class Indexer:
    """Mirrors one deployment (a manifest) from one RPC into one database."""

    def __init__(
        self,
        settings: IndexerSettings,
        rpc: RpcClient,
        engine: Engine,
        manifest: Manifest,
        registry: Registry | None = None,
    ) -> None:
        self.settings = settings
        self.rpc = rpc
        self.engine = engine
        self.manifest = manifest
        self.chain_id = manifest.chain_id
        self.registry = registry or default_registry()
        self.decoder = EventDecoder.from_manifest(manifest)
        self.sizer = RangeSizer(
            settings.range_initial,
            settings.range_min,
            settings.range_max,
            settings.range_target_logs,
        )
        self.reader = RangeReader(rpc, self.decoder, self.sizer, self.chain_id)
        self.guard = ReorgGuard(self.chain_id, rpc.header)
        self.checkpointer = WalCheckpointer(engine)
        self.cursor = Cursor(-1, NO_HASH)
        self._prepared = False

    # ------------------------------------------------------------------ start-up checks

    def prepare(self) -> Cursor:
        """Checks that RPC, manifest and database describe one deployment; creates the cursor
        just below the first deployment block on a fresh database."""
        if not schema_is_current(self.engine, MIRROR):
            raise DatabaseError(
                f"database {self.engine.url!r} is not migrated: run `{MIRROR.command}`"
            )
        rpc_chain = self.rpc.chain_id()
        if rpc_chain != self.chain_id:
            raise ChainMismatchError(
                f"the RPC {self.rpc.url} serves chain {rpc_chain}, the manifest is for chain "
                f"{self.chain_id}"
            )
        for name, contract in self.manifest.contracts.items():
            header = self.rpc.header(contract.block_number)
            if header is None or header.hash.lower() != contract.block_hash.lower():
                raise ChainMismatchError(
                    f"{name} was deployed in block {contract.block_number} "
                    f"({contract.block_hash}) by the manifest, but the RPC's block there is "
                    f"{header.hash if header else 'missing'}: the manifest belongs to another "
                    "chain history (a restarted local chain?); redeploy"
                )
        with self.engine.begin() as conn:
            self._check_sources(conn)
            cursor = cursors.load(conn, self.chain_id)
            if cursor is None:
                cursor = self._initial_cursor(conn)
        self.cursor = cursor
        self._prepared = True
        log.info(
            "ready",
            chain_id=self.chain_id,
            cursor=cursor.block_number,
            contracts=len(self.manifest.contracts),
        )
        return cursor

    def _check_sources(self, conn: Connection) -> None:
        wanted = {
            name: (c.address.lower(), c.block_number) for name, c in self.manifest.contracts.items()
        }
        rows = conn.execute(
            select(sources.c.contract, sources.c.address, sources.c.start_block).where(
                sources.c.chain_id == self.chain_id
            )
        ).all()
        if not rows:
            conn.execute(
                sources.insert(),
                [
                    {
                        "chain_id": self.chain_id,
                        "contract": name,
                        "address": c.address.lower(),
                        "start_block": c.block_number,
                        "block_hash": c.block_hash.lower(),
                    }
                    for name, c in self.manifest.contracts.items()
                ],
            )
            return
        have = {r.contract: (r.address, r.start_block) for r in rows}
        if have != wanted:
            changed = sorted(set(have.items()) ^ set(wanted.items()))
            raise ChainMismatchError(
                f"the database holds chain {self.chain_id} indexed from other contracts than the "
                f"manifest names (differences: {', '.join(n for n, _ in changed)}); "
                "index into a fresh database"
            )

    def _initial_cursor(self, conn: Connection) -> Cursor:
        anchor = self.manifest.start_block - 1
        header = self.rpc.header(anchor) if anchor >= 0 else None
        cursor = Cursor(anchor, header.hash if header else NO_HASH)
        cursors.create(conn, self.chain_id, cursor)
        if header is not None:
            self.guard.remember(conn, [header])
        return cursor

    def close(self) -> None:
        """Waits for the last WAL checkpoint (:mod:`indexer.checkpoint`), so the database
        file holds everything indexed; the RPC client and the engine stay the caller's."""
        self.checkpointer.wait()

    # ------------------------------------------------------------------ passes

    def final_block(self, latest: int) -> int:
        """The highest block treated as final: below the confirmation depth or at the tag."""
        finality = self.settings.finality
        if isinstance(finality, int):
            return latest - finality
        header = self.rpc.header(finality)
        return header.number if header is not None else -1

    def catch_up(self, stop: threading.Event | None = None) -> PassResult:
        """Indexes every final block and returns (``--once``)."""
        stop = stop or threading.Event()
        if not self._prepared:
            self.prepare()
        result = self._reconcile()
        final = self.final_block(self.rpc.block_number())
        result += self._backfill(final, stop)
        self._prune(final)
        return result

    def poll(self, stop: threading.Event | None = None) -> PassResult:
        """One follow pass: reconcile, backfill what became final, then follow to the head."""
        stop = stop or threading.Event()
        if not self._prepared:
            self.prepare()
        result = self._reconcile()
        latest = self.rpc.block_number()
        final = min(self.final_block(latest), latest)
        result += self._backfill(final, stop)
        if not stop.is_set():
            result += self._follow_tip(latest)
        self._prune(final)
        return result

    def follow(self, stop: threading.Event) -> None:
        """Polls until ``stop`` is set; each pass commits what it read before checking it."""
        if not self._prepared:
            self.prepare()
        while not stop.is_set():
            result = self.poll(stop)
            if result.blocks:
                log.info(
                    "followed",
                    cursor=self.cursor.block_number,
                    blocks=result.blocks,
                    events=result.events,
                )
            if not result.retry:
                stop.wait(self.settings.poll_interval)

    def _reconcile(self) -> PassResult:
        result = PassResult()
        with self.engine.begin() as conn:
            current = cursors.load(conn, self.chain_id)
            assert current is not None, "prepare() creates the cursor"
            self.cursor = current
            rewind = self.guard.reconcile(conn, current)
        if rewind is not None:
            self.cursor = rewind.ancestor
            result.rewinds.append(rewind)
            log.warning(
                "reorg",
                orphaned_from=rewind.orphaned_from,
                orphaned_to=rewind.orphaned_to,
                ancestor=rewind.ancestor.block_number,
                events_deleted=rewind.events_deleted,
                rows_restored=rewind.rows_restored,
            )
        return result

    def _prune(self, final: int) -> None:
        with self.engine.begin() as conn:
            self.guard.prune(conn, min(final, self.cursor.block_number))

    # ------------------------------------------------------------------ final blocks

    def _backfill(self, to_block: int, stop: threading.Event) -> PassResult:
        result = PassResult()
        start = self.cursor.block_number + 1
        if start > to_block:
            return result
        bar = tqdm(
            total=to_block - start + 1,
            unit="blk",
            unit_scale=True,
            desc=f"backfill chain {self.chain_id}",
            file=sys.stderr,
            disable=not self.settings.progress,
            mininterval=0.5,
            leave=False,
        )
        began = time.monotonic()
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(_BACKFILL_SWITCH_INTERVAL)
        # One thread fetches ranges in order (the range sizer is never shared), another decodes
        # them in order, a third applies their handlers, so the node is already serving the
        # next range while one is decoded and the one before it written.
        fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="getlogs")
        decoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decode")
        applier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="handlers")
        ahead: deque[Future[Fetched]] = deque()
        next_first = start
        cache = RowCache()  # this pass's commits are the only writes meanwhile
        writer_first = WriterFirst()  # the threads ahead wait while the writer flushes
        try:
            while True:
                # keep a few ranges requested ahead of the one being written
                while next_first <= to_block and len(ahead) < _READ_AHEAD and not stop.is_set():
                    last = min(to_block, next_first + self.sizer.size - 1)
                    fetching = fetcher.submit(self.reader.fetch, next_first, last)
                    ahead.append(
                        decoder.submit(self._decoded, fetching, applier, writer_first.pause)
                    )
                    next_first = last + 1
                if not ahead:
                    break
                fetched = ahead.popleft().result()
                written = self._commit(
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
            sys.setswitchinterval(switch_interval)
            bar.close()
        elapsed = max(time.monotonic() - began, 1e-9)
        log.info(
            "backfilled",
            to_block=self.cursor.block_number,
            blocks=result.blocks,
            events=result.events,
            seconds=round(elapsed, 2),
            events_per_s=round(result.events / elapsed),
        )
        return result

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

    # ------------------------------------------------------------------ unfinal blocks

    def _follow_tip(self, latest: int) -> PassResult:
        result = PassResult()
        first = self.cursor.block_number + 1
        last = min(latest, first + TIP_BLOCKS_PER_PASS - 1)
        headers: list[BlockHeader] = []
        parent = self.cursor.block_hash
        for number in range(first, last + 1):
            header = self.rpc.header(number)
            if header is None:
                break  # the node behind its own head report: read it next pass
            if header.parent_hash != parent:
                # the chain changed while we read it: the next pass reconciles
                result.retry = True
                break
            headers.append(header)
            parent = header.hash
        if not headers:
            return result
        last = headers[-1].number
        found = self.reader.logs(first, last)
        hashes = {h.number: h.hash for h in headers}
        if any(hashes.get(int(lg.blockNumber, 16)) != lg.blockHash for lg in found):
            result.retry = True  # logs from a block that is no longer the one we read
            return result
        written = self._commit(Fetched(first, last, found, headers), journal=True)
        result.blocks += last - first + 1
        result.events += written
        return result

    # ------------------------------------------------------------------ the one write path

    def _commit(
        self,
        fetched: Fetched,
        journal: bool,
        cache: RowCache | None = None,
        flushing: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> int:
        """Writes a fetched range in one transaction; returns the events stored. ``cache``
        (final ranges only) serves stored rows and learns the rows written once committed;
        ``flushing`` wraps the store's flush (the backfill's :class:`WriterFirst`)."""
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


def manifest_for(settings: IndexerSettings, chain_id: int) -> Manifest:
    """The manifest named in the settings, or ``<manifest_dir>/<chain id>.json``; it must
    describe ``chain_id``, the chain the RPC serves."""
    from planet.core.manifest import ManifestError, load, load_for_chain, manifest_path

    if settings.manifest is not None:
        manifest = load(settings.manifest)
        if manifest.chain_id != chain_id:
            raise ChainMismatchError(
                f"manifest {settings.manifest} is for chain {manifest.chain_id}, but the RPC "
                f"{settings.rpc_url} serves chain {chain_id}"
            )
        return manifest
    found = load_for_chain(chain_id, settings.manifest_dir)
    if found is None:
        raise ManifestError(
            f"no deployment manifest for chain {chain_id} at "
            f"{manifest_path(chain_id, settings.manifest_dir)}: deploy first, or set "
            "PLANET_INDEXER_MANIFEST"
        )
    return found
