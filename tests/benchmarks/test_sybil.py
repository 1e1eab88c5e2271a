"""The sybil benchmark runs end to end at a small size: every strategy present, its table and
its fixed last line; the figures at full size are the benchmark's business."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"sybil: farm_share=(\d\.\d{4}) honest_spearman=(-?\d\.\d{4}) strategies=(\d)")


@pytest.mark.slow
def test_a_small_week_prints_every_strategy_and_the_line():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.sybil", "--users", "150", "--creators", "15"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    found = LINE.fullmatch(lines[-1])
    assert found, lines[-1]
    assert found.group(3) == "6"
    table = {line.split()[0]: line.split() for line in lines if line[:1].isalpha()}
    for group in ("honest", "creator", "spam", "self", "ring", "ring_bought", "wash", "mimic"):
        assert group in table, result.stdout
    # the API refused the self-interacting farm's own content by its reason code
    assert "own_content=" in " ".join(table["self"])
    assert 0 <= float(found.group(1)) <= 1
