"""Reading final ranges for the backfill: logs in as many sub-ranges as the node insists on, the
end block's header, the events decoded and their rows built, ahead of the writer.

The backfill runs :meth:`RangeReader.fetch` and :meth:`RangeReader.decode` in two background
threads, one range after another in each: the node serves the next range while the previous
one is decoded and the one before it written.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from indexer.decode import Event, EventDecoder
from indexer.ranges import RangeSizer
from indexer.rpc import BlockHeader, Log, RangeTooLargeError, RpcClient, RpcUnavailableError
from indexer.store import StateStore


@dataclass
class Fetched:
    """A range read from the node: its logs, the headers of the blocks it ends with, and (when
    read ahead) its events decoded, its ``events`` rows ready to insert and, where its handlers
    need no stored rows, its derived-state changes."""

    first: int
    last: int
    logs: list[Log]
    headers: list[BlockHeader]
    events: list[Event] | None = None
    rows: list[tuple[Any, ...]] | None = None
    # the range's handlers being applied ahead, in a detached store (None, or a future
    # giving None: they run when the range is written)
    state: Future[StateStore | None] | None = None


class RangeReader:
    """Reads ranges through one RPC client, shrinking the span when the node refuses it."""

    def __init__(
        self, rpc: RpcClient, decoder: EventDecoder, sizer: RangeSizer, chain_id: int
    ) -> None:
        self.rpc = rpc
        self.decoder = decoder
        self.sizer = sizer
        self.chain_id = chain_id

    def logs(self, first: int, last: int) -> list[Log]:
        """Logs of ``[first, last]``, in as many sub-ranges as the node insists on."""
        found: list[Log] = []
        start = first
        while start <= last:
            end = min(last, start + self.sizer.size - 1)
            try:
                found += self.rpc.logs(start, end, self.decoder.addresses)
            except RangeTooLargeError:
                self.sizer.shrink(end - start + 1)
                continue
            start = end + 1
        return found

    def fetch(self, first: int, last: int) -> Fetched:
        """``[first, last]``: its logs and its end header, not decoded yet."""
        found = self.logs(first, last)
        header = self.rpc.header(last)
        if header is None:
            raise RpcUnavailableError(
                f"the RPC has no block {last} although it reported it as final"
            )
        self.sizer.observe(last - first + 1, len(found))
        return Fetched(first, last, found, [header])

    def decode(self, fetched: Fetched, pause: Callable[[], None] | None = None) -> Fetched:
        """The range decoded, rows built; the raw logs are not kept once decoded (ranges read
        ahead would hold them for nothing). ``pause``: see :mod:`indexer.priority`."""
        decoded, rows = self.decoder.decode_rows(fetched.logs, self.chain_id, pause)
        return Fetched(fetched.first, fetched.last, [], fetched.headers, decoded, rows)

    def read(self, first: int, last: int) -> Fetched:
        """``[first, last]`` with its end header, decoded, rows built."""
        return self.decode(self.fetch(first, last))
