"""`planet epoch verify --rpc` against a vault deployed on the test chain."""

from __future__ import annotations

from fractions import Fraction

import pytest
from click.testing import CliRunner

from planet.commands.main import main
from planet.rewards.distribution import build_distribution, digest_inputs, file_hash

POOL = 10**18 + 7


@pytest.fixture
def deployed(project, manifest, manifest_file, accounts):
    """The session's deployment (epoch 0 has ended) with epoch 0 funded."""
    vault = project.PrizeVault.at(manifest.contracts["PrizeVault"].address)
    vault.fund(0, POOL, value=POOL, sender=accounts[1])
    return manifest, vault, manifest_file


def _file(manifest, accounts, path):
    dist = build_distribution(
        chain_id=manifest.chain_id,
        vault=manifest.contracts["PrizeVault"].address,
        epoch=0,
        pool=POOL,
        scores={str(a.address): i + 1 for i, a in enumerate(accounts[2:6])},
        formula_name="planet-weekly",
        formula_version="1",
        weights={"post": 1},
        inputs_digest=digest_inputs([]),
        trade_exchanges=["okx"],
        cap_share=Fraction(1, 3),
    )
    dist.write(path)
    return dist


def _verify(chain, manifest_file, path):
    args = ["epoch", "verify", str(path), "--rpc", chain.provider.uri]
    return CliRunner().invoke(main, [*args, "--manifest", str(manifest_file)])


def test_matches_the_proposal(deployed, chain, accounts, tmp_path):
    manifest, vault, manifest_file = deployed
    path = tmp_path / "epoch-0.json"
    dist = _file(manifest, accounts, path)
    root = bytes.fromhex(dist.root[2:])
    digest = bytes.fromhex(file_hash(path)[2:])
    vault.proposeRoot(0, root, dist.total, "ipfs://x", digest, sender=accounts[0])

    result = _verify(chain, manifest_file, path)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK ") and "matches vault" in result.output


def test_other_file_hash_on_chain_fails(deployed, chain, accounts, tmp_path):
    manifest, vault, manifest_file = deployed
    path = tmp_path / "epoch-0.json"
    dist = _file(manifest, accounts, path)
    root = bytes.fromhex(dist.root[2:])
    vault.proposeRoot(0, root, dist.total, "ipfs://x", b"\x01" * 32, sender=accounts[0])

    result = _verify(chain, manifest_file, path)
    assert result.exit_code == 1
    assert "fileHash on chain 0x0101" in result.output
    assert "root on chain" not in result.output


def test_no_proposal_fails_on_root(deployed, chain, accounts, tmp_path):
    manifest, _, manifest_file = deployed
    path = tmp_path / "epoch-0.json"
    _file(manifest, accounts, path)
    result = _verify(chain, manifest_file, path)
    assert result.exit_code == 1
    assert "root on chain 0x" + "00" * 32 in result.output
