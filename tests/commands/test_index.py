"""``planet index`` (and ``python -m indexer``) as an operator uses it: help, its own options,
one-line errors, --once, follow and Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from planet.commands.index import cli
from planet.commands.main import main as planet_main
from planet.store import MIRROR, make_engine, schema_is_current
from planet.store.mirror import cursors
from tests.indexer.compare import assert_mirrors_chain

PLANET = str(Path(sys.executable).with_name("planet"))


def run(*args: str, env: dict[str, str] | None = None, timeout: int = 120):
    return subprocess.run(
        [sys.executable, "-m", "indexer", *args],
        env={**os.environ, "PLANET_LOG_FORMAT": "json", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_lists_modes_and_settings():
    result = run("--help")
    assert result.returncode == 0
    for word in ("--once", "migrate", "--finality", "--database-url", "--rpc-url", "--config"):
        assert word in result.stdout


def test_planet_index_uses_its_own_options(planet, rpc_url, manifest_file, tmp_path):
    """Under the ``planet`` group the indexer's options are its own: the URLs given win over
    the environment's (they were once read from the root group and silently ignored)."""
    planet.random_activity(3)
    url = f"sqlite:///{tmp_path}/given.sqlite"
    wrong = {
        "PLANET_INDEXER_RPC_URL": "http://127.0.0.1:1",
        "PLANET_INDEXER_DATABASE_URL": f"sqlite:///{tmp_path}/wrong.sqlite",
        "PLANET_INDEXER_FINALITY": "0",
        "PLANET_LOG_FORMAT": "json",
    }
    options = ["--rpc-url", rpc_url, "--database-url", url, "--manifest", str(manifest_file)]
    done = subprocess.run(
        [PLANET, "index", *options, "--once", "--no-progress"],
        env={**os.environ, **wrong},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"to block {planet.w3.eth.block_number}" in done.stdout
    assert not (tmp_path / "wrong.sqlite").exists()
    engine = make_engine(url)
    try:
        assert_mirrors_chain(engine, planet)
    finally:
        engine.dispose()


def test_planet_index_is_the_indexer_command():
    result = CliRunner().invoke(planet_main, ["index", "--help"])
    assert result.exit_code == 0
    assert "--once" in result.output


def test_migrate_creates_the_schema(tmp_path):
    url = f"sqlite:///{tmp_path}/m.sqlite"
    result = CliRunner().invoke(cli, ["--database-url", url, "migrate"])
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    assert schema_is_current(engine, MIRROR)
    engine.dispose()


def test_bad_settings_end_with_one_line_naming_the_key():
    result = run("--once", env={"PLANET_INDEXER_FINALITY": "soon"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "PLANET_INDEXER_FINALITY" in line


def test_manifest_for_another_chain_is_refused(rpc_url, manifest_file, tmp_path):
    other = json.loads(manifest_file.read_text())
    other["chain_id"] = 196
    path = tmp_path / "196.json"
    path.write_text(json.dumps(other))
    result = run(
        "--once",
        "--rpc-url",
        rpc_url,
        "--manifest",
        str(path),
        "--database-url",
        f"sqlite:///{tmp_path}/x.sqlite",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "is for chain 196" in result.stderr and "serves chain 31337" in result.stderr


def test_missing_manifest_says_to_deploy(rpc_url, tmp_path):
    env = {"PLANET_INDEXER_MANIFEST_DIR": str(tmp_path)}
    result = run("--once", "--rpc-url", rpc_url, env=env)
    assert result.returncode == 1
    assert "no deployment manifest for chain 31337" in result.stderr


def test_unusable_database_url_is_one_line(rpc_url, manifest_file):
    result = run(
        "--once",
        "--rpc-url",
        rpc_url,
        "--manifest",
        str(manifest_file),
        "--database-url",
        "postgresql://postgres@127.0.0.1:5432/planet_no_such_database",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "planet_no_such_database" in result.stderr.strip().splitlines()[-1]


def test_once_then_follow_until_ctrl_c(planet, rpc_url, manifest_file, empty_database_url):
    database_url = empty_database_url  # the indexer migrates it on start
    planet.random_activity(10)
    env = {
        "PLANET_INDEXER_RPC_URL": rpc_url,
        "PLANET_INDEXER_MANIFEST": str(manifest_file),
        "PLANET_INDEXER_DATABASE_URL": database_url,
        "PLANET_INDEXER_FINALITY": "2",
        "PLANET_INDEXER_POLL_INTERVAL": "0.1",
    }
    once = run("--once", env=env)
    assert once.returncode == 0, once.stderr
    head = planet.w3.eth.block_number
    assert f"to block {head - 2}" in once.stdout
    assert "blk" not in once.stderr  # no tqdm bar where no terminal shows it

    follower = subprocess.Popen(
        [sys.executable, "-m", "indexer"],
        env={**os.environ, "PLANET_LOG_FORMAT": "json", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    engine = make_engine(database_url)
    try:
        planet.random_activity(3)
        head = planet.w3.eth.block_number
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if conn.execute(select(cursors.c.block_number)).scalar() == head:
                    break
            time.sleep(0.1)
        follower.send_signal(signal.SIGINT)
        _, stderr = follower.communicate(timeout=30)
        assert follower.returncode == 0, stderr
        assert "Traceback" not in stderr
        assert '"stopped"' in stderr
        assert_mirrors_chain(engine, planet)
    finally:
        if follower.poll() is None:
            follower.kill()
        engine.dispose()


def test_json_logs_stay_json_with_the_progress_bar_on(planet, rpc_url, manifest_file, tmp_path):
    """Logs written to a file (no terminal) carry no progress bar: every line parses as JSON.
    The bar's carriage returns once went into the log file and broke PLANET_LOG_FORMAT=json."""
    planet.random_activity(3)
    options = [
        "--rpc-url",
        rpc_url,
        "--database-url",
        f"sqlite:///{tmp_path}/p.sqlite",
        "--manifest",
        str(manifest_file),
    ]
    env = {**os.environ, "PLANET_LOG_FORMAT": "json", "PLANET_INDEXER_FINALITY": "0"}
    done = subprocess.run(
        [PLANET, "index", *options, "--once"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines and "\r" not in done.stderr
    for line in lines:
        assert isinstance(json.loads(line), dict), line
