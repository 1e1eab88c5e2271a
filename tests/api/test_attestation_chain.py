"""The whole path on a real anvil: deploy, register, the API signs, the user submits
``attest()`` with ape, the indexer mirrors it, and the API shows the points as recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web3.exceptions import ContractCustomError

from api.app import create_app
from api.settings import ApiSettings
from planet.store import OFFCHAIN, migrate
from tests.support.api import SECRET, sign_in

# the local chains' formula: a post earns 2 points per identity that engaged with it, and new
# identities count (under the published one they must have been seen a week before)
LOCAL_SCORING = Path(__file__).resolve().parents[2] / "config" / "scoring-local.yaml"


def test_attestation_round_trip(
    project, accounts, planet, manifest, manifest_file, database_url, settings_for, make_indexer
):
    user_key = planet.actors.users[0]
    user = accounts[4]
    assert user.address == user_key.address
    planet.register(user_key, "roundtrip")
    fan = planet.actors.users[3]
    planet.register(fan, "roundtrip_fan")
    indexer, engine = make_indexer(settings_for(database_url))
    indexer.catch_up()
    migrate(engine, OFFCHAIN)

    settings = ApiSettings(
        database_url=database_url,
        chain_id=manifest.chain_id,
        siwe_domain="planet.test",
        session_secret=SECRET,
        attester_private_key=planet.actors.attester.key.hex(),
        manifest=manifest_file,
        scoring_config=LOCAL_SCORING,
    )
    chain_time = lambda: planet.w3.eth.get_block("latest").timestamp  # noqa: E731
    app = create_app(settings, clock=chain_time)
    with TestClient(app) as client:
        headers = sign_in(client, user_key)
        pid = client.post("/posts", json={"body": "first post"}, headers=headers).json()["id"]
        client.put(f"/posts/{pid}/like", headers=sign_in(client, fan))
        signed = client.post("/attestations", json={"activity": "post", "id": pid}, headers=headers)
        assert signed.status_code == 201, signed.text
        body = signed.json()
        c = body["contribution"]
        assert body["status"] == "pending"
        assert body["points_contract"] == manifest.contract("ContributionPoints").address

        points = project.ContributionPoints.at(body["points_contract"])
        contribution = (
            c["account"],
            c["kind"],
            c["amount"],
            c["epoch"],
            bytes.fromhex(c["uid"][2:]),
            c["deadline"],
        )
        points.attest(contribution, bytes.fromhex(body["signature"][2:]), sender=user)
        assert points.balanceOf(user) == 2  # one engager, 2 points each

        indexer.catch_up()

        mine = client.get("/attestations/mine", headers=headers).json()["items"]
        assert [(a["contribution"]["uid"], a["status"]) for a in mine] == [(c["uid"], "recorded")]
        profile = client.get("/profiles/roundtrip").json()
        assert profile["points"] == {"epoch": c["epoch"], "this_epoch": 2, "total": 2}

        again = client.post("/attestations", json={"activity": "post", "id": pid}, headers=headers)
        assert again.status_code == 200
        assert again.json()["contribution"]["uid"] == c["uid"]
        assert again.json()["signature"] == body["signature"]
        assert again.json()["status"] == "recorded"
    app.state.engine.dispose()


def test_the_answer_carries_the_attest_transaction_a_wallet_sends_as_is(
    planet, manifest, manifest_file, database_url, settings_for, make_indexer
):
    """``transaction.to`` and ``transaction.data`` are the whole call: a wallet that knows
    nothing of the contract's ABI signs them (eth-account, as any wallet would) and the points
    are recorded; then the attestation shows as recorded."""
    user = planet.actors.users[1]
    planet.register(user, "as_is")
    fan = planet.actors.users[3]
    planet.register(fan, "as_is_fan")
    indexer, engine = make_indexer(settings_for(database_url))
    indexer.catch_up()
    migrate(engine, OFFCHAIN)
    settings = ApiSettings(
        database_url=database_url,
        chain_id=manifest.chain_id,
        siwe_domain="planet.test",
        session_secret=SECRET,
        attester_private_key=planet.actors.attester.key.hex(),
        manifest=manifest_file,
        scoring_config=LOCAL_SCORING,
    )
    app = create_app(settings, clock=lambda: planet.w3.eth.get_block("latest").timestamp)
    with TestClient(app) as client:
        headers = sign_in(client, user)
        pid = client.post("/posts", json={"body": "gm"}, headers=headers).json()["id"]
        client.put(f"/posts/{pid}/like", headers=sign_in(client, fan))
        body = client.post("/attestations", json={"activity": "post", "id": pid}, headers=headers)
        tx = body.json()["transaction"]
        assert tx["to"] == manifest.contract("ContributionPoints").address
        assert tx["chain_id"] == manifest.chain_id

        w3 = planet.w3
        request = {"from": user.address, "to": tx["to"], "data": tx["data"], "value": 0}
        signed = user.sign_transaction(
            {
                **request,
                "chainId": tx["chain_id"],
                "nonce": w3.eth.get_transaction_count(user.address),
                "gas": w3.eth.estimate_gas(request),
                "maxFeePerGas": 2 * w3.eth.gas_price,
                "maxPriorityFeePerGas": 0,
            }
        )
        receipt = w3.eth.wait_for_transaction_receipt(
            w3.eth.send_raw_transaction(signed.raw_transaction)
        )
        assert receipt.status == 1
        points = w3.eth.contract(
            address=tx["to"], abi=manifest.contract("ContributionPoints").abi
        ).functions
        assert points.balanceOf(user.address).call() == 2

        indexer.catch_up()
        mine = client.get("/attestations/mine", headers=headers).json()["items"]
        assert [(a["status"], a["transaction"]) for a in mine] == [("recorded", tx)]
    app.state.engine.dispose()


def test_a_rotated_attester_key_signs_again_what_the_old_key_left_unsubmitted(
    planet, manifest, manifest_file, database_url, settings_for, make_indexer
):
    """The operator's key rotation: the new key gets ATTESTER_ROLE, the old one loses it. An
    attestation the old key signed and nobody submitted would now revert; asked again, the API
    signs it anew with the current key (same uid), and it records."""
    user, fan = planet.actors.users[2], planet.actors.users[3]
    planet.register(user, "rotated")
    planet.register(fan, "rotated_fan")
    indexer, engine = make_indexer(settings_for(database_url))
    indexer.catch_up()
    migrate(engine, OFFCHAIN)
    old, new = planet.actors.attester, Account.create()

    def api(key: LocalAccount) -> FastAPI:
        settings = ApiSettings(
            database_url=database_url,
            chain_id=manifest.chain_id,
            siwe_domain="planet.test",
            session_secret=SECRET,
            attester_private_key=key.key.hex(),
            manifest=manifest_file,
            scoring_config=LOCAL_SCORING,
        )
        return create_app(settings, clock=lambda: planet.w3.eth.get_block("latest").timestamp)

    first = api(old)
    with TestClient(first) as client:
        headers = sign_in(client, user)
        pid = client.post("/posts", json={"body": "gm"}, headers=headers).json()["id"]
        client.put(f"/posts/{pid}/like", headers=sign_in(client, fan))
        before = client.post("/attestations", json={"activity": "post", "id": pid}, headers=headers)
        assert before.status_code == 201, before.text
    first.state.engine.dispose()

    role = planet.points.functions.ATTESTER_ROLE().call()
    planet.send(planet.points.functions.grantRole(role, new.address), planet.actors.admin)
    planet.send(planet.points.functions.revokeRole(role, old.address), planet.actors.admin)
    stale = before.json()["transaction"]
    request = {"from": user.address, "to": stale["to"], "data": stale["data"]}
    with pytest.raises(ContractCustomError):  # PointsSignerNotAttester
        planet.w3.eth.estimate_gas(request)

    second = api(new)
    with TestClient(second) as client:
        headers = sign_in(client, user)
        after = client.post("/attestations", json={"activity": "post", "id": pid}, headers=headers)
        assert after.status_code == 200, after.text
        body = after.json()
        assert body["contribution"]["uid"] == before.json()["contribution"]["uid"]
        assert body["signature"] != before.json()["signature"]
        assert body["status"] == "pending"
        tx = body["transaction"]
        planet.w3.eth.send_transaction({"from": user.address, "to": tx["to"], "data": tx["data"]})
        indexer.catch_up()
        again = client.post("/attestations", json={"activity": "post", "id": pid}, headers=headers)
        assert again.json()["status"] == "recorded"
        assert again.json()["signature"] == body["signature"]  # never re-signed once recorded
    second.state.engine.dispose()
    assert planet.points.functions.balanceOf(user.address).call() == 2
