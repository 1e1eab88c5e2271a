"""Reading rows by key and rewriting them through the driver (the store's read-and-fold path)
returns and stores exactly what SQLAlchemy would, on both backends: composite and 256-bit
keys, booleans, NULLs, awkward text, other chains untouched, any number of keys."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from indexer.bulk import insert_dicts, select_by_keys, update_tuples
from indexer.bulk.sqlite import SQLITE
from indexer.bulk.statements import select_sql
from indexer.store import key_columns
from planet.store.mirror import attestations, epoch_point_balances, vault_epochs
from tests.support.profiles import examples
from tests.support.rows import attestation

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects

CHAIN, OTHER = 5, 6
AWKWARD = ["", "tab\there", "new\nline", "back\\slash \\N", "ünïcødé ✓", "'\"quotes"]


def vault_epoch(epoch: int, funded: int) -> dict:
    return {
        "epoch": epoch,
        "funded": funded,
        "paid": 0,
        "swept_out": 0,
        "root": "0x" + "00" * 32,
        "total": 0,
        "uri": None,
        "file_hash": None,
        "claimable_at": 0,
        "status": "none",
        "veto_reason": None,
        "swept": False,
        "distributor": None,
        "swept_to": None,
        "swept_in": 0,
        "updated_block": 1,
    }


def everything(engine, table) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings()]


def as_tuples(table, rows: list[dict], chain_id: int) -> tuple[tuple[str, ...], list[tuple]]:
    columns = ("chain_id", *(c.name for c in table.columns if c.name != "chain_id"))
    return columns, [(chain_id, *(r[c] for c in columns[1:])) for r in rows]


def test_rows_come_back_by_key_as_sqlalchemy_reads_them(engine):
    rows = [attestation(i, AWKWARD[i % len(AWKWARD)] if i % 3 == 0 else None) for i in range(40)]
    with engine.begin() as conn:
        insert_dicts(conn, attestations, rows, {"chain_id": CHAIN})
        insert_dicts(conn, attestations, rows[:5], {"chain_id": OTHER})
    wanted = [(r["uid"],) for r in rows[::2]] + [("0x" + "ff" * 32,)]  # one never stored
    with engine.connect() as conn:
        found = select_by_keys(conn, attestations, ["uid"], CHAIN, wanted)
    assert found == {(r["uid"],): r for r in rows[::2]}
    assert all(type(r["revoked"]) is bool and type(r["amount"]) is int for r in found.values())


def test_composite_and_256_bit_keys_match_whole_keys_only(engine):
    big = 2**255 + 7
    epochs = [vault_epoch(e, funded=e + 1) for e in (0, 1, 2**63, big)]
    balances = [
        {"epoch": e, "account": a, "balance": 10 * e + i}
        for e in range(3)
        for i, a in enumerate(["0x" + "a1" * 20, "0x" + "b2" * 20])
    ]
    with engine.begin() as conn:
        insert_dicts(conn, vault_epochs, epochs, {"chain_id": CHAIN})
        insert_dicts(conn, epoch_point_balances, balances, {"chain_id": CHAIN})
    with engine.connect() as conn:
        by_epoch = select_by_keys(conn, vault_epochs, ["epoch"], CHAIN, [(big,), (2**63,), (3,)])
        # each half of (5, a1) is in some stored key, the whole key in none
        pairs = select_by_keys(
            conn,
            epoch_point_balances,
            ["epoch", "account"],
            CHAIN,
            [(0, "0x" + "b2" * 20), (1, "0x" + "a1" * 20), (5, "0x" + "a1" * 20)],
        )
    assert by_epoch == {(big,): epochs[3], (2**63,): epochs[2]}
    assert pairs == {
        (0, "0x" + "b2" * 20): balances[1],
        (1, "0x" + "a1" * 20): balances[2],
    }


def test_composite_keys_are_searched_in_the_index_not_scanned():
    """A composite key joins a VALUES list: SQLite plans ``(a, b) IN (VALUES ...)`` as a scan of
    every row of the chain, so reading back a range's counters would grow with the table."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE epoch_point_balances (chain_id INTEGER, epoch INTEGER, account TEXT, "
        "balance INTEGER, PRIMARY KEY (chain_id, epoch, account))"
    )
    sql = select_sql(
        epoch_point_balances, ("epoch", "account"), 2, sqlite.dialect(), SQLITE.placeholder
    )
    plan = " ".join(
        row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", [1, 0, "a", 1, "b"])
    )
    assert "SEARCH t USING INDEX" in plan and "(chain_id=? AND epoch=? AND account=?)" in plan


def test_updates_rewrite_stored_rows_whole_and_leave_the_rest(engine):
    rows = [attestation(i) for i in range(30)]
    with engine.begin() as conn:
        insert_dicts(conn, attestations, rows, {"chain_id": CHAIN})
        insert_dicts(conn, attestations, rows[:3], {"chain_id": OTHER})
    changed = [
        {**r, "revoked": True, "revoked_reason": AWKWARD[i % len(AWKWARD)], "amount": 2**256 - 1}
        for i, r in enumerate(rows[:12])
    ]
    with engine.begin() as conn:
        update_tuples(conn, attestations, *as_tuples(attestations, changed, CHAIN))
    stored = {(r["chain_id"], r["uid"]): r for r in everything(engine, attestations)}
    assert len(stored) == 33
    for r in changed:
        assert stored[(CHAIN, r["uid"])] == {**r, "chain_id": CHAIN}
    for r in rows[12:]:
        assert stored[(CHAIN, r["uid"])] == {**r, "chain_id": CHAIN}
    for r in rows[:3]:  # the same keys on another chain
        assert stored[(OTHER, r["uid"])] == {**r, "chain_id": OTHER}


def test_an_update_must_name_every_column(engine):
    columns, tuples = as_tuples(attestations, [attestation(1)], CHAIN)
    with pytest.raises(ValueError, match="revoked_tx"), engine.begin() as conn:
        update_tuples(conn, attestations, columns[:-1], [t[:-1] for t in tuples])


@pytest.mark.slow
@settings(max_examples=examples(25), deadline=None)
@given(
    stored=st.integers(0, 1_500),
    asked=st.sets(st.integers(0, 2_000), max_size=1_200),
    amounts=st.integers(0, 2**256 - 1),
)
def test_any_number_of_keys_reads_and_rewrites_each_row_once(
    sqlite_scratch, stored, asked, amounts
):
    """Keys go in statements of a few hundred: whatever their number, each asked row that
    exists is read once and rewritten once, and no other row changes."""
    keys = key_columns(epoch_point_balances)
    rows = [{"epoch": i % 4, "account": f"0x{i:040x}", "balance": i} for i in range(stored)]
    with sqlite_scratch.connect() as conn:
        transaction = conn.begin()
        insert_dicts(conn, epoch_point_balances, rows, {"chain_id": CHAIN})
        wanted = [(i % 4, f"0x{i:040x}") for i in sorted(asked)]
        found = select_by_keys(conn, epoch_point_balances, keys, CHAIN, wanted)
        assert found == {(r["epoch"], r["account"]): r for r in rows if r["balance"] in asked}
        new = [{**r, "balance": amounts} for r in found.values()]
        update_tuples(conn, epoch_point_balances, *as_tuples(epoch_point_balances, new, CHAIN))
        after = {
            (r.epoch, r.account): r.balance
            for r in conn.execute(select(epoch_point_balances)).all()
        }
        transaction.rollback()
    assert after == {
        (r["epoch"], r["account"]): amounts if r["balance"] in asked else r["balance"] for r in rows
    }
