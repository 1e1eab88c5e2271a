"""Reorg handling in one place: remember recent block hashes, notice when the chain under the
cursor changed, and rewind the database to the last block both chains share.

The indexer stores the hash of every block it indexes above the finality point, plus one anchor
at or below it (``recent_blocks``). Before indexing on, it asks the node for the block at the
cursor; if the hash differs (or the block is gone), it walks the stored hashes from the newest
down until the node agrees, which is the common ancestor. In the same transaction it deletes
the events of the orphaned blocks, undoes their derived-state changes from the journal, forgets
their hashes and moves the cursor back, so the next pass re-indexes the canonical blocks. A
mismatch that reaches below the anchor means a block treated as final was replaced, which no
rewind can repair: :class:`ReorgTooDeepError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select

from indexer import cursor as cursors
from indexer.cursor import Cursor
from indexer.errors import ReorgTooDeepError
from indexer.rpc import BlockHeader
from indexer.store import prune_journal, undo_above
from planet.store.mirror import events, recent_blocks

FetchHeader = Callable[[int], BlockHeader | None]


@dataclass(frozen=True, slots=True)
class Rewind:
    """What a reorg cost: the orphaned blocks and the rows that went with them."""

    ancestor: Cursor
    orphaned_from: int
    orphaned_to: int
    events_deleted: int
    rows_restored: int


class ReorgGuard:
    """Keeps ``recent_blocks`` and reconciles the database with the canonical chain."""

    def __init__(self, chain_id: int, fetch_header: FetchHeader) -> None:
        self.chain_id = chain_id
        self.fetch_header = fetch_header

    def remember(self, conn: Connection, headers: Iterable[BlockHeader]) -> None:
        rows = [
            {
                "chain_id": self.chain_id,
                "block_number": h.number,
                "block_hash": h.hash,
                "parent_hash": h.parent_hash,
            }
            for h in headers
        ]
        if rows:
            conn.execute(recent_blocks.insert(), rows)

    def is_canonical(self, block: Cursor) -> bool:
        if block.block_number < 0:
            return True
        header = self.fetch_header(block.block_number)
        return header is not None and header.hash == block.block_hash

    def reconcile(self, conn: Connection, at: Cursor) -> Rewind | None:
        """None if the cursor ``at`` is on the canonical chain; otherwise rewinds the database
        to the common ancestor (cursor included) and says what was undone."""
        if self.is_canonical(at):
            return None
        ancestor = self.find_ancestor(conn, at)
        return self.rewind(conn, at, ancestor)

    def find_ancestor(self, conn: Connection, at: Cursor) -> Cursor:
        stored = conn.execute(
            select(recent_blocks.c.block_number, recent_blocks.c.block_hash)
            .where(
                recent_blocks.c.chain_id == self.chain_id,
                recent_blocks.c.block_number <= at.block_number,
            )
            .order_by(recent_blocks.c.block_number.desc())
        ).all()
        for number, block_hash in stored:
            candidate = Cursor(number, block_hash)
            if number == at.block_number and block_hash == at.block_hash:
                continue  # the cursor itself is known not to be canonical
            if self.is_canonical(candidate):
                return candidate
        lowest = stored[-1].block_number if stored else at.block_number
        raise ReorgTooDeepError(
            f"block {lowest} of chain {self.chain_id}, indexed as final, is no longer on the "
            "chain: the finality setting is shallower than this reorg; re-index into a fresh "
            "database with a deeper confirmation depth or the 'finalized' tag"
        )

    def rewind(self, conn: Connection, at: Cursor, ancestor: Cursor) -> Rewind:
        above = ancestor.block_number
        deleted = conn.execute(
            delete(events).where(events.c.chain_id == self.chain_id, events.c.block_number > above)
        ).rowcount
        restored = undo_above(conn, self.chain_id, above)
        conn.execute(
            delete(recent_blocks).where(
                recent_blocks.c.chain_id == self.chain_id, recent_blocks.c.block_number > above
            )
        )
        cursors.move(conn, self.chain_id, at, ancestor)
        return Rewind(ancestor, above + 1, at.block_number, deleted, restored)

    def prune(self, conn: Connection, final_block: int) -> None:
        """Forgets hashes and undo records of final blocks, keeping the newest final hash as the
        anchor a walk-back must reach."""
        anchor = conn.execute(
            select(func.max(recent_blocks.c.block_number)).where(
                recent_blocks.c.chain_id == self.chain_id,
                recent_blocks.c.block_number <= final_block,
            )
        ).scalar()
        if anchor is None:
            return
        conn.execute(
            delete(recent_blocks).where(
                recent_blocks.c.chain_id == self.chain_id, recent_blocks.c.block_number < anchor
            )
        )
        prune_journal(conn, self.chain_id, anchor)
