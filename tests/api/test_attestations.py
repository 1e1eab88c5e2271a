"""Contribution attestations: signed as the points contract checks, one uid per activity, never
signed twice, recorded once the indexer has mirrored them, and worth their points: nothing for
one's own content, amounts from eligible engagement, weekly quotas (the formula's rules)."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data
from sqlalchemy import insert, update

from api.services.attestations import activity_uid
from planet.core.epochs import EpochCalendar
from planet.core.typed_data import (
    CONTRIBUTION_TYPES,
    KIND_COMMENT,
    KIND_POST,
    POINTS_DOMAIN,
    domain,
)
from planet.store.mirror import attestations, identities, owner_fundings
from planet.store.offchain import post_views
from tests.api.conftest import LOCAL_SCORING
from tests.support.api import CHAIN_ID, GENESIS, POINTS, START, error, sign_in


def attest(client, who, activity: str, activity_id: int):
    body = {"activity": activity, "id": activity_id}
    return client.post("/attestations", json=body, headers=who.headers)


def engaged_post(client, author, *likers) -> int:
    pid = client.post("/posts", json={"body": "gm"}, headers=author.headers).json()["id"]
    for who in likers:
        assert client.put(f"/posts/{pid}/like", headers=who.headers).status_code < 300
    return pid


def test_a_post_is_attested_once_with_the_signed_tuple(client, member, attester):
    alice, bob = member(), member()
    pid = engaged_post(client, alice, bob)
    first = attest(client, alice, "post", pid)
    assert first.status_code == 201, first.text
    body = first.json()
    c = body["contribution"]
    # the local formula: 2 points per eligible engager (bob)
    assert c["account"] == alice.account.address and c["kind"] == KIND_POST and c["amount"] == 2
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
    assert reply.json()["contribution"]["amount"] == 1
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
    alice, bob = member(), member()
    uids = []
    for _ in range(3):
        reply = attest(client, alice, "post", engaged_post(client, alice, bob))
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


PUBLISHED_SCORING = LOCAL_SCORING.with_name("scoring.yaml")


def test_ones_own_content_earns_nothing(client, member):
    alice, bob = member(), member()
    pid = engaged_post(client, alice)
    client.put(f"/posts/{pid}/like", headers=alice.headers)  # her own like is no engagement
    cid = client.post(f"/posts/{pid}/comments", json={"body": "me"}, headers=alice.headers)
    assert error(attest(client, alice, "comment", cid.json()["id"])) == (422, "own_content")
    assert error(attest(client, alice, "post", pid)) == (422, "not_enough_engagement")
    client.put(f"/posts/{pid}/like", headers=bob.headers)
    assert attest(client, alice, "post", pid).json()["contribution"]["amount"] == 2


def test_the_amount_follows_eligible_engagers_up_to_the_rules_max(client, member):
    alice = member()
    fans = [member() for _ in range(12)]
    few = attest(client, alice, "post", engaged_post(client, alice, *fans[:3]))
    assert few.json()["contribution"]["amount"] == 6  # 2 per engager
    many = attest(client, alice, "post", engaged_post(client, alice, *fans))
    assert many.json()["contribution"]["amount"] == 20  # the rule's max


def test_fresh_identities_and_a_shared_funder_do_not_vouch(make_client, member, engine, clock):
    """Under the published formula an engager must have been seen a week before the post, and
    must not share the author's relayer or recovery address."""
    client = make_client(scoring_config=PUBLISHED_SCORING)
    alice, bob, carol, dave = member(), member(), member(), member()
    pid = engaged_post(client, alice, bob, carol, dave)
    refused = attest(client, alice, "post", pid)
    assert error(refused) == (422, "not_enough_engagement")
    assert "drew 0 eligible" in refused.json()["error"]["message"]

    # bob, carol and dave were around two weeks earlier (a view of an old post each)
    old = engaged_post(client, alice)
    with engine.begin() as conn:
        for who in (bob, carol, dave):
            conn.execute(
                insert(post_views).values(
                    post_id=old, token_id=who.token_id, first_viewed_at=START - 14 * 86400
                )
            )
        # dave's identity can be taken over by alice's recovery key: same controller
        shared = "0x" + "77" * 20
        for who in (alice, dave):
            conn.execute(
                update(identities)
                .where(identities.c.token_id == who.token_id)
                .values(recovery=shared)
            )
    clock.advance(60)
    reply = attest(client, alice, "post", pid)
    assert reply.status_code == 201, reply.text
    assert reply.json()["contribution"]["amount"] == 4  # bob and carol; dave shares a funder


def test_an_engager_funded_by_the_authors_funder_that_week_does_not_vouch(
    make_client, member, engine, clock
):
    """The indexer's record of each owner's first funding (owner_fundings): an engager whose
    wallet was first funded by the wallet that funded the author's, within a week of it, is the
    same source; one funded by it a month apart is not."""
    client = make_client(scoring_config=PUBLISHED_SCORING)
    alice, bob, carol, dave = member(), member(), member(), member()
    pid = engaged_post(client, alice, bob, carol, dave)
    old = engaged_post(client, alice)
    funder = "0x" + "5f" * 20
    funded = [(alice, START - 86400), (carol, START - 3 * 86400), (bob, START - 40 * 86400)]
    with engine.begin() as conn:
        for who in (bob, carol, dave):
            conn.execute(
                insert(post_views).values(
                    post_id=old, token_id=who.token_id, first_viewed_at=START - 14 * 86400
                )
            )
        for i, (who, when) in enumerate(funded):
            conn.execute(
                insert(owner_fundings).values(
                    chain_id=CHAIN_ID, owner=who.account.address.lower(), status="found",
                    funder=funder, block_number=100 + i, block_time=when,
                    tx_hash="0x" + f"{i:064x}", amount=10**17, checked_block=1000,
                )
            )  # fmt: skip
    clock.advance(60)
    reply = attest(client, alice, "post", pid)
    assert reply.status_code == 201, reply.text
    assert reply.json()["contribution"]["amount"] == 4  # bob and dave; carol shares a funder


def test_a_weekly_quota_per_activity(client, member):
    alice, bob = member(), member()
    pids = [engaged_post(client, bob) for _ in range(11)]
    for pid in pids[:10]:
        cid = client.post(f"/posts/{pid}/comments", json={"body": "ok"}, headers=alice.headers)
        assert attest(client, alice, "comment", cid.json()["id"]).status_code == 201
    cid = client.post(f"/posts/{pids[10]}/comments", json={"body": "ok"}, headers=alice.headers)
    refused = attest(client, alice, "comment", cid.json()["id"])
    assert error(refused) == (422, "weekly_quota")
    assert "10 comment attestation(s) for epoch 3" in refused.json()["error"]["message"]


def test_a_formula_without_attestation_rules_makes_them_unavailable(make_client, member, tmp_path):
    bare = tmp_path / "scoring.yaml"
    bare.write_text(
        "name: bare\nversion: '1'\nweights: {view: 1, like: 1, comment: 1, live_attendance: 1,"
        " points: 1, trade: 0}\n"
    )
    client = make_client(scoring_config=bare)
    alice, bob = member(), member()
    reply = attest(client, alice, "post", engaged_post(client, alice, bob))
    assert error(reply) == (503, "attestations_unavailable")
    assert "no `attestations` rules" in reply.json()["error"]["message"]
