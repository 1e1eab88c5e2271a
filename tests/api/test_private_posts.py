"""Private posts without a chain: the feed, pinning, validation and unknown communities."""

from __future__ import annotations

from tests.support.api import error


def test_private_posts_stay_out_of_the_feed_and_cannot_be_pinned(client, member):
    alice = member("alice")
    public = client.post("/posts", json={"body": "hi"}, headers=alice.headers).json()
    private = client.post(
        "/posts", json={"body": "secret", "visibility": "private"}, headers=alice.headers
    ).json()
    assert public["visibility"] == "public" and private["visibility"] == "private"
    feed = client.get("/posts").json()
    assert [p["id"] for p in feed["items"]] == [public["id"]] and feed["next_cursor"] is None
    pinned = client.put(
        "/profiles/me/persona", json={"pinned_post_ids": [private["id"]]}, headers=alice.headers
    )
    assert error(pinned) == (422, "invalid_pinned_post")
    # the creator reads their own community with no pass at all
    mine = client.get("/communities/alice/posts", headers=alice.headers).json()
    assert [p["id"] for p in mine["items"]] == [private["id"]]


def test_a_signed_in_wallet_without_identity_or_pass_is_refused(client, member):
    alice, stranger = member("alice"), member(identity=False)
    pid = client.post(
        "/posts", json={"body": "secret", "visibility": "private"}, headers=alice.headers
    ).json()["id"]
    assert error(client.get(f"/posts/{pid}", headers=stranger.headers)) == (403, "pass_required")
    assert error(client.get("/communities/alice/posts", headers=stranger.headers)) == (
        403,
        "pass_required",
    )


def test_bad_visibility_and_unknown_community(client, member):
    alice = member("alice")
    bad = client.post("/posts", json={"body": "x", "visibility": "secret"}, headers=alice.headers)
    assert error(bad) == (422, "validation_error")
    assert error(client.get("/communities/nobody_here/posts", headers=alice.headers)) == (
        404,
        "not_found",
    )
