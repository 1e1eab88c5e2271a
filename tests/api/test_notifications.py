"""Notifications: who is told what, the paged list with its read markers, and the scan of the
mirrored chain that never tells anything twice. The live stream is
tests/api/test_notifications_stream.py (real server processes)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from eth_account import Account
from sqlalchemy import delete, func, insert, select

from api.db import after_commit, transaction
from planet.store.mirror import attestations, pass_holdings, passes
from planet.store.offchain import notifications, posts
from tests.api import test_rewards as rewards
from tests.support.api import CHAIN_ID, START, add_identity, add_native_pass, error, sign_in

DAY = 24 * 3600


@pytest.fixture
def client(make_client):
    # every read scans the reader's own (no once-a-minute throttle) and no schedule runs
    return make_client(notification_scan_interval=0)


def listed(client, who, **params) -> dict:
    reply = client.get("/notifications", params=params, headers=who.headers)
    assert reply.status_code == 200, reply.text
    return reply.json()


def texts(client, who) -> list[str]:
    return [n["text"] for n in listed(client, who)["items"]]


def post(client, who, body: str, visibility: str = "public") -> int:
    reply = client.post(
        "/posts", json={"body": body, "visibility": visibility}, headers=who.headers
    )
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def follow(client, fan, creator) -> None:
    assert client.put(f"/profiles/{creator.handle}/follow", headers=fan.headers).status_code == 200


@pytest.mark.dialects  # one INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING per post
def test_followers_are_told_of_a_post_and_a_private_one_says_nothing_of_its_text(client, member):
    alice, fan, stranger = member("alice"), member("fan"), member("stranger")
    follow(client, fan, alice)
    public = post(client, alice, "BTC looks heavy into the close")
    private = post(client, alice, "members only: my entry is 61k", "private")
    items = listed(client, fan)["items"]
    assert [(n["kind"], n["post_id"]) for n in items] == [("post", private), ("post", public)]
    assert items[0]["text"] == "@alice posted in their private community"
    assert items[0]["excerpt"] is None and "61k" not in str(items[0])
    assert items[1]["text"] == "@alice posted"
    assert items[1]["excerpt"] == "BTC looks heavy into the close"
    assert items[1]["link"] == f"/post/{public}" and items[1]["actor"]["handle"] == "alice"
    assert listed(client, stranger)["items"] == []  # not a follower
    assert listed(client, alice)["items"] == []  # never told of one's own post


def test_a_comment_and_a_like_tell_the_author_once_and_never_about_oneself(client, member):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice, "gm")
    assert client.post(
        f"/posts/{pid}/comments", json={"body": "gm to you"}, headers=bob.headers
    ).is_success
    for _ in range(2):  # like, unlike, like: news once
        assert client.put(f"/posts/{pid}/like", headers=bob.headers).is_success
        assert client.delete(f"/posts/{pid}/like", headers=bob.headers).is_success
    assert client.put(f"/posts/{pid}/like", headers=alice.headers).is_success  # her own
    assert client.post(f"/posts/{pid}/comments", json={"body": "me"}, headers=alice.headers)
    items = listed(client, alice)["items"]
    assert [(n["kind"], n["text"], n["excerpt"]) for n in items] == [
        ("like", "@bob liked your post", "gm"),
        ("comment", "@bob commented on your post", "gm to you"),
    ]
    assert listed(client, bob)["items"] == []


def test_a_comment_on_a_private_post_is_told_without_its_text(client, member, engine):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice, "secret alpha", "private")
    add_native_pass(engine, 1, alice.account.address, [bob.account.address])
    reply = client.post(
        f"/posts/{pid}/comments", json={"body": "thanks for the secret"}, headers=bob.headers
    )
    assert reply.status_code == 201, reply.text
    assert client.put(f"/posts/{pid}/like", headers=bob.headers).is_success
    items = listed(client, alice)["items"]
    assert [n["text"] for n in items] == [
        "@bob liked your private post",
        "@bob commented on your private post",
    ]
    assert "secret" not in str(items)


def test_followers_are_told_a_creator_went_live_and_a_private_title_stays_private(client, member):
    alice, fan = member("alice"), member("fan")
    follow(client, fan, alice)
    soon = datetime.fromtimestamp(START + 3600, tz=UTC).isoformat()
    ids = []
    for title, visibility in (("Open AMA", "public"), ("Members strategy", "private")):
        body = {"title": title, "scheduled_at": soon, "visibility": visibility}
        created = client.post("/live", json=body, headers=alice.headers)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    assert listed(client, fan)["items"] == []  # scheduling is not going live
    for sid in ids:
        assert client.post(f"/live/{sid}/start", headers=alice.headers).is_success
    items = listed(client, fan)["items"]
    assert [(n["kind"], n["session_id"], n["text"]) for n in items] == [
        ("live", ids[1], "@alice went live in their private community"),
        ("live", ids[0], "@alice went live: Open AMA"),
    ]
    assert items[0]["link"] == f"/session/{ids[1]}"


@pytest.mark.dialects
def test_pages_unread_filter_and_read_markers(client, member):
    alice, fan, other = member("alice"), member("fan"), member("other")
    follow(client, fan, alice)
    follow(client, other, alice)
    pids = [post(client, alice, f"post {i}") for i in range(5)]
    first = listed(client, fan, limit=2)
    assert [n["post_id"] for n in first["items"]] == pids[:2:-1][:2]
    assert first["unread"] == 5 and first["next_cursor"]
    rest = listed(client, fan, limit=10, cursor=first["next_cursor"])
    assert [n["post_id"] for n in rest["items"]] == pids[2::-1] and rest["next_cursor"] is None
    ids = [n["id"] for n in first["items"] + rest["items"]]  # newest first

    reply = client.post("/notifications/read", json={"up_to": ids[3]}, headers=fan.headers)
    assert reply.json() == {"marked": 2, "unread": 3}
    reply = client.post("/notifications/read", json={"ids": [ids[0]]}, headers=fan.headers)
    assert reply.json() == {"marked": 1, "unread": 2}
    again = client.post("/notifications/read", json={"ids": [ids[0]]}, headers=fan.headers)
    assert again.json() == {"marked": 0, "unread": 2}  # idempotent
    unread = listed(client, fan, unread="true")
    assert [n["id"] for n in unread["items"]] == ids[1:3] and unread["unread"] == 2
    assert all(not n["read"] for n in unread["items"])
    # another's ids are not yours to mark
    theirs = listed(client, other)["items"]
    mine = client.post(
        "/notifications/read", json={"ids": [n["id"] for n in theirs]}, headers=fan.headers
    )
    assert mine.json()["marked"] == 0 and listed(client, other)["unread"] == 5


def test_bad_requests_are_refused_with_a_named_error(client, member):
    fan = member("fan")
    no_identity = member(identity=False)
    assert error(client.get("/notifications")) == (401, "not_authenticated")
    assert error(client.get("/notifications", headers=no_identity.headers)) == (
        403,
        "identity_required",
    )
    bad = client.get("/notifications", params={"cursor": "!!"}, headers=fan.headers)
    assert error(bad) == (422, "invalid_cursor")
    unknown = client.get("/notifications", params={"since": "1"}, headers=fan.headers)
    assert error(unknown) == (422, "validation_error")
    for body in ({}, {"up_to": 1, "ids": [1]}, {"ids": []}, {"up_to": 0}, {"up_to": 2**63}):
        reply = client.post("/notifications/read", json=body, headers=fan.headers)
        assert error(reply) == (422, "validation_error"), body
    assert error(client.post("/notifications/read", json={"up_to": 1})) == (
        401,
        "not_authenticated",
    )


def subscription(engine, pass_id: int, creator: str, holder: str, expiry: int) -> None:
    """A 30-day subscription pass of ``creator``'s that ``holder`` holds until ``expiry``."""
    with engine.begin() as conn:
        conn.execute(
            insert(passes).values(
                chain_id=CHAIN_ID,
                pass_id=pass_id,
                creator=creator.lower(),
                currency="0x" + "00" * 20,
                price=10**15,
                max_supply=2**64 - 1,
                wallet_limit=1,
                duration=30 * DAY,
                transferable=False,
                royalty_bps=0,
                fee_bps=0,
                paused=False,
                minted=1,
                uri="",
                created_block=1,
                created_tx="0x" + "22" * 32,
                updated_block=1,
            )
        )
        conn.execute(
            insert(pass_holdings).values(
                chain_id=CHAIN_ID,
                pass_id=pass_id,
                holder=holder.lower(),
                balance=1,
                minted=1,
                expiry=expiry,
                updated_block=1,
            )
        )


