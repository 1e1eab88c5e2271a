"""Deployment: roles wired, manifest written, reuse on a second run, redeploy when stale."""

from __future__ import annotations

import pytest
from eth_account import Account

from planet.chain.deploy import DeployError, deploy_all, deploy_transactor
from planet.chain.deploy_config import NetworkSettings
from planet.chain.wallets import KeyWallet
from planet.core.manifest import load_for_chain, save


@pytest.fixture
def deployer(project, chain, admin):
    """The admin's key as a wallet of the shared wallet layer, sending through the Transactor
    every `planet` command uses."""
    wallet = KeyWallet(Account.from_key(admin.private_key))
    return deploy_transactor(project, chain.provider.web3, wallet, chain.chain_id)


@pytest.fixture
def run(project, chain, deployer, tmp_path):
    def _run(settings: NetworkSettings | None = None, redeploy: bool = False):
        return deploy_all(
            project,
            chain,
            deployer,
            "ethereum:local",
            settings or NetworkSettings(),
            tmp_path,
            redeploy,
        )

    return _run


ALL = ["Identity", "ContributionPoints", "CommunityPass", "PrizeVault"]


def test_deploys_every_contract_with_roles_and_writes_the_manifest(
    run, project, chain, admin, attester, verifier, risk, alice, bob, carol, tmp_path
):
    settings = NetworkSettings(
        attester=attester.address,
        verifier=verifier.address,
        risk=risk.address,
        distributor=alice.address,
        guardian=bob.address,
        treasury=carol.address,
        platform_fee_bps=300,
        challenge_period=3600,
        claim_window_weeks=4,
    )
    manifest, fresh = run(settings)

    assert fresh == ALL
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
    passes = project.CommunityPass.at(manifest.contract("CommunityPass").address)
    assert passes.IDENTITY() == identity.address
    assert (passes.treasury(), passes.platformFeeBps()) == (carol, 300)
    assert passes.hasRole(passes.DEFAULT_ADMIN_ROLE(), admin)
    vault = project.PrizeVault.at(manifest.contract("PrizeVault").address)
    assert vault.GENESIS() == manifest.genesis
    assert vault.EPOCH_SOURCE() == points.address
    assert vault.ASSET() == "0x" + "00" * 20
    assert (vault.CHALLENGE_PERIOD(), vault.CLAIM_WINDOW()) == (3600, 4 * 7 * 24 * 3600)
    assert vault.hasRole(vault.DISTRIBUTOR_ROLE(), alice)
    assert vault.hasRole(vault.GUARDIAN_ROLE(), bob)
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
    assert fresh == ALL
    assert second.contract("Identity").address != first.contract("Identity").address


def test_changed_role_redeploys_that_contract_and_its_dependents(run, risk):
    first, _ = run()
    second, fresh = run(NetworkSettings(risk=risk.address))
    # the vault reads its weeks from points; a pass's requirements count its points (v2)
    assert fresh == ["ContributionPoints", "CommunityPass", "PrizeVault"]
    assert second.contract("Identity") == first.contract("Identity")


def test_the_manifest_records_the_protocol_version(run):
    manifest, _ = run()
    assert manifest.version == 2


def test_changed_fee_redeploys_the_pass_contract_only(run):
    _, _ = run()
    _, fresh = run(NetworkSettings(platform_fee_bps=100))
    assert fresh == ["CommunityPass"]


def test_redeployed_dependency_redeploys_its_dependents(run, verifier):
    _, _ = run()
    _, fresh = run(NetworkSettings(verifier=verifier.address))
    assert fresh == ALL


def test_manifest_from_another_chain_history_is_not_trusted(run, tmp_path):
    """A restarted anvil reuses addresses; the recorded block hash tells the histories apart."""
    first, _ = run()
    stale = first.model_copy(deep=True)
    stale.contracts["Identity"].block_hash = "0x" + "00" * 32
    save(stale, tmp_path)
    _, fresh = run()
    assert fresh == ALL


def test_genesis_is_kept_across_runs_and_may_be_chosen(run, chain):
    first, _ = run()
    chosen = first.genesis - 7 * 24 * 3600
    second, fresh = run(NetworkSettings(genesis=chosen))
    assert second.genesis == chosen
    assert fresh == ["ContributionPoints", "CommunityPass", "PrizeVault"]


