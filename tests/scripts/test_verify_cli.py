"""`ape run verify` as an operator runs it, against the session's deployment on the test chain
and a local stand-in of OKLink's verification API: exit codes and one-line errors."""

from __future__ import annotations

import pytest

from tests.api.okx_standin import serving
from tests.chain.oklink_standin import OklinkStandIn
from tests.scripts.test_cli import ape_run
from tests.support.ports import free_port

KEY = "test-oklink-key"


@pytest.fixture
def standin(chain, manifest):
    w3 = chain.provider.web3
    creations = {
        r.address: w3.eth.get_transaction(r.tx_hash)["input"].hex()
        for r in manifest.contracts.values()
    }
    return OklinkStandIn(KEY, creations)


def verify(chain, manifest_file, url: str, *args: str, env: dict[str, str] | None = None):
    return ape_run(
        "verify",
        "--network",
        "ethereum:local:foundry",
        "--manifest-dir",
        str(manifest_file.parent),
        *args,
        env={
            "APE_FOUNDRY_HOST": chain.provider.uri,
            "PLANET_VERIFY_URL": url,
            "PLANET_VERIFY_API_KEY": KEY,
            "PLANET_VERIFY_POLL_SECONDS": "0.05",
            **(env or {}),
        },
    )


SHORT = ("--chain-short-name", "XLAYER_TESTNET")


def test_verify_polls_through_pending_and_prints_each_contract(
    chain, manifest, manifest_file, standin
):
    standin.outcomes[manifest.contract("Identity").address] = ["Pending in queue", "Success"]
    with serving(standin.app) as url:
        result = verify(chain, manifest_file, url, *SHORT)
    assert result.returncode == 0, result.stderr
    assert standin.problems == []
    for name, record in manifest.contracts.items():
        assert f"{name:<20} verified  {record.address}" in result.stdout
    assert "Identity             Pending in queue" in result.stderr  # the progress, not a tty
    assert "Traceback" not in result.stderr


def test_a_rejection_ends_with_the_explorers_message_in_one_line(
    chain, manifest, manifest_file, standin
):
    standin.outcomes[manifest.contract("Identity").address] = ["Fail - Unable to verify"]
    with serving(standin.app) as url:
        result = verify(chain, manifest_file, url, *SHORT)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == ["Error: Identity: the explorer refused it: Fail - Unable to verify"]
    assert "Traceback" not in result.stderr + result.stdout


def test_the_explorer_down_ends_in_one_line(chain, manifest_file):
    url = f"http://127.0.0.1:{free_port()}"
    result = verify(chain, manifest_file, url, *SHORT)
    assert result.returncode == 1
    assert f"Error: Identity: cannot reach the verification API at {url}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.slow
def test_bad_input_is_refused_in_one_line(chain, manifest_file, tmp_path):
    url = "http://127.0.0.1:9"
    for args, env, message in (
        (SHORT, {"PLANET_VERIFY_API_KEY": ""}, "Error: PLANET_VERIFY_API_KEY is not set"),
        (SHORT, {"PLANET_VERIFY_URL": "oklink"}, "Error: PLANET_VERIFY_URL: 'oklink'"),
        ((), {}, "has no explorer to verify on"),
        ((*SHORT, "--contract", "Nope"), {}, "Error: not in the manifest: Nope"),
    ):
        result = verify(chain, manifest_file, url, *args, env=env)
        assert result.returncode != 0
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr + result.stdout
    missing = ape_run(
        "verify",
        "--network",
        "ethereum:local:foundry",
        "--manifest-dir",
        str(tmp_path),
        *SHORT,
        env={"APE_FOUNDRY_HOST": chain.provider.uri, "PLANET_VERIFY_API_KEY": KEY},
    )
    assert "Error: no deployment manifest for chain" in missing.stderr