def revoked_attestation(engine, account: str, uid: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(attestations).values(
                chain_id=CHAIN_ID,
                uid=uid,
                account=account.lower(),
                epoch=3,
                kind=1,
                amount=25,
                attester="0x" + "aa" * 20,
                submitter=account.lower(),
                block_number=10,
                log_index=0,
                tx_hash="0x" + "12" * 32,
                revoked=True,
                revoked_reason="undisclosed promotion",
                revoker="0x" + "bb" * 20,
                revoked_block=11,
                revoked_tx="0x" + "13" * 32,
            )
        )


@pytest.mark.dialects
def test_the_chain_scan_tells_of_passes_and_revocations_once(client, member, engine, clock):
    alice, fan = member("alice"), member("fan")
    # expires in 2 days: "lapses"; another in 5 days: not yet; one lapsed 30 days ago: history
    subscription(engine, 1, alice.account.address, fan.account.address, START + 2 * DAY)
    subscription(engine, 2, alice.account.address, fan.account.address, START + 5 * DAY)
    subscription(engine, 3, alice.account.address, fan.account.address, START - 30 * DAY)
    revoked_attestation(engine, fan.account.address, "0x" + "01" * 32)
    first = listed(client, fan)["items"]
    assert sorted(n["kind"] for n in first) == ["attestation_revoked", "pass_expiring"]
    expiring = next(n for n in first if n["kind"] == "pass_expiring")
    assert expiring["text"].startswith("Your pass #1 of @alice lapses on ")
    assert expiring["link"] == "/creator/alice"
    revoked = next(n for n in first if n["kind"] == "attestation_revoked")
    assert revoked["text"] == (
        "An attestation of 25 points for epoch 3 was revoked: undisclosed promotion"
    )
    assert len(listed(client, fan)["items"]) == 2  # scanning again tells nothing new

    clock.now = START + 3 * DAY  # pass 1 lapsed; pass 2 now within 3 days
    client.app.state.notifier.scan()  # the scheduled scan, everyone's
    fan = replace(fan, headers=sign_in(client, fan.account))  # days later: a new session
    kinds = [(n["kind"], n["text"].split()[2]) for n in listed(client, fan)["items"]]
    assert sorted(kinds) == [
        ("attestation_revoked", "of"),
        ("pass_expiring", "#1"),
        ("pass_expiring", "#2"),
        ("pass_lapsed", "#1"),
    ]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(notifications)).scalar_one() == 4


