"""Deployment: roles wired, manifest written, reuse on a second run, redeploy when stale."""

from __future__ import annotations

import pytest

from planet.deploy import DeployError, deploy_all
from planet.deploy_config import NetworkSettings
from planet.manifest import load_for_chain, save


@pytest.fixture
def run(project, chain, admin, tmp_path):
    def _run(settings: NetworkSettings | None = None, redeploy: bool = False):
        return deploy_all(
            project,
            chain,
            admin,
            "ethereum:local",
            settings or NetworkSettings(),
            tmp_path,
            redeploy,
        )

    return _run


def test_deploys_both_contracts_with_roles_and_writes_the_manifest(
    run, project, chain, admin, attester, verifier, risk, tmp_path
):
    settings = NetworkSettings(
        attester=attester.address, verifier=verifier.address, risk=risk.address
    )
    manifest, fresh = run(settings)

    assert fresh == ["Identity", "ContributionPoints"]
    assert load_for_chain(chain.chain_id, tmp_path) == manifest
    identity = project.Identity.at(manifest.contract("Identity").address)
    points = project.ContributionPoints.at(manifest.contract("ContributionPoints").address)
    assert identity.hasRole(identity.DEFAULT_ADMIN_ROLE(), admin)
    assert identity.hasRole(identity.VERIFIER_ROLE(), verifier)
    assert points.hasRole(points.ATTESTER_ROLE(), attester)
    assert points.hasRole(points.RISK_ROLE(), risk)
    assert not points.hasRole(points.ATTESTER_ROLE(), admin)
    assert points.IDENTITY() == identity.address
    assert points.GENESIS() == manifest.genesis
    record = manifest.contract("Identity")
    assert chain.blocks[record.block_number].hash.hex().removeprefix("0x") in record.block_hash
    assert any(item.get("name") == "registerFor" for item in record.abi)


def test_second_run_reuses_what_is_deployed(run):
    first, _ = run()
    second, fresh = run()
    assert fresh == []
    assert second.contracts == first.contracts


def test_redeploy_flag_deploys_afresh(run):
    first, _ = run()
    second, fresh = run(redeploy=True)
    assert fresh == ["Identity", "ContributionPoints"]
    assert second.contract("Identity").address != first.contract("Identity").address


def test_changed_role_redeploys_that_contract_only(run, risk):
    first, _ = run()
    second, fresh = run(NetworkSettings(risk=risk.address))
    assert fresh == ["ContributionPoints"]
    assert second.contract("Identity") == first.contract("Identity")


def test_redeployed_dependency_redeploys_its_dependents(run, verifier):
    _, _ = run()
    _, fresh = run(NetworkSettings(verifier=verifier.address))
    assert fresh == ["Identity", "ContributionPoints"]


def test_manifest_from_another_chain_history_is_not_trusted(run, tmp_path):
    """A restarted anvil reuses addresses; the recorded block hash tells the histories apart."""
    first, _ = run()
    stale = first.model_copy(deep=True)
    stale.contracts["Identity"].block_hash = "0x" + "00" * 32
    save(stale, tmp_path)
    _, fresh = run()
    assert fresh == ["Identity", "ContributionPoints"]


def test_genesis_is_kept_across_runs_and_may_be_chosen(run, chain):
    first, _ = run()
    chosen = first.genesis - 7 * 24 * 3600
    second, fresh = run(NetworkSettings(genesis=chosen))
    assert second.genesis == chosen
    assert fresh == ["ContributionPoints"]


def test_future_genesis_is_refused_before_any_transaction(run, chain, tmp_path):
    with pytest.raises(DeployError, match="genesis"):
        run(NetworkSettings(genesis=chain.blocks.head.timestamp + 10**6))
    assert load_for_chain(chain.chain_id, tmp_path) is None
