"""The hot-path inserts store exactly what SQLAlchemy would: awkward text, NULL versus empty,
JSON, booleans and integers beyond 64 bits, on both backends."""

from __future__ import annotations

import sqlite3

import psycopg2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from indexer.bulk import BackgroundInsert, insert_dicts, insert_tuples, tuple_writer
from indexer.decode import EVENT_COLUMNS
from planet.store.mirror import attestations, events
from tests.support.profiles import examples
from tests.support.rows import attestation, event_row

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects

AWKWARD = ["", "tab\there", "new\nline", "back\\slash \\N", "cr\rlf\r\n", "ünïcødé ✓", "'\"quotes"]


def test_awkward_text_nulls_and_big_numbers_round_trip(engine):
    rows = [attestation(i, text if i % 3 else None) for i, text in enumerate(AWKWARD)]
    with engine.begin() as conn:
        insert_dicts(conn, attestations, rows, {"chain_id": 9})
    with engine.connect() as conn:
        query = select(attestations).order_by(attestations.c.log_index)
        stored = [dict(r) for r in conn.execute(query).mappings()]
    assert stored == [{**r, "chain_id": 9} for r in rows]


def test_json_arguments_given_as_text_or_objects(engine):
    args = {"reason": "a\tb\nc\\d", "n": 2**200, "flag": True, "list": [1, "x"]}
    columns = ("chain_id", "block_number", "log_index", "block_hash", "tx_hash", "tx_index")
    base = (1, 5, 0, "0x" + "11" * 32, "0x" + "22" * 32, 0)
    tail = ("0x" + "33" * 20, "C", "E")
    import msgspec

    with engine.begin() as conn:
        insert_tuples(
            conn,
            events,
            (*columns, "address", "contract", "event", "args"),
            [(*base, *tail, msgspec.json.encode(args).decode())],
            convert=False,
        )
        insert_tuples(
            conn,
            events,
            (*columns, "address", "contract", "event", "args"),
            [(1, 5, 1, *base[3:], *tail, args)],
        )
    with engine.connect() as conn:
        stored = conn.execute(select(events.c.args).order_by(events.c.log_index)).scalars().all()
    assert stored == [args, args]


def test_background_insert_lands_in_the_callers_transaction(engine):
    rows = [event_row(i) for i in range(5000)]
    with engine.connect() as conn:
        transaction = conn.begin()
        with BackgroundInsert(conn, tuple_writer(conn, events, EVENT_COLUMNS, rows, False)) as bg:
            bg.wait()
            # the caller's connection sees the rows at once: same transaction
            assert conn.execute(select(func.count()).select_from(events)).scalar() == 5000
        transaction.rollback()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar() == 0


def test_background_insert_error_reaches_the_caller_and_nothing_is_kept(engine):
    rows = [event_row(i) for i in range(100)] + [event_row(3)]  # a duplicate key
    with pytest.raises((sqlite3.IntegrityError, psycopg2.IntegrityError)), engine.begin() as conn:
        with BackgroundInsert(conn, tuple_writer(conn, events, EVENT_COLUMNS, rows, False)):
            pass  # leaving the block waits and raises the insert's error
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar() == 0


def test_a_failing_caller_still_waits_for_the_insert_before_rolling_back(engine):
    rows = [event_row(i) for i in range(20000)]
    with pytest.raises(RuntimeError, match="handler failed"), engine.begin() as conn:
        with BackgroundInsert(conn, tuple_writer(conn, events, EVENT_COLUMNS, rows, False)):
            raise RuntimeError("handler failed")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar() == 0


@pytest.mark.slow
@settings(max_examples=examples(30), deadline=None)
@given(count=st.integers(0, 2_600), block=st.integers(0, 2**62))
def test_sqlite_multirow_statements_store_every_row_once_in_order(sqlite_scratch, count, block):
    """SQLite gets hundreds of rows per statement: whatever the count, with or without a
    remainder after the last full statement, each row lands once, exactly as given."""
    rows = [event_row(i, block) for i in range(count)]
    with sqlite_scratch.connect() as conn:
        transaction = conn.begin()
        insert_tuples(conn, events, EVENT_COLUMNS, rows, convert=False)
        stored = conn.exec_driver_sql(
            f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY log_index"
        ).all()
        transaction.rollback()
    assert [tuple(r) for r in stored] == rows


def test_sqlite_refuses_integers_beyond_64_bits_outside_uint256_columns(sqlite_scratch):
    rows = [event_row(i) for i in range(1_000)] + [event_row(1_000, 2**63)]
    with pytest.raises(OverflowError), sqlite_scratch.begin() as conn:
        insert_tuples(conn, events, EVENT_COLUMNS, rows, convert=False)
    with sqlite_scratch.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar() == 0
