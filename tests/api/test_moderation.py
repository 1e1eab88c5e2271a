"""Reports of any content, the risk role's queue and decisions, and what everyone else sees:
a hidden post's label in place of its text, the author's view of the decisions, and hidden or
deleted content leaving the week's scores."""

from __future__ import annotations

import pytest
from eth_utils import function_signature_to_4byte_selector
from sqlalchemy import insert

from planet.core.epochs import EpochCalendar
from planet.rewards.inputs import collect
from planet.store.mirror import attestations
from tests.support.api import CHAIN_ID, GENESIS, chat_url, error, grant_risk_role

# the queue's GROUP BY, the hidden-content joins and the scores' NOT EXISTS run on both dialects
pytestmark = pytest.mark.dialects


def post(client, member, body: str = "gm", **extra) -> int:
    reply = client.post("/posts", json={"body": body, **extra}, headers=member.headers)
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


@pytest.fixture
def risk(member, engine):
    officer = member("risk_officer")
    grant_risk_role(engine, officer.address)
    return officer


def report(client, who, kind: str, target_id: int, reason: str = "scam", **extra):
    body = {"kind": kind, "target_id": target_id, "reason": reason, **extra}
    return client.post("/moderation/reports", json=body, headers=who.headers)


def decide(client, who, action: str, kind: str, target_id: int, **extra):
    body = {"action": action, "kind": kind, "target_id": target_id, "reason": "checked", **extra}
    return client.post("/moderation/decisions", json=body, headers=who.headers)


def test_reports_of_every_kind_reach_the_queue_once_per_reporter(client, member, risk):
    alice, bob, carol = member("alice"), member("bob"), member("carol")
    pid = post(client, alice, "buy my coin")
    cid = client.post(f"/posts/{pid}/comments", json={"body": "dm me"}, headers=bob.headers)
    cid = cid.json()["id"]
    # the post route and the generic one both record reports
    assert client.post(
        f"/posts/{pid}/reports", json={"reason": "scam"}, headers=bob.headers
    ).json() == {"post_id": pid, "reason": "scam"}
    assert report(client, carol, "post", pid, "spam").json()["reason"] == "spam"
    assert report(client, carol, "post", pid, "other").json()["reason"] == "spam"  # first stands
    assert report(client, carol, "comment", cid, note="phishing link").status_code == 200
    assert report(client, carol, "identity", alice.token_id).status_code == 200
    queue = client.get("/moderation/queue", headers=risk.headers)
    assert queue.status_code == 200, queue.text
    items = queue.json()["items"]
    assert [(i["target"]["kind"], i["target"]["id"]) for i in items] == [
        ("post", pid),
        ("comment", cid),
        ("identity", alice.token_id),
    ]
    assert items[0]["reports"] == 2 and items[0]["reasons"] == {"scam": 1, "spam": 1}
    assert items[0]["target"]["text"] == "buy my coin"
    assert items[1]["notes"] == ["phishing link"] and items[1]["target"]["post_id"] == pid
    assert items[2]["target"]["text"] == "@alice"
    page = client.get("/moderation/queue", params={"limit": 2}, headers=risk.headers).json()
    rest = client.get(
        "/moderation/queue", params={"cursor": page["next_cursor"]}, headers=risk.headers
    ).json()
    assert [i["target"]["id"] for i in page["items"] + rest["items"]] == [
        i["target"]["id"] for i in items
    ]


def test_bad_reports_are_refused_by_name(client, member):
    alice, bob = member("alice"), member("bob")
    assert error(report(client, bob, "post", 999_999)) == (404, "not_found")
    assert error(report(client, bob, "message", 999_999)) == (404, "not_found")
    assert error(report(client, bob, "identity", 999_999)) == (404, "not_found")
    pid = post(client, alice)
    assert error(report(client, bob, "post", pid, "lies")) == (422, "validation_error")
    bare = client.post(
        "/moderation/reports", json={"kind": "post", "target_id": pid, "reason": "scam"}
    )
    assert error(bare) == (401, "not_authenticated")
    private = post(client, alice, "for holders", visibility="private")
    assert error(report(client, bob, "post", private)) == (403, "pass_required")


def test_only_the_onchain_risk_role_moderates(client, member, engine):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice)
    assert error(client.get("/moderation/queue", headers=bob.headers)) == (
        403,
        "risk_role_required",
    )
    hide = decide(client, bob, "hide", "post", pid, label="scam")
    assert error(hide) == (403, "risk_role_required")
    assert client.get("/moderation/role", headers=bob.headers).json()["risk_role"] is False
    grant_risk_role(engine, bob.address, held=False)  # granted, then revoked on chain
    assert error(client.get("/moderation/queue", headers=bob.headers))[1] == "risk_role_required"
    assert error(client.get("/moderation/queue")) == (401, "not_authenticated")


