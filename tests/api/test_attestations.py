"""Contribution attestations: signed as the points contract checks, one uid per activity, never
signed twice, and recorded once the indexer has mirrored them."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data
from sqlalchemy import insert

from api.services.attestations import activity_uid
from planet.core.epochs import EpochCalendar
from planet.core.typed_data import (
    CONTRIBUTION_TYPES,
    KIND_COMMENT,
    KIND_POST,
    POINTS_DOMAIN,
    domain,
)
from planet.store.mirror import attestations
from tests.support.api import CHAIN_ID, GENESIS, POINTS, START, error, sign_in


def test_a_post_is_attested_once_with_the_signed_tuple(client, member, attester):
    alice = member()
    pid = client.post("/posts", json={"body": "gm"}, headers=alice.headers).json()["id"]
    first = client.post(
        "/attestations", json={"activity": "post", "id": pid}, headers=alice.headers
    )
    assert first.status_code == 201, first.text
    body = first.json()
    c = body["contribution"]
    assert c["account"] == alice.account.address and c["kind"] == KIND_POST and c["amount"] == 10
    assert c["epoch"] == EpochCalendar(GENESIS).epoch_at(START) == 3
    assert c["uid"] == activity_uid(CHAIN_ID, "post", pid)
    assert c["deadline"] == START + client.app.state.settings.attestation_ttl
    assert body["status"] == "pending" and body["points_contract"].lower() == POINTS

    message = {**c, "uid": bytes.fromhex(c["uid"][2:])}
    signable = encode_typed_data(
        domain(POINTS_DOMAIN, CHAIN_ID, body["points_contract"]), CONTRIBUTION_TYPES, message
    )
    assert Account.recover_message(signable, signature=body["signature"]) == attester.address

    again = client.post(
        "/attestations", json={"activity": "post", "id": pid}, headers=alice.headers
    )
    assert again.status_code == 200
    assert again.json() == body


def test_a_comment_earns_the_comment_kind(client, member):
    alice, bob = member(), member()
    pid = client.post("/posts", json={"body": "gm"}, headers=alice.headers).json()["id"]
    cid = client.post(f"/posts/{pid}/comments", json={"body": "gm"}, headers=bob.headers).json()
    reply = client.post(
        "/attestations", json={"activity": "comment", "id": cid["id"]}, headers=bob.headers
    )
    assert reply.json()["contribution"]["kind"] == KIND_COMMENT
    assert reply.json()["contribution"]["amount"] == 2
    assert reply.json()["contribution"]["uid"] != activity_uid(CHAIN_ID, "post", cid["id"])


def test_only_the_author_gets_an_attestation(client, member):
    alice, bob = member(), member()
    pid = client.post("/posts", json={"body": "gm"}, headers=alice.headers).json()["id"]
    reply = client.post("/attestations", json={"activity": "post", "id": pid}, headers=bob.headers)
    assert error(reply) == (403, "not_your_activity")
    missing = client.post(
        "/attestations", json={"activity": "post", "id": 999}, headers=bob.headers
    )
    assert error(missing) == (404, "not_found")
    unknown = client.post("/attestations", json={"activity": "like", "id": 1}, headers=bob.headers)
    assert error(unknown) == (422, "validation_error")


def test_without_an_attester_key_attestations_are_unavailable(make_client, engine):
    from tests.support.api import add_identity

    client = make_client(attester_private_key=None)
    wallet = Account.create()
    add_identity(engine, wallet.address, "nokey")
    headers = sign_in(client, wallet)
    pid = client.post("/posts", json={"body": "gm"}, headers=headers).json()["id"]
    reply = client.post("/attestations", json={"activity": "post", "id": pid}, headers=headers)
    assert error(reply) == (503, "attestations_unavailable")


def test_status_follows_the_mirror_and_the_deadline(client, member, engine, clock):
    alice = member()
    uids = []
    for text in ("one", "two", "three"):
        pid = client.post("/posts", json={"body": text}, headers=alice.headers).json()["id"]
        reply = client.post(
            "/attestations", json={"activity": "post", "id": pid}, headers=alice.headers
        )
        uids.append(reply.json()["contribution"]["uid"])
    row = {
        "chain_id": CHAIN_ID,
        "account": alice.address,
        "epoch": 3,
        "kind": 0,
        "amount": 10,
        "attester": "0x" + "00" * 20,
        "submitter": alice.address,
        "block_number": 1,
        "log_index": 0,
        "tx_hash": "0x" + "22" * 32,
    }
    with engine.begin() as conn:
        conn.execute(insert(attestations).values(uid=uids[0], revoked=False, **row))
        conn.execute(insert(attestations).values(uid=uids[1], revoked=True, **row))
    mine = client.get("/attestations/mine", headers=alice.headers).json()["items"]
    assert {a["contribution"]["uid"]: a["status"] for a in mine} == {
        uids[0]: "recorded",
        uids[1]: "revoked",
        uids[2]: "pending",
    }
    clock.advance(client.app.state.settings.attestation_ttl + 1)
    headers = sign_in(client, alice.account)  # the first session expired meanwhile
    mine = client.get("/attestations/mine", headers=headers).json()["items"]
    assert {a["contribution"]["uid"]: a["status"] for a in mine}[uids[2]] == "expired"


def test_listing_needs_an_identity(client, member):
    reply = client.get("/attestations/mine", headers=member(identity=False).headers)
    assert error(reply) == (403, "identity_required")
