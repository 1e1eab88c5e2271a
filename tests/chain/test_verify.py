"""Source verification on X Layer's explorer, against a local stand-in of OKLink's API that
checks every submission (fields, settings, constructor arguments against the chain, and once
that the sources compile to the creation code on chain)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from planet.chain.deploy import deploy_all, deploy_transactor
from planet.chain.deploy_config import NetworkSettings
from planet.chain.verify import (
    Explorer,
    VerifyError,
    VerifySettings,
    settings_from_env,
    source_unit_name,
    submission,
    verify_deployment,
)
from planet.chain.wallets import KeyWallet
from planet.core.networks import XLAYER_TESTNET
from tests.api.okx_standin import serving
from tests.chain.oklink_standin import OklinkStandIn, compile_standard_json
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
KEY = "test-oklink-key"
ALL = ["Identity", "ContributionPoints", "CommunityPass", "PrizeVault"]


@pytest.fixture
def deployment(project, chain, admin, tmp_path):
    """The four contracts deployed as `ape run deploy` does, and each creation transaction's
    input as the chain has it."""
    wallet = KeyWallet(Account.from_key(admin.private_key))
    transactor = deploy_transactor(project, chain.provider.web3, wallet, chain.chain_id)
    manifest, _ = deploy_all(
        project, chain, transactor, "ethereum:local", NetworkSettings(), tmp_path, True
    )
    w3 = chain.provider.web3
    creations = {
        record.address: w3.eth.get_transaction(record.tx_hash)["input"].hex()
        for record in manifest.contracts.values()
    }
    return manifest, creations


def run(chain, manifest, url: str, key: str = KEY, **kwargs):
    settings = VerifySettings(url=url, api_key=key, poll_seconds=0.01, timeout=5)
    seen: list[tuple[str, str]] = []
    done = verify_deployment(
        chain.provider.web3,
        manifest,
        XLAYER_TESTNET,
        "XLAYER_TESTNET",
        Explorer(settings),
        ROOT,
        progress=lambda name, status, waited: seen.append((name, status)),
        **kwargs,
    )
    return done, seen


def test_the_manifest_records_what_verification_needs(deployment):
    manifest, creations = deployment
    record = manifest.contract("ContributionPoints")
    assert record.source_id == "contracts/points/ContributionPoints.sol"
    assert record.compiler is not None
    assert record.compiler.version.startswith("0.8.37+commit.")
    assert record.compiler.settings["optimizer"] == {"enabled": True, "runs": 200}
    assert record.compiler.settings["evmVersion"] == "cancun"
    assert "outputSelection" not in record.compiler.settings
    assert creations[record.address].endswith(record.constructor_data.removeprefix("0x"))


@pytest.mark.slow
def test_the_submitted_sources_build_exactly_the_deployed_code(chain, deployment):
    """The stand-in compiles each submitted input with solc-js alone (no file access) and
    compares the creation code with the transaction on chain. Two contracts, as each compile
    takes a while: the smallest, and the vault, whose constructor takes every kind of
    argument."""
    manifest, creations = deployment
    names = ["Identity", "PrizeVault"]
    for name in names:  # compiled before serving, so no request waits on the compiler
        compile_standard_json(submission(name, manifest.contract(name), "X", ROOT)["sourceCode"])
    standin = OklinkStandIn(KEY, creations, compile=True)
    with serving(standin.app) as url:
        done, _ = run(chain, manifest, url, names=names)
    assert standin.problems == []
    assert [(v.name, v.status) for v in done] == [(n, "verified") for n in names]
    identity = manifest.contract("Identity")
    assert done[0].url == f"https://www.oklink.com/xlayer-test/address/{identity.address}"
    first = standin.submissions[0]
    assert first["contractName"] == "contracts/identity/Identity.sol:Identity"
    assert first["compilerVersion"] == "v" + identity.compiler.version
    sources = json.loads(first["sourceCode"])["sources"]
    assert any(name.startswith("node_modules/@openzeppelin/contracts/") for name in sources)


def test_every_contract_is_submitted_and_linked(chain, deployment):
    manifest, creations = deployment
    standin = OklinkStandIn(KEY, creations)
    with serving(standin.app) as url:
        done, _ = run(chain, manifest, url)
    assert standin.problems == []
    assert [(v.name, v.status) for v in done] == [(n, "verified") for n in ALL]
    for verified in done:
        assert verified.url == f"https://www.oklink.com/xlayer-test/address/{verified.address}"


def test_a_pending_verification_is_polled_until_it_succeeds(chain, deployment):
    manifest, creations = deployment
    standin = OklinkStandIn(KEY, creations)
    vault = manifest.contract("PrizeVault").address
    standin.outcomes[vault] = ["Pending in queue", "Pending in queue", "Success"]
    with serving(standin.app) as url:
        done, seen = run(chain, manifest, url, names=["PrizeVault"])
    assert standin.problems == []
    assert [v.status for v in done] == ["verified"]
    assert seen == [("PrizeVault", "Pending in queue")] * 2 + [("PrizeVault", "Success")]


def test_a_rejection_is_shown_with_the_explorers_message(chain, deployment):
    manifest, creations = deployment
    standin = OklinkStandIn(KEY, creations)
    points = manifest.contract("ContributionPoints").address
    standin.outcomes[points] = ["Pending in queue", "Fail - Unable to verify: bytecode mismatch"]
    with serving(standin.app) as url:
        with pytest.raises(VerifyError) as failed:
            run(chain, manifest, url)
    assert str(failed.value) == (
        "ContributionPoints: the explorer refused it: Fail - Unable to verify: bytecode mismatch"
    )
    assert standin.problems == []
    assert [s["contractName"].split(":")[1] for s in standin.submissions] == ALL[:2]


def test_a_refused_submission_is_shown_with_the_explorers_message(chain, deployment):
    manifest, creations = deployment
    standin = OklinkStandIn(KEY, creations)
    standin.refuse_with[manifest.contract("Identity").address] = "Unsupported compiler version"
    with serving(standin.app) as url:
        with pytest.raises(VerifyError, match="Identity: the explorer refused it: Unsupported"):
            run(chain, manifest, url)
        with pytest.raises(VerifyError, match="refused it: Invalid OK-ACCESS-KEY"):
            run(chain, manifest, url, key="wrong")


def test_an_already_verified_contract_counts_as_verified(chain, deployment):
    manifest, creations = deployment
    standin = OklinkStandIn(KEY, creations)
    standin.refuse_with[manifest.contract("Identity").address] = (
        "Contract source code already verified"
    )
    with serving(standin.app) as url:
        done, _ = run(chain, manifest, url, names=["Identity"])
    assert done[0].status == "already verified"


def test_the_explorer_down_is_one_clear_error(chain, deployment):
    manifest, _ = deployment
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(VerifyError) as failed:
        run(chain, manifest, url)
    assert str(failed.value).startswith(f"Identity: cannot reach the verification API at {url}")


def test_a_still_pending_job_gives_up_after_the_timeout(chain, deployment):
    manifest, creations = deployment
    standin = OklinkStandIn(KEY, creations)
    standin.outcomes[manifest.contract("Identity").address] = ["Pending in queue"]
    settings = VerifySettings(url="", api_key=KEY, poll_seconds=0.01, timeout=0.05)
    with serving(standin.app) as url:
        explorer = Explorer(VerifySettings(url, KEY, settings.poll_seconds, settings.timeout))
        with pytest.raises(VerifyError, match=r"still 'Pending in queue' after 0\.05 s"):
            verify_deployment(
                chain.provider.web3,
                manifest,
                XLAYER_TESTNET,
                "XLAYER_TESTNET",
                explorer,
                ROOT,
                names=["Identity"],
            )


def test_constructor_arguments_that_are_not_the_chains_stop_before_submitting(chain, deployment):
    manifest, creations = deployment
    stale = manifest.model_copy(deep=True)
    stale.contracts["CommunityPass"].constructor_data = "0x" + "00" * 32
    standin = OklinkStandIn(KEY, creations)
    with serving(standin.app) as url:
        with pytest.raises(VerifyError, match="CommunityPass: the manifest's constructor"):
            run(chain, stale, url)
    assert standin.submissions == []


def test_sources_edited_since_the_deploy_stop_before_submitting(chain, deployment):
    manifest, creations = deployment
    standin = OklinkStandIn(KEY, creations)
    with serving(standin.app) as url:
        with pytest.raises(VerifyError, match="Identity: the sources no longer build the code"):
            run(chain, manifest, url, creation_code=lambda name: "0x6080")
    assert standin.submissions == []


def test_a_manifest_without_compiler_settings_says_to_redeploy(chain, deployment):
    manifest, _ = deployment
    old = manifest.model_copy(deep=True)
    old.contracts["Identity"].compiler = None
    with pytest.raises(VerifyError, match="Identity: the manifest does not record how"):
        run(chain, old, "http://127.0.0.1:9")


def test_settings_come_from_the_environment_and_bad_ones_are_named():
    settings = settings_from_env(
        {
            "PLANET_VERIFY_API_KEY": "k",
            "PLANET_VERIFY_URL": "http://x/api/",
            "PLANET_VERIFY_TIMEOUT": "60",
        }
    )
    assert (settings.url, settings.api_key, settings.timeout) == ("http://x/api", "k", 60.0)
    assert settings_from_env({"PLANET_VERIFY_API_KEY": "k"}).url.startswith(
        "https://www.oklink.com/"
    )
    for environ, named in (
        ({}, "PLANET_VERIFY_API_KEY is not set"),
        ({"PLANET_VERIFY_API_KEY": "k", "PLANET_VERIFY_URL": "oklink"}, "PLANET_VERIFY_URL:"),
        ({"PLANET_VERIFY_API_KEY": "k", "PLANET_VERIFY_TIMEOUT": "soon"}, "PLANET_VERIFY_TIMEOUT:"),
        ({"PLANET_VERIFY_API_KEY": "k", "PLANET_VERIFY_POLL_SECONDS": "0"}, "POLL_SECONDS:"),
    ):
        with pytest.raises(VerifyError, match=named):
            settings_from_env(environ)


@pytest.mark.parametrize(
    ("importer", "path", "unit"),
    [
        (
            "contracts/pass/CommunityPass.sol",
            "../identity/IIdentity.sol",
            "contracts/identity/IIdentity.sol",
        ),
        (
            "contracts/pass/CommunityPass.sol",
            "./ICommunityPass.sol",
            "contracts/pass/ICommunityPass.sol",
        ),
        (
            "contracts/pass/CommunityPass.sol",
            "@openzeppelin/contracts/access/AccessControl.sol",
            "node_modules/@openzeppelin/contracts/access/AccessControl.sol",
        ),
        (
            "node_modules/@openzeppelin/contracts/access/AccessControl.sol",
            "../utils/Context.sol",
            "node_modules/@openzeppelin/contracts/utils/Context.sol",
        ),
    ],
)
def test_imports_get_the_source_unit_names_the_compiler_gives_them(importer, path, unit):
    remappings = ["@openzeppelin/contracts=node_modules/@openzeppelin/contracts"]
    assert source_unit_name(importer, path, remappings) == unit
