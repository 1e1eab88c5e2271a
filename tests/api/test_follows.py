"""Following creators: the graph, its lists, the feeds it filters; and a query parameter the
route does not take is refused rather than silently ignored."""

from __future__ import annotations

import pytest

from tests.support.api import error

# insert-or-ignore and the feed's sub-select differ by dialect
pytestmark = pytest.mark.dialects


def follow(client, who, whom: str):
    return client.put(f"/profiles/{whom}/follow", headers=who.headers)


def post(client, member, body: str = "gm", **extra):
    reply = client.post("/posts", json={"body": body, **extra}, headers=member.headers)
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def test_following_is_idempotent_and_counted(client, member):
    fan, grace = member("fan"), member("grace")
    first = follow(client, fan, "grace")
    assert first.status_code == 200, first.text
    assert first.json() == {"handle": "grace", "following": True, "followers": 1}
    assert follow(client, fan, "GRACE").json()["followers"] == 1  # handles in any case
    assert follow(client, fan, grace.address).json()["followers"] == 1  # or by wallet
    state = client.get("/profiles/grace/follow", headers=fan.headers)
    assert state.json() == {"handle": "grace", "following": True, "followers": 1}
    gone = client.delete("/profiles/grace/follow", headers=fan.headers)
    assert gone.json() == {"handle": "grace", "following": False, "followers": 0}
    assert client.delete("/profiles/grace/follow", headers=fan.headers).status_code == 200
    state = client.get("/profiles/GRACE/follow", headers=fan.headers)
    assert state.json() == {"handle": "grace", "following": False, "followers": 0}
    # the state is the reader's own: a session with an identity, of a known identity
    assert error(client.get("/profiles/grace/follow")) == (401, "not_authenticated")
    no_identity = member(identity=False)
    assert error(client.get("/profiles/grace/follow", headers=no_identity.headers)) == (
        403,
        "identity_required",
    )
    assert error(client.get("/profiles/nobody/follow", headers=fan.headers)) == (404, "not_found")


def test_the_lists_show_both_sides_in_pages(client, member):
    grace = member("grace")
    fans = [member(f"fan_{n}") for n in range(5)]
    for fan in fans:
        follow(client, fan, "grace")
    follow(client, grace, "fan_0")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/profiles/grace/followers", params=params).json()
        assert page["total"] == 5
        seen += [f["handle"] for f in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(f.handle for f in fans) and len(seen) == 5
    following = client.get("/profiles/grace/following").json()
    assert [f["handle"] for f in following["items"]] == ["fan_0"]
    assert following["items"][0]["address"] == fans[0].address
    assert client.get("/profiles/fan_3/following").json()["total"] == 1


def test_bad_follows_are_refused_by_name(client, member):
    fan, grace = member("fan"), member("grace")
    assert error(follow(client, grace, "grace")) == (422, "cannot_follow_self")
    assert error(follow(client, fan, "nobody_here")) == (404, "not_found")
    assert error(client.put("/profiles/grace/follow")) == (401, "not_authenticated")
    assert error(follow(client, member(identity=False), "grace")) == (403, "identity_required")
    bad_cursor = client.get("/profiles/grace/followers", params={"cursor": "!!"})
    assert error(bad_cursor) == (422, "invalid_cursor")
    assert client.get("/profiles/grace/followers").json()["total"] == 0  # nothing half-done


def test_an_authors_feed_holds_only_their_public_posts(client, member):
    grace, bob = member("grace"), member("bob")
    mine = [post(client, grace, f"g{n}") for n in range(3)]
    post(client, bob, "b")
    post(client, grace, "for holders", visibility="private")
    feed = client.get("/posts", params={"author": "grace"}).json()
    assert [p["id"] for p in feed["items"]] == mine[::-1]
    by_wallet = client.get("/posts", params={"author": grace.address}).json()
    assert by_wallet == feed
    assert error(client.get("/posts", params={"author": "nobody_here"})) == (404, "not_found")


def test_the_following_feed_holds_the_followed_authors_only(client, member):
    fan, grace, bob, carol = member("fan"), member("grace"), member("bob"), member("carol")
    g = post(client, grace, "from grace")
    post(client, bob, "from bob")
    c = post(client, carol, "from carol")
    follow(client, fan, "grace")
    follow(client, fan, "carol")
    feed = client.get("/posts", params={"following": "true"}, headers=fan.headers).json()
    assert [p["id"] for p in feed["items"]] == [c, g]
    both = client.get("/posts", params={"following": "true", "author": "bob"}, headers=fan.headers)
    assert both.json()["items"] == []  # bob's posts, but bob is not followed
    alone = client.get("/posts", params={"following": "true"}, headers=bob.headers).json()
    assert alone["items"] == []
    assert error(client.get("/posts", params={"following": "true"})) == (401, "not_authenticated")


def test_a_query_parameter_the_route_does_not_take_is_refused(client, member):
    member("grace")
    for path in ("/posts", "/profiles/grace", "/profiles/grace/followers"):
        reply = client.get(path, params={"tag": "ETH"})
        assert error(reply) == (422, "validation_error"), path
        assert reply.json()["error"]["details"][0]["field"] == "query.tag"
        assert "unknown query parameter" in reply.json()["error"]["message"]
    listed = client.get("/posts", params={"limit": 1, "autor": "grace"})
    assert "limit" in listed.json()["error"]["message"]  # it names what the route takes


def test_the_directory_orders_by_followers_then_newest_registration(client, member):
    member("ada")
    grace, lin = member("grace"), member("lin")
    fans = [member(f"fan_{n}") for n in range(3)]
    for fan in fans:
        follow(client, fan, "grace")
    follow(client, fans[0], "ada")
    follow(client, lin, "ada")
    follow(client, grace, "lin")
    handles, cursor = [], None
    while True:
        params = {"sort": "followers", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/profiles", params=params).json()
        handles += [(p["handle"], p["followers"]) for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert handles == [
        ("grace", 3),
        ("ada", 2),
        ("lin", 1),
        ("fan_2", 0),
        ("fan_1", 0),
        ("fan_0", 0),
    ]


def test_the_directory_orders_by_latest_public_post(client, member):
    ada, grace, lin = member("ada"), member("grace"), member("lin")
    post(client, grace, "first")
    post(client, ada, "second")
    post(client, lin, "private, not activity here", visibility="private")
    page = client.get("/profiles", params={"sort": "active"}).json()
    assert [p["handle"] for p in page["items"]] == ["ada", "grace", "lin"]
