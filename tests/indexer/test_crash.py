"""SIGKILL in the middle of a backfill, then a restart: the database ends exactly as an
uninterrupted run's (nothing lost, nothing doubled)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from planet.store import make_engine
from planet.store.mirror import cursors
from tests.indexer.compare import assert_mirrors_chain, table_rows

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects


def _env(rpc_url: str, manifest_file, database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PLANET_LOG_FORMAT": "json",
        "PLANET_INDEXER_RPC_URL": rpc_url,
        "PLANET_INDEXER_MANIFEST": str(manifest_file),
        "PLANET_INDEXER_DATABASE_URL": database_url,
        "PLANET_INDEXER_FINALITY": "0",
        **extra,
    }


def _cursor(engine) -> int | None:
    try:
        with engine.connect() as conn:
            return conn.execute(select(cursors.c.block_number)).scalar()
    except Exception:  # tables not created yet
        return None


@pytest.mark.slow  # indexer processes killed and restarted
def test_sigkill_mid_backfill_then_restart_equals_an_uninterrupted_run(
    planet, backend, new_database, manifest, manifest_file, rpc_url
):
    planet.random_activity(70)
    head = planet.w3.eth.block_number
    start = manifest.start_block
    interrupted, reference = (
        new_database(backend, migrated=True),
        new_database(backend, migrated=True),
    )
    # one or two blocks per commit, about 20 requests/s: dozens of commits over a few seconds
    slow = _env(
        rpc_url,
        manifest_file,
        interrupted,
        PLANET_INDEXER_RANGE_INITIAL="1",
        PLANET_INDEXER_RANGE_MIN="1",
        PLANET_INDEXER_RANGE_MAX="2",
        PLANET_INDEXER_RATE_LIMIT="20",
    )
    engine = make_engine(interrupted)
    kills = 0
    for fraction in (0.3, 0.6):
        target = start + int((head - start) * fraction)
        proc = subprocess.Popen(
            [sys.executable, "-m", "indexer", "--once", "--no-progress"],
            env=slow,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            position = _cursor(engine)
            if position is not None and position >= target:
                proc.send_signal(signal.SIGKILL)
                kills += 1
                break
            time.sleep(0.02)
        proc.wait(timeout=30)
    assert kills == 2, "the backfill finished before it could be killed: make it slower"
    assert start <= _cursor(engine) < head

    finish = subprocess.run(
        [sys.executable, "-m", "indexer", "--once", "--no-progress"],
        env=slow,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finish.returncode == 0, finish.stderr
    whole = subprocess.run(
        [sys.executable, "-m", "indexer", "--once", "--no-progress"],
        env=_env(rpc_url, manifest_file, reference),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert whole.returncode == 0, whole.stderr

    reference_engine = make_engine(reference)
    try:
        rows = table_rows(engine)
        assert len(rows["events"]) >= 200
        assert rows == table_rows(reference_engine)
        assert_mirrors_chain(engine, planet)
    finally:
        engine.dispose()
        reference_engine.dispose()
