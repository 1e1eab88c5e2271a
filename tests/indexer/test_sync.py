"""Backfill and follow against a real anvil: the mirror equals what the contracts answer."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import func, select

from indexer.errors import ChainMismatchError, DatabaseStateError
from planet.store.mirror import events
from tests.indexer.compare import assert_mirrors_chain, table_rows

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects


def test_backfill_mirrors_random_activity(planet, database_url, settings_for, make_indexer):
    planet.random_activity(40)
    indexer, engine = make_indexer(settings_for(database_url, range_initial=4, range_min=1))

    switch_interval = sys.getswitchinterval()

    result = indexer.catch_up()

    assert result.events > 100
    assert_mirrors_chain(engine, planet)
    # the backfill's shorter GIL switch interval does not outlive it
    assert sys.getswitchinterval() == switch_interval


def test_a_failing_backfill_restores_the_switch_interval_too(
    planet, database_url, settings_for, make_indexer
):
    planet.random_activity(10)
    indexer, _ = make_indexer(settings_for(database_url, range_initial=2, range_min=1))
    switch_interval = sys.getswitchinterval()
    during: list[float] = []
    commit = indexer.writer.commit

    def fail_the_second_range(*args, **kwargs):
        during.append(sys.getswitchinterval())
        if len(during) == 2:
            raise RuntimeError("write failed")
        return commit(*args, **kwargs)

    indexer.writer.commit = fail_the_second_range
    with pytest.raises(RuntimeError, match="write failed"):
        indexer.catch_up()

    assert during and all(interval < switch_interval for interval in during)
    assert sys.getswitchinterval() == switch_interval


def test_follow_picks_up_new_blocks_and_a_rerun_adds_nothing(
    planet, database_url, settings_for, make_indexer
):
    planet.random_activity(10)
    indexer, engine = make_indexer(settings_for(database_url, finality=3))
    indexer.poll()
    planet.random_activity(10)
    indexer.poll()
    assert_mirrors_chain(engine, planet)

    before = table_rows(engine)
    again, _ = make_indexer(settings_for(database_url, finality=3))
    assert again.catch_up().events == 0
    assert again.poll().events == 0
    assert table_rows(engine) == before


def test_once_stops_at_the_confirmation_depth(planet, database_url, settings_for, make_indexer):
    planet.random_activity(6)
    indexer, engine = make_indexer(settings_for(database_url, finality=4))
    indexer.catch_up()
    head = planet.w3.eth.block_number
    assert indexer.cursor.block_number == head - 4
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(events.c.block_number))).scalar()
    assert newest <= head - 4


def test_safe_tag_is_honoured(planet, database_url, settings_for, make_indexer):
    planet.random_activity(3)
    planet.w3.provider.make_request("anvil_mine", [40])
    indexer, _ = make_indexer(settings_for(database_url, finality="safe"))
    indexer.catch_up()
    assert indexer.cursor.block_number == planet.w3.eth.get_block("safe").number


def test_a_second_writer_on_the_same_database_is_refused(
    planet, database_url, settings_for, make_indexer
):
    planet.random_activity(4)
    first, _ = make_indexer(settings_for(database_url))
    second, _ = make_indexer(settings_for(database_url))
    first.prepare()
    second.prepare()
    first.catch_up()
    planet.random_activity(1)
    stale = second.reader.read(second.cursor.block_number + 1, planet.w3.eth.block_number)
    with pytest.raises(DatabaseStateError, match="another indexer"):
        second.writer.commit(stale, journal=False)


def test_a_manifest_from_another_chain_history_is_refused(
    planet, database_url, settings_for, make_indexer, manifest
):
    manifest.contracts["Identity"].block_hash = "0x" + "00" * 32
    indexer, _ = make_indexer(settings_for(database_url))
    with pytest.raises(ChainMismatchError, match="another chain history"):
        indexer.prepare()


def test_a_database_indexed_from_other_contracts_is_refused(
    planet, database_url, settings_for, make_indexer, manifest
):
    indexer, _ = make_indexer(settings_for(database_url))
    indexer.catch_up()
    manifest.contracts.pop("ContributionPoints")
    other, _ = make_indexer(settings_for(database_url))
    with pytest.raises(ChainMismatchError, match="ContributionPoints"):
        other.prepare()