@pytest.mark.dialects
def test_a_claimable_reward_is_told_once_to_each_unclaimed_account_with_an_identity(
    make_client, member, engine, clock, tmp_path
):
    dists = tmp_path / "distributions"
    client = make_client(
        distributions_dir=dists, claim_window=rewards.WINDOW, notification_scan_interval=0
    )
    fan, claimed = member("fan"), member("claimed")
    later = Account.create()  # registers an identity only after the epoch was announced
    nobody = Account.create().address  # never registers
    scores = {fan.account.address: 2, claimed.account.address: 1, later.address: 1, nobody: 1}
    d2 = rewards.distribution(2, 1000, scores)
    d3 = rewards.distribution(3, 500, scores)
    rewards.publish(engine, dists, 2, d2, START - 100)
    rewards.publish(engine, dists, 3, d3, START + 3600)  # still in its challenge period
    rewards.claim_row(
        engine, 2, claimed.account.address, rewards.amount(d2, claimed.account.address)
    )

    notifier = client.app.state.notifier
    told = notifier.scan()
    assert [c.recipient_token_id for c in told] == [fan.token_id]
    assert notifier.scan() == []  # done: the epoch is not read again
    [item] = listed(client, fan)["items"]
    assert item["kind"] == "reward_claimable" and item["link"] == "/my-rewards"
    assert item["text"] == (
        f"Your reward for epoch 2 is claimable: {rewards.amount(d2, fan.account.address)} "
        "(in the vault's token's smallest unit)"
    )
    assert listed(client, claimed)["items"] == []

    # a wallet that registers afterwards hears of it when it reads its notifications
    later_token = add_identity(engine, later.address, "later")
    late = sign_in(client, later)
    kinds = [n["kind"] for n in client.get("/notifications", headers=late).json()["items"]]
    assert kinds == ["reward_claimable"]

    clock.now = START + 3601  # epoch 3's challenge period is over: all three are told
    told = notifier.scan()
    assert sorted(c.recipient_token_id for c in told) == sorted(
        [fan.token_id, claimed.token_id, later_token]
    )


