"""Public posts: disclosure rule, cursor pagination, likes, comments, reports, views, limits."""

from __future__ import annotations

import pytest

from tests.support.api import error, sign_in

TAGGED = {"body": "BTC looks strong", "instruments": ["BTC-USDT"]}


def post(client, member, **body):
    return client.post("/posts", json={"body": "gm", **body}, headers=member.headers)


def test_a_member_with_an_identity_posts_and_anyone_reads_it(client, member):
    alice = member("alice")
    created = post(client, alice, body="hello planet")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["author"] == {
        "token_id": alice.token_id,
        "handle": "alice",
        "address": alice.address,
    }
    assert body["disclosure"] is None and body["instruments"] == []
    read = client.get(f"/posts/{body['id']}")
    assert read.status_code == 200 and read.json() == body


def test_posting_needs_an_identity(client, member):
    assert error(post(client, member(identity=False))) == (403, "identity_required")


def test_posting_needs_a_session(client):
    assert error(client.post("/posts", json={"body": "x"})) == (401, "not_authenticated")


def test_instruments_require_both_disclosure_labels(client, member):
    alice = member()
    assert error(post(client, alice, **TAGGED)) == (422, "disclosure_required")
    half = {**TAGGED, "disclosure": {"holds_position": True}}
    assert error(post(client, alice, **half)) == (422, "disclosure_required")
    full = {**TAGGED, "disclosure": {"holds_position": False, "sponsored": False}}
    reply = post(client, alice, **full)
    assert reply.status_code == 201
    assert reply.json()["disclosure"] == {"holds_position": False, "sponsored": False}


def test_a_malformed_instrument_is_a_validation_error(client, member):
    reply = post(client, member(), instruments=["btc/usdt"])
    assert error(reply) == (422, "validation_error")
    assert reply.json()["error"]["details"][0]["field"].startswith("instruments")


@pytest.mark.dialects  # keyset paging: the SQL differs by dialect
def test_pages_walk_every_post_newest_first_once(client, member):
    alice = member()
    ids = [post(client, alice, body=f"post {i}").json()["id"] for i in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/posts", params=params).json()
        seen += [p["id"] for p in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)
    assert pages == 3


@pytest.mark.dialects  # keyset paging: the SQL differs by dialect
def test_a_bad_cursor_or_limit_is_422(client):
    assert error(client.get("/posts", params={"cursor": "!!"})) == (422, "invalid_cursor")
    assert error(client.get("/posts", params={"limit": 0})) == (422, "validation_error")


def test_unknown_post_is_404(client):
    assert error(client.get("/posts/999")) == (404, "not_found")


def test_a_like_counts_once_per_identity_and_repeats_are_idempotent(client, member):
    alice, bob, carol = member(), member(), member()
    pid = post(client, alice).json()["id"]
    first = client.put(f"/posts/{pid}/like", headers=bob.headers)
    again = client.put(f"/posts/{pid}/like", headers=bob.headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == {"post_id": pid, "liked": True, "like_count": 1}
    assert client.put(f"/posts/{pid}/like", headers=carol.headers).json()["like_count"] == 2
    assert client.delete(f"/posts/{pid}/like", headers=bob.headers).json()["like_count"] == 1
    assert client.delete(f"/posts/{pid}/like", headers=bob.headers).json()["like_count"] == 1
    assert client.get(f"/posts/{pid}").json()["like_count"] == 1


def test_liking_needs_an_identity(client, member):
    pid = post(client, member()).json()["id"]
    reply = client.put(f"/posts/{pid}/like", headers=member(identity=False).headers)
    assert error(reply) == (403, "identity_required")


def test_comments_are_listed_oldest_first_and_counted(client, member):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice).json()["id"]
    for text in ("first", "second", "third"):
        reply = client.post(f"/posts/{pid}/comments", json={"body": text}, headers=bob.headers)
        assert reply.status_code == 201
    page = client.get(f"/posts/{pid}/comments", params={"limit": 2}).json()
    assert [c["body"] for c in page["items"]] == ["first", "second"]
    rest = client.get(f"/posts/{pid}/comments", params={"cursor": page["next_cursor"]}).json()
    assert [c["body"] for c in rest["items"]] == ["third"] and rest["next_cursor"] is None
    assert page["items"][0]["author"]["handle"] == "bob"
    assert client.get(f"/posts/{pid}").json()["comment_count"] == 3


def test_a_report_is_recorded_once_with_its_first_reason(client, member):
    alice, bob = member(), member()
    pid = post(client, alice).json()["id"]
    first = client.post(f"/posts/{pid}/reports", json={"reason": "scam"}, headers=bob.headers)
    again = client.post(f"/posts/{pid}/reports", json={"reason": "spam"}, headers=bob.headers)
    assert first.json() == again.json() == {"post_id": pid, "reason": "scam"}
    bad = client.post(f"/posts/{pid}/reports", json={"reason": "meh"}, headers=bob.headers)
    assert error(bad) == (422, "validation_error")


def test_views_count_anonymously_and_reading_does_not(client, member):
    pid = post(client, member()).json()["id"]
    client.get(f"/posts/{pid}")
    assert client.post(f"/posts/{pid}/views").json() == {"post_id": pid, "view_count": 1}
    assert client.post(f"/posts/{pid}/views").json()["view_count"] == 2


def test_signed_in_identities_are_recorded_once_per_post_anonymous_only_count(
    client, member, engine, clock
):
    from sqlalchemy import select

    from planet.store.offchain import post_views

    alice, bob = member(), member()
    stranger = member(identity=False)
    pid = post(client, alice).json()["id"]
    first_at = int(clock())
    client.post(f"/posts/{pid}/views", headers=bob.headers)
    clock.advance(60)
    client.post(f"/posts/{pid}/views", headers=bob.headers)
    client.post(f"/posts/{pid}/views", headers=stranger.headers)
    reply = client.post(f"/posts/{pid}/views")
    assert reply.json()["view_count"] == 4
    with engine.connect() as conn:
        rows = conn.execute(select(post_views)).all()
    assert [(r.post_id, r.token_id, r.first_viewed_at) for r in rows] == [
        (pid, bob.token_id, first_at)
    ]


def test_the_ip_limit_answers_429_in_the_error_shape(make_client, clock):
    client = make_client(rate_limit_ip=60, rate_limit_burst=3)
    for _ in range(3):
        assert client.get("/posts").status_code == 200
    reply = client.get("/posts")
    assert error(reply) == (429, "rate_limited")
    assert int(reply.headers["Retry-After"]) >= 1


def test_the_identity_limit_is_per_wallet(make_client, engine):
    from eth_account import Account

    client = make_client(rate_limit_identity=1, rate_limit_burst=2)
    alice, bob = Account.create(), Account.create()
    alice_headers, bob_headers = sign_in(client, alice), sign_in(client, bob)
    for _ in range(2):
        assert client.get("/auth/me", headers=alice_headers).status_code == 200
    assert error(client.get("/auth/me", headers=alice_headers)) == (429, "rate_limited")
    assert client.get("/auth/me", headers=bob_headers).status_code == 200


def test_a_bucket_refills_over_time():
    import pytest

    from api.errors import RateLimited
    from api.services.ratelimit import TokenBucket

    now = [0.0]
    bucket = TokenBucket(per_minute=60, burst=2, clock=lambda: now[0])
    bucket.take("k")
    bucket.take("k")
    with pytest.raises(RateLimited):
        bucket.take("k")
    now[0] += 1.0
    bucket.take("k")
    bucket.take("other")