def test_hidden_content_shows_its_label_to_everyone_until_restored(client, member, risk):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice, "guaranteed 10x, sponsored but not disclosed")
    report(client, bob, "post", pid, "undisclosed_promotion")
    hidden = decide(client, risk, "hide", "post", pid, label="undisclosed_promotion")
    assert hidden.status_code == 201, hidden.text
    decision = hidden.json()
    assert decision["decided_by"] == risk.account.address and decision["reason"] == "checked"
    for reader in ({}, bob.headers, alice.headers):
        seen = client.get(f"/posts/{pid}", headers=reader).json()
        assert seen["moderation_label"] == "undisclosed_promotion" and seen["body"] == ""
    feed = client.get("/posts").json()["items"]
    assert feed[0]["id"] == pid and feed[0]["body"] == ""  # still listed, with its label
    history = client.get(f"/posts/{pid}/history").json()
    assert {v["body"] for v in history["versions"]} == {""}
    assert error(client.put(f"/posts/{pid}/like", headers=bob.headers)) == (409, "content_hidden")
    edit = client.patch(f"/posts/{pid}", json={"body": "x"}, headers=alice.headers)
    assert error(edit) == (409, "content_hidden")
    assert client.get("/moderation/queue", headers=risk.headers).json()["items"] == []
    again = decide(client, risk, "hide", "post", pid, label="scam")
    assert error(again) == (409, "already_hidden")
    restored = decide(client, risk, "restore", "post", pid)
    assert restored.status_code == 201
    assert client.get(f"/posts/{pid}").json()["body"].startswith("guaranteed")
    assert error(decide(client, risk, "restore", "post", pid)) == (409, "not_hidden")
    no_label = decide(client, risk, "hide", "post", pid)
    assert error(no_label) == (422, "validation_error")


def test_comments_and_chat_messages_hide_too(client, member, risk, clock):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice)
    cid = client.post(f"/posts/{pid}/comments", json={"body": "scam link"}, headers=bob.headers)
    cid = cid.json()["id"]
    assert decide(client, risk, "hide", "comment", cid, label="scam").status_code == 201
    shown = client.get(f"/posts/{pid}/comments").json()["items"][0]
    assert shown["moderation_label"] == "scam" and shown["body"] == ""
    session = client.post(
        "/live",
        json={"title": "AMA", "scheduled_at": int(clock()) + 60},
        headers=alice.headers,
    ).json()["id"]
    clock.advance(60)
    assert client.post(f"/live/{session}/start", headers=alice.headers).status_code == 200
    sent = client.post(
        f"/live/{session}/messages", json={"body": "send me 1 ETH"}, headers=bob.headers
    )
    assert sent.status_code == 201, sent.text
    mid = sent.json()["id"]
    assert report(client, alice, "message", mid).status_code == 200
    assert decide(client, risk, "hide", "message", mid, label="scam").status_code == 201
    history = client.get(f"/live/{session}/messages").json()["items"]
    assert history[0]["moderation_label"] == "scam" and history[0]["body"] == ""


def test_open_chat_sockets_hear_a_message_hidden_and_restored(client, member, risk, clock):
    """Sockets already open on the session swap the text for the label, and back, without
    reading the history again; the decision is the last frame they need."""
    alice, bob = member("alice"), member("bob")
    session = client.post(
        "/live", json={"title": "AMA", "scheduled_at": int(clock()) + 60}, headers=alice.headers
    ).json()["id"]
    clock.advance(60)
    assert client.post(f"/live/{session}/start", headers=alice.headers).status_code == 200
    with client:  # the app's lifespan runs: the broker starts and stops with it
        with (
            client.websocket_connect(chat_url(client, session, alice)) as host,
            client.websocket_connect(f"/live/{session}/chat") as anonymous,
        ):
            assert [ws.receive_json()["type"] for ws in (host, anonymous)] == ["ready"] * 2
            sent = client.post(
                f"/live/{session}/messages", json={"body": "send me 1 ETH"}, headers=bob.headers
            )
            mid = sent.json()["id"]
            assert [ws.receive_json()["id"] for ws in (host, anonymous)] == [mid, mid]

            assert decide(client, risk, "hide", "message", mid, label="scam").status_code == 201
            hidden = {
                "type": "moderated",
                "session_id": session,
                "message_id": mid,
                "label": "scam",
                "body": "",
            }
            assert [ws.receive_json() for ws in (host, anonymous)] == [hidden, hidden]

            assert decide(client, risk, "restore", "message", mid).status_code == 201
            shown = {**hidden, "label": None, "body": "send me 1 ETH"}
            assert [ws.receive_json() for ws in (host, anonymous)] == [shown, shown]

            # a refused decision and one that changes nothing shown say nothing
            assert error(decide(client, risk, "restore", "message", mid))[0] == 409
            assert decide(client, risk, "dismiss", "message", mid).status_code == 201
            ping = client.post(
                f"/live/{session}/messages", json={"body": "next"}, headers=bob.headers
            )
            assert [ws.receive_json()["id"] for ws in (host, anonymous)] == [ping.json()["id"]] * 2


