"""A hostile network between the indexer and the node: the mirror is still exact, and a node
that never recovers ends the indexer with one clear line and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.indexer.compare import assert_mirrors_chain
from tests.indexer.faulty_proxy import FAULTS, FaultyProxy


def test_mirror_is_exact_through_drops_delays_429_5xx_and_cut_bodies(
    planet, database_url, settings_for, make_indexer, rpc_url
):
    planet.random_activity(25)
    with FaultyProxy(rpc_url, fault_rate=0.35, seed=11, range_limit=4, timeout_delay=0.6) as proxy:
        settings = settings_for(
            database_url,
            rpc_url=proxy.url,
            finality=3,
            range_initial=32,
            max_attempts=40,
            request_timeout=0.5,
        )
        indexer, engine = make_indexer(settings)
        indexer.poll()
        planet.random_activity(5)
        indexer.poll()

    assert proxy.faults["range"] > 0
    assert {f for f in FAULTS if proxy.faults[f]} >= {"drop", "429", "5xx", "cut_connection"}
    assert indexer.rpc.retries >= sum(proxy.faults[f] for f in FAULTS) // 2
    assert_mirrors_chain(engine, planet)


def run_indexer(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PLANET_LOG_FORMAT": "json", **env_overrides}
    return subprocess.run(
        [sys.executable, "-m", "indexer", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_node_that_never_recovers_ends_with_one_line_and_exit_1(rpc_url, tmp_path):
    with FaultyProxy(rpc_url, always="5xx") as proxy:
        result = run_indexer(
            {
                "PLANET_INDEXER_RPC_URL": proxy.url,
                "PLANET_INDEXER_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite",
                "PLANET_INDEXER_MAX_ATTEMPTS": "3",
                "PLANET_INDEXER_BACKOFF_BASE": "0.01",
            },
            "--once",
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: RPC http://127.0.0.1:") and "failed 3 times" in last
    assert "HTTP 5" in last


def test_an_unreachable_node_ends_with_one_line_and_exit_1(tmp_path):
    result = run_indexer(
        {
            "PLANET_INDEXER_RPC_URL": "http://127.0.0.1:9",
            "PLANET_INDEXER_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite",
            "PLANET_INDEXER_MAX_ATTEMPTS": "2",
            "PLANET_INDEXER_BACKOFF_BASE": "0.01",
        },
        "--once",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "connection failed" in result.stderr.strip().splitlines()[-1]
