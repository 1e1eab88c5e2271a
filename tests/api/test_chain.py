"""``GET /chain``: the deployment, whole. A client that knows only the API's URL reads the
chain, the contracts' addresses and ABIs and the RPC endpoint from it, and sends a transaction
with ``cast`` (Foundry's client, which this project did not write): no manifest file."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from planet.core.epochs import EPOCH_DURATION
from planet.core.manifest import Manifest
from planet.store import OFFCHAIN, migrate
from tests.support.api import SECRET, error
from tests.support.servers import serving

CAST = shutil.which("cast")
CONTRACTS = ("Identity", "ContributionPoints", "CommunityPass", "PrizeVault")


def api_settings(database_url: str, manifest: Manifest, manifest_file: Path, rpc_url: str):
    return ApiSettings(
        database_url=database_url,
        chain_id=manifest.chain_id,
        siwe_domain="planet.test",
        session_secret=SECRET,
        manifest=manifest_file,
        rpc_url=rpc_url,
    )


def abi_type(param: dict[str, Any]) -> str:
    """A canonical ABI type as function signatures spell it: tuples written out."""
    if param["type"].startswith("tuple"):
        inner = ",".join(abi_type(c) for c in param["components"])
        return f"({inner}){param['type'][len('tuple') :]}"
    return str(param["type"])


def send_with_cast(
    api_url: str, contract: str, function: str, args: list[str], key: LocalAccount
) -> dict[str, Any]:
    """What an independent client does: everything from ``GET /chain``, then ``cast send``."""
    chain = httpx.get(f"{api_url}/chain").raise_for_status().json()
    deployed = chain["contracts"][contract]
    entry = next(
        e for e in deployed["abi"] if e.get("type") == "function" and e["name"] == function
    )
    signature = f"{function}({','.join(abi_type(p) for p in entry['inputs'])})"
    run = subprocess.run(
        [
            CAST, "send", deployed["address"], signature, *args,
            "--private-key", "0x" + bytes(key.key).hex(),
            "--rpc-url", chain["rpc_url"],
            "--chain", str(chain["chain_id"]),
            "--json",
        ],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0 and run.stdout.strip(), run.stderr
    return json.loads(run.stdout)


def test_chain_describes_the_deployment_from_its_manifest(
    planet, manifest, manifest_file, database_url, rpc_url
):
    app = create_app(
        api_settings(database_url, manifest, manifest_file, rpc_url),
        clock=lambda: planet.w3.eth.get_block("latest").timestamp,
    )
    body = TestClient(app).get("/chain").json()

    assert (body["chain_id"], body["name"]) == (31337, "local anvil")
    assert body["rpc_url"] == rpc_url
    assert body["explorer_url"] is None  # a local anvil has no explorer
    assert body["native_currency"] == {
        "address": "0x" + "00" * 20,
        "native": True,
        "symbol": "OKB",
        "decimals": 18,
    }
    assert set(body["contracts"]) == set(CONTRACTS)
    for name in CONTRACTS:
        deployed, served = manifest.contract(name), body["contracts"][name]
        assert served["address"].lower() == deployed.address.lower()
        assert served["deployment_block"] == deployed.block_number
        assert served["abi"] == deployed.abi
        assert served["userdoc"] == deployed.userdoc
        assert served["explorer_url"] is None
        assert planet.w3.eth.get_code(served["address"])  # there is a contract there
    now = planet.w3.eth.get_block("latest").timestamp
    assert body["epochs"] == {
        "genesis": manifest.genesis,
        "length": EPOCH_DURATION,
        "current": (now - manifest.genesis) // EPOCH_DURATION,
    }
    vault = planet.w3.eth.contract(
        address=body["contracts"]["PrizeVault"]["address"],
        abi=body["contracts"]["PrizeVault"]["abi"],
    ).functions
    assert body["rewards"]["challenge_period"] == vault.CHALLENGE_PERIOD().call()
    assert body["rewards"]["claim_window"] == vault.CLAIM_WINDOW().call()
    assert body["rewards"]["currency"]["symbol"] == "OKB"  # the test vault pays native


@pytest.mark.skipif(CAST is None, reason="cast (npm @foundry-rs/cast) is not installed")
def test_a_client_knowing_only_the_api_registers_an_identity_with_cast(
    planet, manifest, manifest_file, database_url, rpc_url, settings_for, make_indexer
):
    fan = planet.actors.users[0]
    indexer, engine = make_indexer(settings_for(database_url))
    migrate(engine, OFFCHAIN)
    app = create_app(api_settings(database_url, manifest, manifest_file, rpc_url))
    with serving(app) as api_url:
        # recovery: another user's address (an identity cannot be its own recovery)
        recovery = planet.actors.users[1].address
        registration = f"(cast_fan,{api_url}/profiles/cast_fan/persona,0x{'00' * 32},{recovery})"
        receipt = send_with_cast(api_url, "Identity", "register", [registration], fan)
        assert int(receipt["status"], 16) == 1
        indexer.catch_up()
        profile = httpx.get(f"{api_url}/profiles/cast_fan").json()
    assert profile["address"].lower() == fan.address.lower()
    identity = planet.w3.eth.contract(
        address=manifest.contract("Identity").address, abi=manifest.contract("Identity").abi
    )
    assert identity.functions.balanceOf(fan.address).call() == 1


def test_without_a_manifest_chain_is_unavailable_and_says_why(client):
    status, code = error(reply := client.get("/chain"))
    assert (status, code) == (503, "chain_unavailable")
    assert "PLANET_API_MANIFEST" in reply.json()["error"]["message"]


def test_a_manifest_missing_a_contract_is_named(make_client, manifest, tmp_path):
    partial = manifest.model_copy(deep=True)
    del partial.contracts["CommunityPass"]
    path = tmp_path / "31337.json"
    path.write_text(partial.model_dump_json())
    reply = make_client(manifest=path, points_address=None, genesis=None).get("/chain")
    assert error(reply) == (503, "chain_unavailable")
    assert "CommunityPass" in reply.json()["error"]["message"]