def test_authors_read_the_decisions_about_their_content(client, member, risk):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice)
    other = post(client, bob)
    decide(client, risk, "hide", "post", pid, label="spam")
    decide(client, risk, "restore", "post", pid)
    decide(client, risk, "dismiss", "post", other)
    mine = client.get("/moderation/decisions/mine", headers=alice.headers).json()["items"]
    assert [(d["action"], d["target_id"]) for d in mine] == [("restore", pid), ("hide", pid)]
    assert all(d["decided_by"] == risk.account.address and d["reason"] for d in mine)
    assert [
        d["action"]
        for d in client.get("/moderation/decisions/mine", headers=bob.headers).json()["items"]
    ] == ["dismiss"]
    log = client.get(
        "/moderation/decisions", params={"kind": "post", "target_id": pid}, headers=risk.headers
    ).json()
    assert [d["action"] for d in log["items"]] == ["restore", "hide"]
    assert error(client.get("/moderation/decisions", headers=alice.headers))[0] == 403


def test_revoking_answers_the_transactions_and_refuses_when_nothing_was_earned(
    client, member, risk, engine
):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice)
    client.put(f"/posts/{pid}/like", headers=bob.headers)
    assert error(decide(client, risk, "revoke", "post", pid)) == (409, "nothing_to_revoke")
    signed = client.post(
        "/attestations", json={"activity": "post", "id": pid}, headers=alice.headers
    )
    uid = signed.json()["contribution"]["uid"]
    # not yet recorded on chain: nothing to revoke either
    assert error(decide(client, risk, "revoke", "post", pid)) == (409, "nothing_to_revoke")
    with engine.begin() as conn:
        conn.execute(
            insert(attestations).values(
                chain_id=CHAIN_ID,
                uid=uid,
                account=alice.address,
                epoch=3,
                kind=0,
                amount=2,
                attester="0x" + "00" * 20,
                submitter=alice.address,
                block_number=1,
                log_index=0,
                tx_hash="0x" + "22" * 32,
                revoked=False,
            )
        )
    made = decide(client, risk, "revoke", "post", pid)
    assert made.status_code == 201, made.text
    (tx,) = made.json()["revocations"]
    assert tx["uid"] == uid and tx["amount"] == "2" and tx["activity"] == "post"
    selector = function_signature_to_4byte_selector("revoke(bytes32,string)")
    assert tx["data"].startswith("0x" + selector.hex())
    assert bytes.fromhex(tx["data"][2:])[4:36].hex() == uid[2:]
    assert made.json()["uids"] == [uid]


def test_deleted_and_hidden_posts_and_comments_leave_the_weeks_scores(client, member, risk, engine):
    alice, bob, carol = member("alice"), member("bob"), member("carol")
    posts = [post(client, alice, f"p{n}") for n in range(3)]
    for pid in posts:
        client.put(f"/posts/{pid}/like", headers=bob.headers)
    comment = client.post(f"/posts/{posts[0]}/comments", json={"body": "hi"}, headers=carol.headers)

    def scores() -> dict[str, tuple[int, int]]:
        """Likes and comments per account in the week's inputs, by lowercase address."""
        calendar = EpochCalendar(GENESIS)
        epoch = calendar.epoch_at(int(client.app.state.clock()))
        with engine.connect() as conn:
            got = collect(conn, CHAIN_ID, calendar, epoch, trade_exchanges=()).accounts
        return {k.lower(): (v.likes, v.comments) for k, v in got.items()}

    def likes_and_comments() -> tuple[int, int]:
        return scores()[alice.address.lower()]

    assert likes_and_comments() == (1, 1)  # one distinct liker over three posts, one commenter
    client.delete(f"/comments/{comment.json()['id']}", headers=carol.headers)
    assert likes_and_comments() == (1, 0)
    client.delete(f"/posts/{posts[0]}", headers=alice.headers)
    decide(client, risk, "hide", "post", posts[1], label="scam")
    assert likes_and_comments() == (1, 0)  # bob still likes posts[2]
    decide(client, risk, "hide", "post", posts[2], label="scam")
    assert alice.address.lower() not in scores()


def test_a_hidden_identity_shows_its_label_and_no_persona(client, member, risk):
    alice, bob = member("alice"), member("bob")
    persona = {"bio": "Official OKX support, DM me", "links": [], "pinned_post_ids": []}
    client.put("/profiles/me/persona", json=persona, headers=alice.headers)
    assert report(client, bob, "identity", alice.token_id, "other").status_code == 200
    hidden = decide(client, risk, "hide", "identity", alice.token_id, label="impersonation")
    assert hidden.status_code == 201, hidden.text
    profile = client.get("/profiles/alice").json()
    assert profile["moderation_label"] == "impersonation" and profile["persona"] is None
    listed = {p["handle"]: p for p in client.get("/profiles").json()["items"]}
    assert listed["alice"]["bio"] is None and listed["bob"]["bio"] is None
    decide(client, risk, "restore", "identity", alice.token_id)
    assert client.get("/profiles/alice").json()["persona"]["bio"] == persona["bio"]
    listed = {p["handle"]: p for p in client.get("/profiles").json()["items"]}
    assert listed["alice"]["bio"] == persona["bio"]
