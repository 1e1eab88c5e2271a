"""Migrating from the command line: ``planet migrate`` creates both table sets, and every
migrate command meets a dead database with one ``Error:`` line and exit status 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from planet.store import ALL, make_engine, schema_is_current
from tests.support.api import SECRET

DEAD = "postgresql://nobody@127.0.0.1:1/x"
PLANET = str(Path(sys.executable).with_name("planet"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=120
    )


def test_planet_migrate_creates_every_table(tmp_path):
    url = f"sqlite:///{tmp_path}/fresh.sqlite"
    done = run(PLANET, "migrate", "--database-url", url)
    assert done.returncode == 0, done.stderr
    engine = make_engine(url)
    try:
        assert all(schema_is_current(engine, schema) for schema in ALL)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "api", "migrate"],
        [sys.executable, "-m", "indexer", "--database-url", DEAD, "migrate"],
        [PLANET, "serve", "migrate"],
        [PLANET, "index", "--database-url", DEAD, "migrate"],
        [PLANET, "migrate", "--database-url", DEAD],
    ],
    ids=["python -m api", "python -m indexer", "planet serve", "planet index", "planet"],
)
def test_migrating_a_dead_database_is_one_error_line(command):
    env = {"PLANET_API_DATABASE_URL": DEAD, "PLANET_API_SESSION_SECRET": SECRET}
    failed = run(*command, env=env)
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    [line] = failed.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "127.0.0.1" in line
