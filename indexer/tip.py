"""Unfinal blocks, up to the head, block by block.

A reorg may still replace them, so the tip trusts nothing it cannot tie together: it fetches
their headers, checks that each builds on the previous one and that every log belongs to those
very blocks, and has the writer remember their hashes and journal their state changes
(``journal=True``) so :class:`~indexer.reorg.ReorgGuard` can undo them. Anything that does not
fit means the chain moved while it was read: the pass asks to be retried rather than guess.
"""

from __future__ import annotations

from indexer.reader import Fetched, RangeReader
from indexer.result import PassResult
from indexer.rpc import BlockHeader, RpcClient
from indexer.write import RangeWriter

TIP_BLOCKS_PER_PASS = 256  # unfinal blocks fetched header by header in one pass, at most


class TipFollower:
    """Follows the unfinal blocks of one chain after the writer's cursor."""

    def __init__(self, rpc: RpcClient, reader: RangeReader, writer: RangeWriter) -> None:
        self.rpc = rpc
        self.reader = reader
        self.writer = writer

    def run(self, latest: int) -> PassResult:
        """Indexes the blocks after the cursor up to ``latest`` (at most
        :data:`TIP_BLOCKS_PER_PASS`) in one transaction, or none of them (``retry``)."""
        result = PassResult()
        cursor = self.writer.cursor
        first = cursor.block_number + 1
        last = min(latest, first + TIP_BLOCKS_PER_PASS - 1)
        headers: list[BlockHeader] = []
        parent = cursor.block_hash
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
        written = self.writer.commit(Fetched(first, last, found, headers), journal=True)
        result.blocks += last - first + 1
        result.events += written
        return result
