"""Moderation on a real anvil: the risk role the deployment granted is mirrored by the indexer
and lets its wallet moderate; hiding a post and revoking what it earned sends ``revoke`` from
that wallet, the indexer mirrors it, and the week's score no longer holds the points."""

from __future__ import annotations

from pathlib import Path

from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from web3 import Web3

from planet.core.epochs import EpochCalendar
from planet.rewards.inputs import collect
from tests.support.api import sign_in

LOCAL_SCORING = Path(__file__).resolve().parents[2] / "config" / "scoring-local.yaml"


def send(w3: Web3, key: LocalAccount, to: str, data: str) -> None:
    """Sends ``data`` to ``to`` from ``key`` as any wallet would, and waits for success."""
    request = {"from": key.address, "to": to, "data": data, "value": 0}
    signed = key.sign_transaction(
        {
            **request,
            "chainId": w3.eth.chain_id,
            "nonce": w3.eth.get_transaction_count(key.address),
            "gas": w3.eth.estimate_gas(request),
            "maxFeePerGas": 2 * w3.eth.gas_price,
            "maxPriorityFeePerGas": 0,
        }
    )
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(signed.raw_transaction)
    )
    assert receipt.status == 1


def test_a_hidden_posts_points_are_revoked_on_chain_and_leave_the_weeks_score(
    planet, manifest, indexed_app
):
    creator, fan, risk = planet.actors.users[2], planet.actors.users[5], planet.actors.risk
    planet.register(creator, "shill_creator")
    planet.register(fan, "shill_fan")
    app, engine, indexer = indexed_app(
        planet, attester_private_key=planet.actors.attester.key.hex(), scoring_config=LOCAL_SCORING
    )
    w3 = planet.w3
    chain_time = app.state.clock
    calendar = EpochCalendar(manifest.genesis)

    def points_this_week() -> int:
        with engine.connect() as conn:
            week = collect(
                conn,
                manifest.chain_id,
                calendar,
                calendar.epoch_at(chain_time()),
                trade_exchanges=(),
            )
        mine = week.accounts.get(Web3.to_checksum_address(creator.address))
        return 0 if mine is None else mine.points

    with TestClient(app) as client:
        author, reader = sign_in(client, creator), sign_in(client, fan)
        moderator = sign_in(client, risk)
        pid = client.post("/posts", json={"body": "100x, trust me"}, headers=author).json()["id"]
        client.put(f"/posts/{pid}/like", headers=reader)
        signed = client.post("/attestations", json={"activity": "post", "id": pid}, headers=author)
        assert signed.status_code == 201, signed.text
        tx = signed.json()["transaction"]
        send(w3, creator, tx["to"], tx["data"])
        indexer.catch_up()
        before = points_this_week()
        assert before >= 2

        # the deployment granted RISK_ROLE to the risk key: mirrored from its RoleGranted
        assert client.get("/moderation/role", headers=moderator).json()["risk_role"] is True
        assert client.get("/moderation/role", headers=reader).json()["risk_role"] is False
        report = {"kind": "post", "target_id": pid, "reason": "undisclosed_promotion"}
        assert client.post("/moderation/reports", json=report, headers=reader).status_code == 200
        queue = client.get("/moderation/queue", headers=moderator).json()["items"]
        assert [i["target"]["id"] for i in queue] == [pid]
        decision = {"kind": "post", "target_id": pid, "reason": "paid promotion, not disclosed"}
        hidden = client.post(
            "/moderation/decisions",
            json={**decision, "action": "hide", "label": "undisclosed_promotion"},
            headers=moderator,
        )
        assert hidden.status_code == 201, hidden.text
        revoke = client.post(
            "/moderation/decisions", json={**decision, "action": "revoke"}, headers=moderator
        )
        assert revoke.status_code == 201, revoke.text
        (revocation,) = revoke.json()["revocations"]
        assert revocation["uid"] == signed.json()["contribution"]["uid"]
        # logged when decided: nothing has reached the chain yet, and the log says so
        assert revoke.json()["uids"] == [revocation["uid"]]
        assert revoke.json()["revoked_on_chain"] == []
        send(w3, risk, revocation["to"], revocation["data"])
        indexer.catch_up()
        (logged, *_) = client.get("/moderation/decisions", headers=moderator).json()["items"]
        assert logged["action"] == "revoke"
        assert logged["revoked_on_chain"] == [revocation["uid"]]

        points = w3.eth.contract(
            address=revocation["to"], abi=manifest.contract("ContributionPoints").abi
        ).functions
        assert points.record(bytes.fromhex(revocation["uid"][2:])).call()[4] is True  # revoked
        mine = client.get("/attestations/mine", headers=author).json()["items"]
        assert [a["status"] for a in mine] == ["revoked"]
        assert points_this_week() == before - revocation_amount(revocation)
        again = client.post(
            "/moderation/decisions", json={**decision, "action": "revoke"}, headers=moderator
        )
        assert again.status_code == 409 and again.json()["error"]["code"] == "nothing_to_revoke"
        seen = client.get(f"/posts/{pid}").json()
        assert seen["moderation_label"] == "undisclosed_promotion" and seen["body"] == ""
        log = client.get("/moderation/decisions/mine", headers=author).json()["items"]
        assert [d["action"] for d in log] == ["revoke", "hide"]
        assert [d["revoked_on_chain"] for d in log] == [[revocation["uid"]], None]
        assert {d["decided_by"] for d in log} == {risk.address}
    app.state.engine.dispose()


def revocation_amount(revocation: dict) -> int:
    return int(revocation["amount"])
