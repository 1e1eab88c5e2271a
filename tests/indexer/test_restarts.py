"""Follow mode through the outages an operator actually sees: the chain node killed and started
again from its saved state, and (on PostgreSQL) the database dropping every connection, as a
server restart does. The indexer keeps going, says when it recovers, and ends with exactly the
rows of a clean run over the same chain."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest
import structlog
from sqlalchemy import create_engine, text
from web3 import Web3

from planet.store import make_engine
from tests.indexer.compare import assert_mirrors_chain, table_rows
from tests.support.chains import copy_state, persistent_chain
from tests.support.indexing import running_indexer
from tests.support.ports import free_port
from tests.support.protocol import Planet

pytestmark = [pytest.mark.dialects, pytest.mark.slow]  # anvil processes stopped and restarted


def wait_for(condition, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def drop_connections(database_url: str) -> int:
    """What a PostgreSQL restart does to its clients: every connection to the database ends."""
    url = make_engine(database_url).url
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": url.database},
                ).all()
            )
    finally:
        admin.dispose()


def test_follow_through_a_killed_chain_and_a_dropped_database_equals_a_clean_run(
    backend, new_database, manifest, actors, settings_for, rpc_url, tmp_path: Path
):
    state, port = tmp_path / "state.json", free_port()
    copy_state(rpc_url, state)  # the session's chain, deployment included, on a node we own
    url = f"http://127.0.0.1:{port}"

    # one driver throughout: it remembers what it did, and its URL answers again after a restart
    planet = Planet(Web3(Web3.HTTPProvider(url)), manifest, actors, random.Random(7))
    followed, reference = new_database(backend, migrated=True), new_database(backend, migrated=True)
    settings = settings_for(
        followed, rpc_url=url, max_attempts=2, poll_interval=0.05, outage_backoff_max=0.2
    )
    stop = threading.Event()
    with (
        structlog.testing.capture_logs() as logs,
        running_indexer(settings, manifest) as (
            indexer,
            engine,
        ),
    ):
        follower = threading.Thread(target=indexer.follow, args=(stop,), daemon=True)
        try:
            with persistent_chain(state, port):
                planet.random_activity(8)
                follower.start()
                head = planet.w3.eth.block_number
                wait_for(lambda: indexer.cursor.block_number >= head)
            # the node is gone: the indexer waits it out
            wait_for(lambda: sum(e["event"] == "outage" for e in logs) >= 3)
            assert follower.is_alive()
            with persistent_chain(state, port):
                assert planet.w3.eth.block_number == head  # the same chain, from its state
                planet.random_activity(8)
                head = planet.w3.eth.block_number
                wait_for(lambda: indexer.cursor.block_number >= head)
                if backend == "postgresql":
                    assert drop_connections(followed) >= 1
                    planet.random_activity(8)
                    head = planet.w3.eth.block_number
                    wait_for(lambda: indexer.cursor.block_number >= head)
                stop.set()
                follower.join(30)
                assert not follower.is_alive()
                assert_mirrors_chain(engine, planet)
                clean_settings = settings_for(reference, rpc_url=url)
                with running_indexer(clean_settings, manifest) as (clean, clean_engine):
                    clean.catch_up()
                    assert table_rows(engine) == table_rows(clean_engine)
        finally:
            stop.set()
    outages = [e for e in logs if e["event"] == "outage"]
    expected = {"chain", "database"} if backend == "postgresql" else {"chain"}
    assert {e["source"] for e in outages} == expected
    assert any(e["event"] == "recovered" for e in logs)
