"""Running an indexer the way the CLI does (its own RPC client and engine on a migrated
database), for tests that start and drop many of them in one test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from indexer.config import IndexerSettings
from indexer.rpc import RpcClient
from indexer.sync import Indexer
from planet.core.manifest import Manifest
from planet.store import MIRROR, make_engine, migrate


def open_indexer(
    settings: IndexerSettings, manifest: Manifest
) -> tuple[Indexer, RpcClient, Engine]:
    """An indexer for ``settings`` on its database, migrated first; the caller closes all
    three (:func:`close_indexer`)."""
    rpc = RpcClient.from_settings(settings)
    engine = make_engine(settings.database_url)
    migrate(engine, MIRROR)
    return Indexer(settings, rpc, engine, manifest), rpc, engine


def close_indexer(indexer: Indexer, rpc: RpcClient, engine: Engine) -> None:
    indexer.close()
    rpc.close()
    engine.dispose()


@contextmanager
def running_indexer(
    settings: IndexerSettings, manifest: Manifest
) -> Iterator[tuple[Indexer, Engine]]:
    """An indexer closed when the block ends, as a process that exits would leave it."""
    indexer, rpc, engine = open_indexer(settings, manifest)
    try:
        yield indexer, engine
    finally:
        close_indexer(indexer, rpc, engine)