def test_future_genesis_is_refused_before_any_transaction(run, chain, tmp_path):
    with pytest.raises(DeployError, match="genesis"):
        run(NetworkSettings(genesis=chain.blocks.head.timestamp + 10**6))
    assert load_for_chain(chain.chain_id, tmp_path) is None


def test_the_plan_predicts_addresses_and_gas_and_sends_nothing(
    project, chain, admin, deployer, tmp_path
):
    from planet.chain.deploy import plan_deployment

    nonce = admin.nonce
    plan = plan_deployment(project, chain, admin, "ethereum:local", NetworkSettings(), tmp_path)
    assert admin.nonce == nonce and load_for_chain(chain.chain_id, tmp_path) is None
    assert [p.name for p in plan.to_deploy] == ALL
    assert all(p.gas and p.gas > 100_000 for p in plan.steps)  # the vault's constructor too
    assert plan.estimated_cost == sum(p.gas for p in plan.steps) * plan.gas_price
    manifest, _ = deploy_all(
        project, chain, deployer, "ethereum:local", NetworkSettings(), tmp_path
    )
    assert [manifest.contracts[p.name].address for p in plan.steps] == [
        p.address for p in plan.steps
    ]


def test_a_live_network_refuses_a_hot_attester_holding_guarded_roles(
    project, chain, deployer, tmp_path
):
    """Every role defaults to the deployer: on a live network the API's hot attester key would
    also be admin, distributor and guardian, and the treasury the deployer."""
    with pytest.raises(DeployError) as refused:
        deploy_all(project, chain, deployer, "ethereum:x", NetworkSettings(), tmp_path, live=True)
    message = str(refused.value)
    for problem in ("also admin", "also distributor", "also guardian", "treasury is the deployer"):
        assert problem in message
    assert "--allow-shared-roles" in message
    assert load_for_chain(chain.chain_id, tmp_path) is None
    _manifest, fresh = deploy_all(
        project,
        chain,
        deployer,
        "ethereum:x",
        NetworkSettings(),
        tmp_path,
        live=True,
        allow_shared_roles=True,
    )
    assert fresh == ALL


def test_separated_roles_deploy_on_a_live_network(project, chain, deployer, accounts, tmp_path):
    settings = NetworkSettings(attester=str(accounts[1].address), treasury=str(accounts[2].address))
    manifest, fresh = deploy_all(
        project, chain, deployer, "ethereum:x", settings, tmp_path, live=True
    )
    assert fresh == ALL and manifest.roles["attester"] == str(accounts[1].address)


def _manifest_on(chain_id: int):
    from planet.core.manifest import DeployedContract, Manifest

    def record(address: str, tx: str) -> DeployedContract:
        return DeployedContract(
            address=address,
            block_number=7,
            block_hash="0x" + "11" * 32,
            tx_hash=tx,
            constructor_args=[],
            abi=[],
        )

    return Manifest(
        chain_id=chain_id,
        network="ethereum:xlayer-testnet",
        deployer="0x" + "22" * 20,
        genesis=0,
        roles={},
        contracts={
            "Identity": record("0x" + "aa" * 20, "0x" + "01" * 32),
            "ContributionPoints": record("0x" + "bb" * 20, "0x" + "02" * 32),
        },
    )


def test_deploy_output_links_each_contract_and_transaction_on_x_layer():
    from planet.chain.deploy import manifest_lines

    lines = manifest_lines(_manifest_on(1952), fresh=["ContributionPoints"])
    assert lines[0].split() == ["Identity", "0x" + "aa" * 20, "block", "7", "(reused)"]
    assert lines[1].strip() == "https://www.oklink.com/xlayer-test/address/0x" + "aa" * 20
    assert lines[2].strip() == "https://www.oklink.com/xlayer-test/tx/0x" + "01" * 32
    assert lines[3].split()[-1] == "(deployed)"
    assert lines[5].strip() == "https://www.oklink.com/xlayer-test/tx/0x" + "02" * 32
    mainnet = manifest_lines(_manifest_on(196))
    assert mainnet[1].strip() == "https://www.oklink.com/xlayer/address/0x" + "aa" * 20
    assert "(deployed)" not in mainnet[0] and "(reused)" not in mainnet[0]


def test_a_local_deploy_prints_no_links():
    from planet.chain.deploy import manifest_lines

    assert len(manifest_lines(_manifest_on(31337), fresh=[])) == 2
