"""Private community posts on a real anvil: creators A and B define passes, fans mint (lifetime,
a subscription left to lapse by time travel, B's pass only, nothing), the indexer mirrors it,
and over HTTP only A and A's current pass holders see A's private posts, on every route that
could reveal them; renewing restores access once re-indexed. The API's decision is checked
against the contract's own ``hasAccess`` at each step."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from planet.core.passes import PassTerms
from planet.store import OFFCHAIN, migrate
from tests.support.api import SECRET, error, sign_in
from tests.support.protocol import DAY, ZERO

PRICE = 10**15
GATED = ("get", "comments", "comment", "like", "unlike", "view", "report", "community")


def attempt(client: TestClient, route: str, post_id: int, handle: str, headers: dict) -> object:
    """One request that would reveal or touch private post ``post_id``."""
    if route == "get":
        return client.get(f"/posts/{post_id}", headers=headers)
    if route == "comments":
        return client.get(f"/posts/{post_id}/comments", headers=headers)
    if route == "comment":
        return client.post(f"/posts/{post_id}/comments", json={"body": "hi"}, headers=headers)
    if route == "like":
        return client.put(f"/posts/{post_id}/like", headers=headers)
    if route == "unlike":
        return client.delete(f"/posts/{post_id}/like", headers=headers)
    if route == "view":
        return client.post(f"/posts/{post_id}/views", headers=headers)
    if route == "report":
        return client.post(f"/posts/{post_id}/reports", json={"reason": "spam"}, headers=headers)
    assert route == "community"
    return client.get(f"/communities/{handle}/posts", headers=headers)


def test_private_posts_are_gated_by_the_creators_passes(
    chain, planet, manifest, manifest_file, database_url, settings_for, make_indexer
):
    a, b, lifer, subscriber, other_fan, nobody = planet.actors.users
    for user, handle in [
        (a, "creator_a"),
        (b, "creator_b"),
        (lifer, "lifer"),
        (subscriber, "subscriber"),
        (other_fan, "other_fan"),
        (nobody, "nobody"),
    ]:
        planet.register(user, handle)
    lifetime = planet.create_pass(a, PassTerms(ZERO, PRICE, 100, 2, uri="ipfs://a/lifetime"))
    monthly = planet.create_pass(a, PassTerms(ZERO, PRICE, 100, 1, DAY, uri="ipfs://a/daily"))
    b_pass = planet.create_pass(b, PassTerms(ZERO, PRICE, 100, 2, uri="ipfs://b/lifetime"))
    planet.mint_pass(lifer, lifetime, 1, lifer.address)
    planet.mint_pass(subscriber, monthly, 1, subscriber.address)
    planet.mint_pass(other_fan, b_pass, 1, other_fan.address)
    cp = planet.community_pass.functions
    expiry = cp.expiryOf(monthly, subscriber.address).call()

    indexer, engine = make_indexer(settings_for(database_url))
    indexer.catch_up()
    migrate(engine, OFFCHAIN)
    settings = ApiSettings(
        database_url=database_url,
        chain_id=manifest.chain_id,
        siwe_domain="planet.test",
        session_secret=SECRET,
        manifest=manifest_file,
        token_ttl=30 * DAY,  # sessions outlive the time travel below
        rate_limit_ip=100_000,
        rate_limit_identity=100_000,
        rate_limit_burst=10_000,
    )
    chain_time = lambda: planet.w3.eth.get_block("latest").timestamp  # noqa: E731
    app = create_app(settings, clock=chain_time)
    with TestClient(app) as client:
        h = {u.address: sign_in(client, u) for u in planet.actors.users}

        def on_chain_access(user) -> bool:
            return any(cp.hasAccess(user.address, p).call() for p in (lifetime, monthly))

        public = client.post("/posts", json={"body": "hello all"}, headers=h[a.address])
        secret = client.post(
            "/posts", json={"body": "A's alpha", "visibility": "private"}, headers=h[a.address]
        )
        b_secret = client.post(
            "/posts", json={"body": "B's alpha", "visibility": "private"}, headers=h[b.address]
        )
        assert secret.status_code == 201, secret.text
        assert secret.json()["visibility"] == "private"
        pid, b_pid = secret.json()["id"], b_secret.json()["id"]

        def check(user, expected: int | str) -> None:
            """Every gated route answers ``expected`` (200 class or an error code) for user."""
            for route in GATED:
                reply = attempt(client, route, pid, "creator_a", h[user.address])
                if isinstance(expected, int):
                    assert reply.status_code // 100 == 2, (route, reply.text)
                else:
                    assert error(reply) == (403, expected), (route, reply.text)

        # the public feed never shows private posts, nor counts them
        feed = client.get("/posts", headers=h[a.address]).json()["items"]
        assert [p["id"] for p in feed] == [public.json()["id"]]

        # the creator, the lifetime holder and the current subscriber read A's community
        assert on_chain_access(lifer) and on_chain_access(subscriber)
        for user in (a, lifer, subscriber):
            check(user, 200)
        # no pass, and B's pass: refused on every route, and neither sees A's post
        assert not on_chain_access(nobody) and not on_chain_access(other_fan)
        check(nobody, "pass_required")
        check(other_fan, "pass_required")
        # anonymous: sign in first
        for route in ("get", "comments", "view", "community"):
            assert error(attempt(client, route, pid, "creator_a", {}))[0] == 401
        # B's pass gives B's community, and A's passes do not
        assert client.get(f"/posts/{b_pid}", headers=h[other_fan.address]).status_code == 200
        assert error(client.get(f"/posts/{b_pid}", headers=h[lifer.address])) == (
            403,
            "pass_required",
        )
        # counts show only what readers did: 3 comments, 3 views, no likes (liked then unliked)
        post = client.get(f"/posts/{pid}", headers=h[a.address]).json()
        assert (post["comment_count"], post["view_count"], post["like_count"]) == (3, 3, 0)
        listed = client.get("/communities/creator_a/posts", headers=h[lifer.address]).json()
        assert [p["id"] for p in listed["items"]] == [pid]
        comments = client.get(f"/posts/{pid}/comments", headers=h[lifer.address]).json()
        assert {c["author"]["handle"] for c in comments["items"]} == {
            "creator_a",
            "lifer",
            "subscriber",
        }

        # the subscription lapses: exactly at expiry (exclusive) access ends, on chain and here
        chain.mine(timestamp=expiry)
        assert chain_time() == expiry and not on_chain_access(subscriber)
        check(subscriber, "pass_expired")
        check(lifer, 200)
        # profiles show passes held (lapsed ones inactive) and created, as hasAccess says
        held = client.get("/profiles/subscriber").json()["passes"]["held"]
        assert [(p["pass_id"], p["expiry"], p["active"]) for p in held] == [
            (monthly, expiry, False)
        ]
        lifer_passes = client.get("/profiles/lifer").json()["passes"]
        assert [(p["pass_id"], p["active"]) for p in lifer_passes["held"]] == [(lifetime, True)]
        assert lifer_passes["created"] == []
        created = client.get("/profiles/creator_a").json()["passes"]["created"]
        assert [(p["pass_id"], p["duration"], p["minted"]) for p in created] == [
            (lifetime, 0, 1),
            (monthly, DAY, 1),
        ]
        assert created[0]["price"] == str(PRICE)
        chain.mine(timestamp=expiry + DAY)
        check(subscriber, "pass_expired")

        # renewal restores access once the indexer has seen it
        planet.renew_pass(subscriber, monthly, subscriber.address, 1)
        assert on_chain_access(subscriber)
        check(subscriber, "pass_expired")  # not indexed yet: the mirror is what the API reads
        indexer.catch_up()
        check(subscriber, 200)
        check(nobody, "pass_required")
        check(other_fan, "pass_required")
    app.state.engine.dispose()
