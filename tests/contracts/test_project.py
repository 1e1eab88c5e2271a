"""Every Solidity source under contracts/ is part of the ape project (none silently dropped)."""

from __future__ import annotations

import re
from pathlib import Path

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
DECLARATION = re.compile(r"^(?:abstract\s+)?(?:contract|interface|library)\s+(\w+)", re.M)


def test_every_declared_contract_is_compiled(project):
    declared = {
        name
        for path in CONTRACTS.rglob("*.sol")
        if ".cache" not in path.parts
        for name in DECLARATION.findall(path.read_text())
    }
    compiled = set(project.contracts.keys())
    assert declared - compiled == set()


def test_no_dependency_copy_inflates_the_contracts_folder():
    assert not (CONTRACTS / ".cache").exists()
