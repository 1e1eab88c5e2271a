"""Backfill and follow: moves the cursor from the deployment block to the chain head, exactly once.

:class:`Indexer` runs passes. Each pass reads the cursor, lets
:class:`~indexer.reorg.ReorgGuard` rewind it if the block under it was replaced, then

* backfills final blocks (at or below the finality point) in a threaded pipeline
  (:mod:`indexer.backfill`);
* follows unfinal blocks up to the head block by block, journaling their state changes so a
  reorg can undo them (:mod:`indexer.tip`).

Both write through one path (:mod:`indexer.write`): every range, final or not, in one database
transaction with the cursor moved compare-and-set, so a crash leaves the database at the end of
the last committed range and the next run resumes from there. Before the first pass the
start-up checks (:mod:`indexer.preflight`) make sure RPC, manifest and database describe one
deployment.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from indexer import cursor as cursors
from indexer import preflight
from indexer.backfill import Backfill
from indexer.checkpoint import WalCheckpointer
from indexer.config import IndexerSettings
from indexer.cursor import Cursor
from indexer.decode import EventDecoder
from indexer.funding import BalanceSearch, FundingTracker
from indexer.handlers import default_registry
from indexer.preflight import manifest_for
from indexer.ranges import RangeSizer
from indexer.reader import RangeReader
from indexer.registry import Registry
from indexer.reorg import ReorgGuard
from indexer.result import PassResult
from indexer.rpc import RpcClient, RpcUnavailableError
from indexer.tip import TipFollower
from indexer.write import RangeWriter
from planet.core import logs
from planet.core.manifest import Manifest

__all__ = ["Indexer", "PassResult", "manifest_for"]

log = logs.get("indexer.sync")


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
        self.writer = RangeWriter(
            engine, self.chain_id, self.decoder, self.registry, self.guard, self.checkpointer
        )
        self.backfill = Backfill(
            self.reader, self.writer, self.registry, self.chain_id, settings.progress
        )
        self.tip = TipFollower(rpc, self.reader, self.writer)
        self.funding = FundingTracker(
            engine,
            self.chain_id,
            BalanceSearch(rpc, settings.funding_window),
            settings.funding_lookups,
            settings.funding_recheck_after,
        )
        self._prepared = False

    @property
    def cursor(self) -> Cursor:
        """Where the database stands: the writer's cursor, the one thing every part moves."""
        return self.writer.cursor

    @cursor.setter
    def cursor(self, cursor: Cursor) -> None:
        self.writer.cursor = cursor

    def prepare(self) -> Cursor:
        """Checks that RPC, manifest and database describe one deployment; creates the cursor
        just below the first deployment block on a fresh database (:mod:`indexer.preflight`)."""
        cursor = preflight.prepare(self.engine, self.rpc, self.manifest, self.guard)
        self.cursor = cursor
        self._prepared = True
        log.info(
            "ready",
            chain_id=self.chain_id,
            cursor=cursor.block_number,
            contracts=len(self.manifest.contracts),
        )
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
        result += self.backfill.run(final, stop)
        self._prune(final)
        self._fundings(final, stop)
        return result

    def poll(self, stop: threading.Event | None = None) -> PassResult:
        """One follow pass: reconcile, backfill what became final, then follow to the head."""
        stop = stop or threading.Event()
        if not self._prepared:
            self.prepare()
        result = self._reconcile()
        latest = self.rpc.block_number()
        final = min(self.final_block(latest), latest)
        result += self.backfill.run(final, stop)
        if not stop.is_set():
            result += self.tip.run(latest)
        self._prune(final)
        self._fundings(final, stop)
        return result

    def _fundings(self, final: int, stop: threading.Event) -> None:
        """Looks up the first funding of owners registered in final blocks
        (:mod:`indexer.funding`), up to the cursor: after the ranges, never inside them."""
        if not stop.is_set():
            self.funding.run(min(final, self.cursor.block_number))

    def follow(self, stop: threading.Event) -> None:
        """Polls until ``stop`` is set; each pass commits what it read before checking it.

        A chain or database outage does not end it: the pass that failed is retried after a
        backoff that doubles up to ``outage_backoff_max``, with a warning each time, and an
        ``recovered`` line once a pass succeeds again. What a failed pass wrote is whole ranges
        or nothing (each range commits with its cursor), so the retry starts where the
        database says."""
        if not self._prepared:
            self.prepare()
        failures = 0
        down_since = 0.0
        while not stop.is_set():
            try:
                result = self.poll(stop)
            except (RpcUnavailableError, SQLAlchemyError) as err:
                if failures == 0:
                    down_since = time.monotonic()
                failures += 1
                delay = min(self.settings.outage_backoff_max, 2 ** (failures - 1))
                log.warning(
                    "outage",
                    source="database" if isinstance(err, SQLAlchemyError) else "chain",
                    error=str(err).splitlines()[0][:300],
                    attempt=failures,
                    retry_in_s=delay,
                )
                stop.wait(delay)
                continue
            if failures:
                log.info(
                    "recovered",
                    attempts=failures,
                    down_s=round(time.monotonic() - down_since, 1),
                    cursor=self.cursor.block_number,
                )
                failures = 0
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
        """Takes the cursor from the database, rewound first if the block under it was
        replaced: the database, not this object, says where the pass starts."""
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
        """Forgets the hashes and undo records of final blocks, which no reorg reaches (the
        newest stays as the anchor, :meth:`~indexer.reorg.ReorgGuard.prune`)."""
        with self.engine.begin() as conn:
            self.guard.prune(conn, min(final, self.cursor.block_number))