def test_a_notification_about_a_deleted_post_quotes_and_links_nothing(client, member, engine):
    alice, fan = member("alice"), member("fan")
    follow(client, fan, alice)
    pid = post(client, alice, "soon gone")
    with engine.begin() as conn:
        conn.execute(delete(posts).where(posts.c.id == pid))
    [item] = listed(client, fan)["items"]
    assert item["text"] == "@alice posted (since deleted)"
    assert item["excerpt"] is None and item["link"] is None


def test_a_short_stream_sends_ready_then_what_came_after_last_event_id(make_client, member):
    """The stream's frames, on a server whose streams end after a moment (so the whole answer
    can be read here; tests/api/test_notifications_stream.py holds them open on real servers)."""
    client = make_client(notification_stream_seconds=0.3)
    alice, fan = member("alice"), member("fan")
    follow(client, fan, alice)
    first, second = post(client, alice, "one"), post(client, alice, "two")
    [older, newer] = sorted(n["id"] for n in listed(client, fan)["items"])
    reply = client.get(
        "/notifications/stream", headers={**fan.headers, "Last-Event-ID": str(older)}
    )
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/event-stream")
    assert reply.headers["cache-control"] == "no-store"
    frames = [f for f in reply.text.split("\n\n") if f]
    assert frames[0] == "retry: 1000"
    assert frames[1] == f'event: ready\ndata: {{"unread":2,"last_id":{newer}}}'
    head, data = frames[2].split("\ndata: ")
    assert head == f"id: {newer}\nevent: notification"
    told = json.loads(data)
    assert told["post_id"] == second != first and told["text"] == "@alice posted"
    assert frames[3:] == [": keep-alive"]  # then the stream's time was up


def test_streams_are_capped_per_address_and_refused_without_a_session(client, member):
    fan = member("fan")
    streams = client.app.state.notification_streams
    for _ in range(client.app.state.settings.notification_streams_per_ip):
        assert streams.acquire("testclient")
    assert error(client.get("/notifications/stream", headers=fan.headers)) == (
        429,
        "too_many_streams",
    )
    assert error(client.get("/notifications/stream")) == (401, "not_authenticated")
    no_identity = member(identity=False)
    reply = client.get("/notifications/stream", headers=no_identity.headers)
    assert error(reply) == (403, "identity_required")
    bad = client.get("/notifications/stream", headers={**fan.headers, "Last-Event-ID": "x"})
    assert error(bad) == (422, "validation_error")


def test_live_delivery_waits_for_the_commit_and_a_rollback_delivers_nothing(engine):
    """What a stream is poked about is in the database when it reads: hooks run after the
    commit, and never for a transaction that rolled back."""
    ran: list[str] = []
    with transaction(engine) as conn:
        after_commit(conn, lambda: ran.append("committed"))
        assert ran == []
    assert ran == ["committed"]
    with pytest.raises(RuntimeError), transaction(engine) as conn:
        after_commit(conn, lambda: ran.append("rolled back"))
        raise RuntimeError("the route failed")
    assert ran == ["committed"]
