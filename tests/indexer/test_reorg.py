"""The reorg guard against a scripted chain: finding the common ancestor, rewinding, pruning."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from indexer import cursor as cursors
from indexer.cursor import Cursor
from indexer.errors import ReorgTooDeepError
from indexer.reorg import ReorgGuard
from indexer.rpc import BlockHeader
from indexer.store import StateStore
from planet.store.mirror import events, point_balances, recent_blocks

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects

CHAIN = 5


def chain(fork_at: int, length: int, branch: str) -> dict[int, BlockHeader]:
    """Blocks 0..length-1 whose hashes differ from the ``a`` branch from ``fork_at`` on."""
    out: dict[int, BlockHeader] = {}
    parent = "0x" + "00" * 32
    for n in range(length):
        tag = branch if n >= fork_at else "a"
        h = f"0x{tag * 2}{n:062x}"
        out[n] = BlockHeader(n, h, parent, n)
        parent = h
    return out


def index(engine, guard: ReorgGuard, headers: dict[int, BlockHeader], upto: int) -> Cursor:
    """Indexes blocks 1..upto of ``headers``: one event and one point per block, journaled."""
    with engine.begin() as conn:
        start = Cursor(0, headers[0].hash)
        cursors.create(conn, CHAIN, start)
        guard.remember(conn, [headers[0]])
        for n in range(1, upto + 1):
            conn.execute(
                events.insert(),
                [
                    {
                        "chain_id": CHAIN,
                        "block_number": n,
                        "log_index": 0,
                        "block_hash": headers[n].hash,
                        "tx_hash": "0x" + "ee" * 32,
                        "tx_index": 0,
                        "address": "0x" + "cc" * 20,
                        "contract": "C",
                        "event": "E",
                        "args": {},
                    }
                ],
            )
            store = StateStore(conn, CHAIN)
            store.add(point_balances, ("0x" + "aa" * 20,), {"balance": n})
            store.flush(journal_block=n)
            guard.remember(conn, [headers[n]])
        end = Cursor(upto, headers[upto].hash)
        cursors.move(conn, CHAIN, start, end)
    return end


def test_canonical_cursor_needs_no_rewind(engine):
    headers = chain(99, 10, "a")
    guard = ReorgGuard(CHAIN, headers.get)
    at = index(engine, guard, headers, 9)
    with engine.begin() as conn:
        assert guard.reconcile(conn, at) is None


def test_rewinds_to_the_common_ancestor_and_undoes_its_descendants(engine):
    old = chain(99, 10, "a")
    guard = ReorgGuard(CHAIN, old.get)
    at = index(engine, guard, old, 9)
    new = chain(6, 10, "b")
    guard.fetch_header = new.get

    with engine.begin() as conn:
        rewind = guard.reconcile(conn, at)

    assert rewind is not None
    assert rewind.ancestor == Cursor(5, old[5].hash)
    assert (rewind.orphaned_from, rewind.orphaned_to, rewind.events_deleted) == (6, 9, 4)
    with engine.connect() as conn:
        assert cursors.load(conn, CHAIN) == Cursor(5, old[5].hash)
        assert conn.execute(select(events.c.block_number)).scalars().all() == [1, 2, 3, 4, 5]
        assert conn.execute(select(point_balances.c.balance)).scalar() == sum(range(1, 6))
        stored = conn.execute(select(recent_blocks.c.block_number)).scalars().all()
        assert max(stored) == 5


def test_a_shorter_new_chain_counts_as_a_reorg(engine):
    old = chain(99, 10, "a")
    guard = ReorgGuard(CHAIN, old.get)
    at = index(engine, guard, old, 9)
    shorter = {n: h for n, h in chain(8, 9, "b").items()}  # block 9 is gone, 8 replaced
    guard.fetch_header = shorter.get
    with engine.begin() as conn:
        rewind = guard.reconcile(conn, at)
    assert rewind is not None and rewind.ancestor.block_number == 7


def test_below_the_pruned_anchor_is_too_deep(engine):
    old = chain(99, 10, "a")
    guard = ReorgGuard(CHAIN, old.get)
    at = index(engine, guard, old, 9)
    with engine.begin() as conn:
        guard.prune(conn, final_block=6)
        kept = conn.execute(select(recent_blocks.c.block_number)).scalars().all()
    assert sorted(kept) == [6, 7, 8, 9]
    guard.fetch_header = chain(4, 10, "b").get
    with engine.begin() as conn, pytest.raises(ReorgTooDeepError, match="block 6"):
        guard.reconcile(conn, at)
