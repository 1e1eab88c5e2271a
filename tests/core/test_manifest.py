"""Manifests are written whole and read back with errors that name the problem."""

from __future__ import annotations

import json

import pytest

from planet.core.manifest import (
    DeployedContract,
    Manifest,
    ManifestError,
    load,
    load_for_chain,
    manifest_path,
    save,
)


def _manifest(chain_id: int = 31337) -> Manifest:
    record = DeployedContract(
        address="0x" + "11" * 20,
        block_number=5,
        block_hash="0x" + "22" * 32,
        tx_hash="0x" + "33" * 32,
        constructor_args=["0x" + "44" * 20, 7],
        abi=[{"type": "function", "name": "f"}],
    )
    other = record.model_copy(update={"block_number": 3})
    return Manifest(
        chain_id=chain_id,
        network="ethereum:local",
        deployer="0x" + "55" * 20,
        genesis=100,
        roles={"admin": "0x" + "55" * 20},
        contracts={"Identity": record, "ContributionPoints": other},
    )


def test_round_trip(tmp_path):
    m = _manifest()
    path = save(m, tmp_path)
    assert path == manifest_path(31337, tmp_path)
    assert load(path) == m
    assert load_for_chain(31337, tmp_path) == m
    assert m.start_block == 3
    assert not list(tmp_path.glob(".*.tmp"))


def test_absent_chain_has_no_manifest(tmp_path):
    assert load_for_chain(1952, tmp_path) is None


def test_missing_file_says_to_deploy(tmp_path):
    with pytest.raises(ManifestError, match="deploy first"):
        load(tmp_path / "1.json")


@pytest.mark.parametrize("content", ["{not json", json.dumps({"chain_id": 0}), "[]"])
def test_invalid_manifest_is_rejected_with_its_path(tmp_path, content):
    path = tmp_path / "31337.json"
    path.write_text(content)
    with pytest.raises(ManifestError, match=r"31337\.json"):
        load(path)


def test_manifest_of_another_chain_under_this_name_is_rejected(tmp_path):
    path = save(_manifest(196), tmp_path)
    path.rename(tmp_path / "1952.json")
    with pytest.raises(ManifestError, match="describes chain 196"):
        load_for_chain(1952, tmp_path)


def test_unknown_contract_names_what_is_there():
    with pytest.raises(ManifestError, match=r"has: ContributionPoints, Identity\)"):
        _manifest().contract("PrizeVault")
