"""The indexer benchmark runs end to end at a small size and ends with its fixed line; the
figures themselves are the benchmark's business, not a test's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(
    r"indexer: ceiling_eps=(\d+) naive_eps=(\d+) sqlite_eps=(\d+) postgres_eps=(\d+) "
    r"vs_ceiling=(\d+\.\d\d) vs_naive=(\d+\.\d\d)"
)


@pytest.mark.slow
def test_a_small_run_measures_every_contender_on_the_same_events():
    result = subprocess.run(
        [sys.executable, "benchmarks/indexer_throughput.py", "--attestations", "400",
         "--identities", "8", "--batch", "50", "--rounds", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    *_, last = result.stdout.strip().splitlines()
    found = LINE.fullmatch(last)
    assert found, last
    assert all(int(rate) > 0 for rate in found.groups()[:4])
    # every contender read the same events, every round
    counts = {int(n) for n in re.findall(r"^\w+ +(\d+) events in", result.stderr, re.M)}
    assert len(counts) == 1, result.stderr
    assert result.stderr.count("ceiling ") == 2 and result.stderr.count("sqlite ") == 2
