"""Gas per operation stays where the committed snapshot says (gas is deterministic; time is not
measured here). After an intended change, refresh it with `make gas ARGS=--write`."""

from __future__ import annotations

import json
from pathlib import Path

import ape
import pytest

from benchmarks.gas import measures

SNAPSHOT = json.loads((Path(__file__).resolve().parents[2] / "gas-snapshot.json").read_text())
TOLERANCE = 0.01  # signatures and deadlines change a few calldata bytes between runs


@pytest.mark.parametrize("module", sorted(measures()))
def test_gas_matches_snapshot(module, project, chain):
    # the same account manager `ape run gas_report` hands to measure()
    figures = measures()[module](project, ape.accounts, chain)
    assert figures, f"{module} measured nothing"
    for key, value in figures.items():
        assert key in SNAPSHOT, f"{key} is not in gas-snapshot.json: run `make gas ARGS=--write`"
        assert abs(value - SNAPSHOT[key]) <= TOLERANCE * SNAPSHOT[key], (key, value, SNAPSHOT[key])
