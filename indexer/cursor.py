"""The cursor: the last block whose events and state are in the database, and its hash.

It only moves inside the transaction that writes that block's rows, and only from the value the
writer read (compare-and-set), so a crash leaves it at the last commit and a second writer on
the same database fails instead of doubling rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from indexer.errors import DatabaseStateError
from planet.store.mirror import cursors

NO_HASH = "0x" + "00" * 32


@dataclass(frozen=True, slots=True)
class Cursor:
    block_number: int
    block_hash: str


def load(conn: Connection, chain_id: int) -> Cursor | None:
    row = conn.execute(
        select(cursors.c.block_number, cursors.c.block_hash).where(cursors.c.chain_id == chain_id)
    ).first()
    return Cursor(row.block_number, row.block_hash) if row else None


def create(conn: Connection, chain_id: int, cursor: Cursor) -> None:
    conn.execute(
        insert(cursors).values(
            chain_id=chain_id,
            block_number=cursor.block_number,
            block_hash=cursor.block_hash,
            updated_at=datetime.now(UTC),
        )
    )


def move(conn: Connection, chain_id: int, old: Cursor, new: Cursor) -> None:
    """Sets the cursor to ``new`` if it still is ``old``; raises otherwise."""
    result = conn.execute(
        update(cursors)
        .where(
            cursors.c.chain_id == chain_id,
            cursors.c.block_number == old.block_number,
            cursors.c.block_hash == old.block_hash,
        )
        .values(
            block_number=new.block_number,
            block_hash=new.block_hash,
            updated_at=datetime.now(UTC),
        )
    )
    if result.rowcount != 1:
        raise DatabaseStateError(
            f"the cursor of chain {chain_id} moved under this indexer (expected block "
            f"{old.block_number}): is another indexer writing to the same database?"
        )
