"""Planet's indexer: mirrors every Planet event into SQLite or PostgreSQL, exactly once,
through reorgs, crashes and rate limits. The only writer of the mirrored chain tables.

The file tree is the architecture: :mod:`~indexer.config` (settings), :mod:`~indexer.rpc`
(JSON-RPC with rate limits and retries), :mod:`~indexer.ranges` (adaptive eth_getLogs spans),
:mod:`~indexer.reader` (reading ranges ahead), :mod:`~indexer.decode` (logs to events),
:mod:`~planet.store` (tables, migrations), :mod:`~indexer.bulk` (hot-path inserts),
:mod:`~indexer.store`, :mod:`~indexer.registry` and :mod:`~indexer.handlers` (derived state),
:mod:`~indexer.cursor` (where indexing stands), :mod:`~indexer.reorg` (rewinds),
:mod:`~indexer.preflight` (start-up checks), :mod:`~indexer.backfill` (final blocks),
:mod:`~indexer.tip` (unfinal blocks), :mod:`~indexer.write` (the one write path),
:mod:`~indexer.funding` (each identity owner's first funding transaction, looked up after a pass),
:mod:`~indexer.sync` (passes over all of them) and :mod:`~planet.commands.index`
(``python -m indexer``).
"""

from indexer.config import ConfigError, IndexerSettings
from indexer.errors import (
    ChainMismatchError,
    DatabaseStateError,
    DecodeError,
    IndexerError,
    ReorgTooDeepError,
)
from indexer.rpc import RangeTooLargeError, RpcClient, RpcRequestError, RpcUnavailableError
from indexer.sync import Indexer, PassResult

__all__ = [
    "ChainMismatchError",
    "ConfigError",
    "DatabaseStateError",
    "DecodeError",
    "Indexer",
    "IndexerError",
    "IndexerSettings",
    "PassResult",
    "RangeTooLargeError",
    "ReorgTooDeepError",
    "RpcClient",
    "RpcRequestError",
    "RpcUnavailableError",
]
