"""The state store: folding handler changes, writing them, and undoing journaled blocks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from indexer.bulk import select_by_keys
from indexer.errors import DatabaseStateError
from indexer.store import NeedsDatabase, RowCache, StateStore, prune_journal, undo_above
from planet.store.mirror import attestations, identities, point_balances

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects

CHAIN = 7
ALICE, BOB = "0x" + "a1" * 20, "0x" + "b0" * 20


def identity(token: int, owner: str, labels: int = 0) -> dict:
    return {
        "token_id": token,
        "owner": owner,
        "handle": f"h{token}",
        "metadata_uri": "ipfs://x",
        "metadata_hash": "0x" + "00" * 32,
        "recovery": "0x" + "00" * 20,
        "verified": False,
        "labels": labels,
        "relayer": owner,
        "registered_block": 1,
        "registered_tx": "0x" + "11" * 32,
        "updated_block": 1,
    }


def balances(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(point_balances.c.account, point_balances.c.balance)).all())


def labels(engine) -> dict[int, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(identities.c.token_id, identities.c.labels)).all())


def test_changes_fold_in_order_and_counters_stay_exact_beyond_64_bits(engine):
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN)
        store.insert(identities, identity(1, ALICE))
        store.update(identities, (1,), {"labels": 2**255 + 1, "verified": True})
        store.add(point_balances, (ALICE,), {"balance": 2**63})
        store.add(point_balances, (ALICE,), {"balance": 2**63})
        store.add(point_balances, (BOB,), {"balance": 5})
        assert store.get(identities, (1,))["labels"] == 2**255 + 1
        store.flush()
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN)
        store.add(point_balances, (BOB,), {"balance": -5})
        store.add(point_balances, (ALICE,), {"balance": 1})
        store.flush()
    assert balances(engine) == {ALICE: 2**64 + 1, BOB: 0}
    assert labels(engine) == {1: 2**255 + 1}


def test_a_detached_store_records_changes_ahead_and_writes_them_once_attached(engine):
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN)
        store.add(point_balances, (ALICE,), {"balance": 10})
        store.flush()

    # ahead of its transaction: changes are recorded, stored rows cannot be read
    ahead = StateStore(None, CHAIN)
    ahead.insert(identities, identity(1, ALICE))
    ahead.insert(identities, identity(2, BOB))
    ahead.update(identities, (2,), {"labels": 3})
    ahead.add(point_balances, (ALICE,), {"balance": 5})
    ahead.add(point_balances, (BOB,), {"balance": 7})
    with pytest.raises(NeedsDatabase):
        ahead.get(point_balances, (ALICE,))
    with pytest.raises(NeedsDatabase):
        ahead.flush()

    with engine.begin() as conn:
        ahead.attach(conn)
        ahead.flush()
    # additions land on the rows the earlier transaction wrote
    assert balances(engine) == {ALICE: 15, BOB: 7}
    assert labels(engine) == {1: 0, 2: 3}


def test_rows_prepared_ahead_are_written_as_they_stand_at_flush(engine):
    ahead = StateStore(None, CHAIN)
    ahead.insert(identities, identity(1, ALICE))
    ahead.add(point_balances, (ALICE,), {"balance": 5})
    ahead.prepare()  # identities: only new rows, built now; balances need a read
    ahead.insert(identities, identity(2, BOB))  # a later change discards what was built
    ahead.prepare()
    with engine.begin() as conn:
        ahead.attach(conn)
        assert ahead.flush() == 3
    assert labels(engine) == {1: 0, 2: 0}
    assert balances(engine) == {ALICE: 5}

    again = StateStore(None, CHAIN)
    again.insert(identities, identity(3, BOB))
    again.prepare()
    again.update(identities, (3,), {"labels": 9})
    with engine.begin() as conn:
        again.attach(conn)
        again.flush()
    assert labels(engine) == {1: 0, 2: 0, 3: 9}


def test_big_values_sort_numerically_in_sql(engine):
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN)
        for i, amount in enumerate([5, 2**200, 2**70, 2**63 - 1, 10**20]):
            store.add(point_balances, (f"0x{i:040x}",), {"balance": amount})
        store.flush()
    with engine.connect() as conn:
        ordered = conn.execute(
            select(point_balances.c.balance).order_by(point_balances.c.balance)
        ).scalars()
        assert list(ordered) == sorted([5, 2**200, 2**70, 2**63 - 1, 10**20])


def test_an_update_of_a_row_never_created_is_a_state_error(engine):
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN)
        store.update(identities, (99,), {"verified": True})
        with pytest.raises(DatabaseStateError, match="never created"):
            store.flush()


def test_an_insert_twice_is_a_state_error(engine):
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN)
        store.insert(identities, identity(1, ALICE))
        store.insert(identities, identity(1, BOB))
        with pytest.raises(DatabaseStateError, match="exists already"):
            store.flush()


def test_undo_restores_each_row_to_its_value_at_the_ancestor(engine):
    with engine.begin() as conn:  # final history, not journaled
        store = StateStore(conn, CHAIN)
        store.insert(identities, identity(1, ALICE, labels=1))
        store.add(point_balances, (ALICE,), {"balance": 10})
        store.flush()
    for block, (label, credit) in enumerate([(2, 5), (3, 7), (4, 11)], start=10):
        with engine.begin() as conn:
            store = StateStore(conn, CHAIN)
            store.update(identities, (1,), {"labels": label})
            store.add(point_balances, (ALICE,), {"balance": credit})
            if block == 11:
                store.insert(identities, identity(2, BOB))
                store.add(point_balances, (BOB,), {"balance": 1})
            store.flush(journal_block=block)
    assert labels(engine) == {1: 4, 2: 0}

    with engine.begin() as conn:
        assert undo_above(conn, CHAIN, 10) == 6  # blocks 11 (4 rows) and 12 (2)
    assert labels(engine) == {1: 2}
    assert balances(engine) == {ALICE: 15}

    with engine.begin() as conn:
        undo_above(conn, CHAIN, 9)
    assert labels(engine) == {1: 1}
    assert balances(engine) == {ALICE: 10}


def test_pruned_blocks_are_not_undone_and_other_chains_untouched(engine):
    for chain in (CHAIN, CHAIN + 1):
        with engine.begin() as conn:
            store = StateStore(conn, chain)
            store.add(point_balances, (ALICE,), {"balance": 3})
            store.flush(journal_block=5)
    with engine.begin() as conn:
        prune_journal(conn, CHAIN, 5)
        assert undo_above(conn, CHAIN, 4) == 0
        assert undo_above(conn, CHAIN + 1, 4) == 1
    with engine.connect() as conn:
        rows = conn.execute(select(point_balances.c.chain_id, point_balances.c.balance)).all()
    assert sorted(rows) == [(CHAIN, 3)]


def test_revocation_fields_roll_back_with_the_row(engine):
    row = {
        "uid": "0x" + "77" * 32,
        "account": ALICE,
        "epoch": 1,
        "kind": 0,
        "amount": 9,
        "attester": BOB,
        "submitter": ALICE,
        "block_number": 3,
        "log_index": 0,
        "tx_hash": "0x" + "22" * 32,
        "revoked": False,
        "revoked_reason": None,
        "revoker": None,
        "revoked_block": None,
        "revoked_tx": None,
    }
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN)
        store.insert(attestations, row)
        store.flush(journal_block=3)
        store.update(attestations, (row["uid"],), {"revoked": True, "revoked_reason": "spam"})
        store.flush(journal_block=4)
        undo_above(conn, CHAIN, 3)
        stored = conn.execute(select(attestations)).mappings().one()
    assert (stored["revoked"], stored["revoked_reason"]) == (False, None)


def test_get_reads_a_stored_row_once_per_flush_and_sees_every_pending_change(engine, monkeypatch):
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN)
        store.add(point_balances, (ALICE,), {"balance": 10})
        store.flush()
    reads: list[list[tuple]] = []

    def counting(conn, table, key_names, chain_id, keys):
        if table is point_balances:
            reads.append(list(keys))
        return select_by_keys(conn, table, key_names, chain_id, keys)

    monkeypatch.setattr("indexer.store.select_by_keys", counting)
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN)
        seen = []
        for _ in range(50):
            store.add(point_balances, (ALICE,), {"balance": 1})
            seen.append(store.get(point_balances, (ALICE,))["balance"])
        assert seen == list(range(11, 61))
        assert store.get(point_balances, (BOB,)) is None
        assert store.get(point_balances, (BOB,)) is None
        assert reads == [[(ALICE,)], [(BOB,)]]  # one read per row, not one per get
        store.flush()
        store.add(point_balances, (ALICE,), {"balance": 1})
        assert store.get(point_balances, (ALICE,))["balance"] == 61  # read again after flush
        store.flush()
    assert balances(engine) == {ALICE: 61}


def test_a_row_cache_serves_committed_rows_and_learns_nothing_from_a_rolled_back_one(
    engine, monkeypatch
):
    cache = RowCache()
    reads: list[list[tuple]] = []

    def counting(conn, table, key_names, chain_id, keys):
        reads.append(list(keys))
        return select_by_keys(conn, table, key_names, chain_id, keys)

    monkeypatch.setattr("indexer.store.select_by_keys", counting)
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN, cache=cache)
        store.add(point_balances, (ALICE,), {"balance": 10})
        store.flush()
    cache.committed(store)
    assert reads == [[(ALICE,)]]  # absent then: read once

    # a later range adds again without reading the row it wrote
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN, cache=cache)
        store.add(point_balances, (ALICE,), {"balance": 5})
        store.add(point_balances, (BOB,), {"balance": 1})
        store.flush()
    cache.committed(store)
    assert reads == [[(ALICE,)], [(BOB,)]]

    # a range that fails: its rows never reach the cache
    with pytest.raises(RuntimeError), engine.begin() as conn:
        store = StateStore(conn, CHAIN, cache=cache)
        store.add(point_balances, (ALICE,), {"balance": 1000})
        store.flush()
        raise RuntimeError("the range failed after its flush")
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN, cache=cache)
        store.add(point_balances, (ALICE,), {"balance": 1})
        store.flush()
    cache.committed(store)
    assert len(reads) == 2
    assert balances(engine) == {ALICE: 16, BOB: 1}


def test_cached_rows_are_whole_rows_as_stored(engine):
    """A row made and changed in one range holds only the columns its handlers named; the
    cache keeps the others as the NULLs the database stored, so that a later range's rewrite
    of the row names every column."""
    cache = RowCache()
    made = {
        "uid": "0x" + "01" * 32,
        "account": ALICE,
        "epoch": 1,
        "kind": 2,
        "amount": 3,
        "attester": BOB,
        "submitter": ALICE,
        "block_number": 4,
        "log_index": 0,
        "tx_hash": "0x" + "02" * 32,
        "revoked": False,  # the revoked_* columns are not named
    }
    with engine.begin() as conn:
        store = StateStore(conn, CHAIN, cache=cache)
        store.insert(attestations, made)
        store.update(attestations, (made["uid"],), {"amount": 2**200})
        store.flush()
    cache.committed(store)
    key = (made["uid"],)
    with engine.connect() as conn:
        stored = select_by_keys(conn, attestations, ["uid"], CHAIN, [key])
    assert stored[key]["revoked_reason"] is None and stored[key]["amount"] == 2**200
    assert cache.lookup(attestations, [key, (BOB,)]) == (stored, [(BOB,)])


def test_a_row_cache_past_its_limit_starts_over():
    cache = RowCache(limit=3)
    store = StateStore(None, CHAIN)
    store._written = {point_balances: {(f"0x{i:040x}",): {"balance": i} for i in range(3)}}
    cache.committed(store)
    assert cache.lookup(point_balances, [("0x" + "00" * 20,)])[1] == []
    store._written = {point_balances: {(ALICE,): {"account": ALICE, "balance": 1}}}
    cache.committed(store)
    assert cache.lookup(point_balances, [(ALICE,)]) == ({}, [(ALICE,)])
