"""Search: posts by their words and profiles by handle or bio, newest first, the same on SQLite
(FTS5) and PostgreSQL (tsvector); private posts only for readers who may read them; whatever a
user types is plain words, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.api import add_native_pass, error, grant_risk_role

# FTS5 and tsvector: the search SQL differs by dialect
pytestmark = pytest.mark.dialects


def post(client, member, body: str, visibility: str = "public") -> int:
    reply = client.post(
        "/posts", json={"body": body, "visibility": visibility}, headers=member.headers
    )
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def found(client, q: str, headers=None, **params) -> list[int]:
    reply = client.get("/search", params={"q": q, "type": "posts", **params}, headers=headers)
    assert reply.status_code == 200, reply.text
    return [p["id"] for p in reply.json()["posts"]]


def test_every_word_must_start_a_word_of_the_post_newest_first(client, member):
    grace = member("grace")
    eth = post(client, grace, "ETH breaks out; watching Ethereum gas")
    both = post(client, grace, "BTC-USDT and eth, both long")
    post(client, grace, "nothing relevant here: methane")
    assert found(client, "eth") == [both, eth]  # "methane" holds eth, but does not start with it
    assert found(client, "ETH btc") == [both]
    assert found(client, "usdt") == [both]  # BTC-USDT is two words
    assert found(client, "ethereum") == [eth]
    assert found(client, "solana") == []


def test_what_users_type_is_read_as_plain_words(client, member):
    grace = member("grace")
    near = post(client, grace, 'near the "top" OR bottom*')
    for q in ['"top"', "top*", "near", "NEAR top", "OR", "(top", "top)", "-top", "top:", "^top"]:
        assert found(client, q) == [near], q
    for q in ["***", '"', " ", "--", "%_"]:
        assert error(client.get("/search", params={"q": q})) == (422, "invalid_query"), q
    assert error(client.get("/search", params={"q": ""})) == (422, "validation_error")
    assert error(client.get("/search", params={"q": "x" * 201})) == (422, "validation_error")
    many = " ".join(f"w{n}" for n in range(9))
    assert error(client.get("/search", params={"q": many})) == (422, "invalid_query")


def test_pages_follow_each_other_without_overlap(client, member):
    grace = member("grace")
    ids = [post(client, grace, f"gm number {n}") for n in range(5)]
    seen, cursor = [], None
    while True:
        params = {"q": "gm", "type": "posts", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/search", params=params).json()
        seen += [p["id"] for p in page["posts"]]
        cursor = page["posts_next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
    assert error(client.get("/search", params={"q": "gm", "cursor": cursor or "MQ"})) == (
        422,
        "cursor_needs_type",
    )


def test_private_posts_are_searched_only_by_their_readers(client, member, engine):
    grace, fan, outsider = member("grace"), member("fan"), member("outsider")
    add_native_pass(engine, 1, grace.address, [fan.address])
    public = post(client, grace, "alpha for everyone")
    private = post(client, grace, "alpha for holders: secretword", "private")
    assert found(client, "alpha") == [public]  # anonymous
    assert found(client, "alpha", outsider.headers) == [public]
    assert found(client, "secretword", outsider.headers) == []
    assert found(client, "alpha", fan.headers) == [private, public]
    assert found(client, "secretword", grace.headers) == [private]  # the author reads it
    # the public feed's ?q= never holds private posts, whoever asks
    feed = client.get("/posts", params={"q": "alpha"}, headers=fan.headers).json()
    assert [p["id"] for p in feed["items"]] == [public]
    # an outsider's pages are the same whether or not private matches exist
    page = client.get("/search", params={"q": "alpha", "limit": 1}, headers=outsider.headers)
    assert [p["id"] for p in page.json()["posts"]] == [public]
    assert page.json()["posts_next_cursor"] is None


def test_profiles_match_by_handle_or_bio(client, member):
    grace, trader = member("grace_hopper"), member("trader_joe")
    client.put(
        "/profiles/me/persona", json={"bio": "Compilers and Ethereum"}, headers=grace.headers
    )
    client.put("/profiles/me/persona", json={"bio": "Options desk"}, headers=trader.headers)
    hits = client.get("/search", params={"q": "grace", "type": "profiles"}).json()
    assert [h["handle"] for h in hits["profiles"]] == ["grace_hopper"] and hits["posts"] == []
    assert hits["profiles"][0]["bio"] == "Compilers and Ethereum"
    # a handle matches from its start (a seek in the handle index), not in its middle
    assert client.get("/search", params={"q": "hopper"}).json()["profiles"] == []
    by_bio = client.get("/search", params={"q": "ether"}).json()["profiles"]
    assert [h["handle"] for h in by_bio] == ["grace_hopper"]
    # an edited bio is searched as it is now
    client.put("/profiles/me/persona", json={"bio": "Retired trader"}, headers=grace.headers)
    assert client.get("/search", params={"q": "ether"}).json()["profiles"] == []
    both = client.get("/search", params={"q": "trader options"}).json()["profiles"]
    assert [h["handle"] for h in both] == ["trader_joe"]
    everyone = client.get("/search", params={"q": "t", "type": "profiles", "limit": 1}).json()
    assert [h["handle"] for h in everyone["profiles"]] == ["grace_hopper"]  # by handle
    rest = client.get(
        "/search", params={"q": "t", "type": "profiles", "cursor": everyone["profiles_next_cursor"]}
    ).json()
    assert [h["handle"] for h in rest["profiles"]] == ["trader_joe"]
    assert rest["profiles_next_cursor"] is None
    bad = client.get("/search", params={"q": "t", "type": "profiles", "cursor": "%%%"})
    assert error(bad) == (422, "invalid_cursor")


def test_the_feed_filters_by_words_with_author_and_following(client, member):
    grace, ada, fan = member("grace"), member("ada"), member("fan")
    g = post(client, grace, "rates are up")
    a = post(client, ada, "rates are down")
    assert [p["id"] for p in client.get("/posts", params={"q": "rates"}).json()["items"]] == [a, g]
    by_grace = client.get("/posts", params={"q": "rates", "author": "grace"}).json()
    assert [p["id"] for p in by_grace["items"]] == [g]
    client.put("/profiles/ada/follow", headers=fan.headers)
    mine = client.get("/posts", params={"q": "rates", "following": "true"}, headers=fan.headers)
    assert [p["id"] for p in mine.json()["items"]] == [a]
    assert error(client.get("/posts", params={"q": "?!"})) == (422, "invalid_query")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=st.text(min_size=1, max_size=40))
def test_no_query_is_a_server_error(client, member, q):
    reply = client.get("/search", params={"q": q})
    assert reply.status_code in (200, 422), reply.text
    if reply.status_code == 422:
        assert error(reply)[1] in ("invalid_query", "validation_error")


def test_edits_deletions_and_moderation_reach_the_search(client, member, engine):
    """Search reads what readers can read now: an edited post by its new words only; a deleted
    one not at all; a hidden post or a hidden identity's bio not by the withheld text, until
    the risk role restores it."""
    grace, officer = member("grace"), member("officer")
    grant_risk_role(engine, officer.address)
    edited = post(client, grace, "solana looks weak")
    gone = post(client, grace, "solana deleted soon")
    hidden = post(client, grace, "solana pump, buy my coin")
    reply = client.patch(f"/posts/{edited}", json={"body": "avalanche now"}, headers=grace.headers)
    assert reply.status_code == 200, reply.text
    assert client.delete(f"/posts/{gone}", headers=grace.headers).status_code in (200, 204)

    def decide(action: str, kind: str, target: int, **extra) -> None:
        body = {"action": action, "kind": kind, "target_id": target, "reason": "checked", **extra}
        reply = client.post("/moderation/decisions", json=body, headers=officer.headers)
        assert reply.status_code == 201, reply.text

    decide("hide", "post", hidden, label="scam")
    assert found(client, "solana") == []
    assert found(client, "avalanche") == [edited]
    assert found(client, "pump") == []
    decide("restore", "post", hidden)
    assert found(client, "solana") == [hidden]

    client.put("/profiles/me/persona", json={"bio": "Dolphin trader"}, headers=grace.headers)
    profiles = lambda: client.get("/search", params={"q": "dolphin", "type": "profiles"})  # noqa: E731
    assert [p["handle"] for p in profiles().json()["profiles"]] == ["grace"]
    decide("hide", "identity", grace.token_id, label="scam")
    assert profiles().json()["profiles"] == []
    by_handle = client.get("/search", params={"q": "grace", "type": "profiles"}).json()
    assert [p["handle"] for p in by_handle["profiles"]] == ["grace"]
    assert all(p.get("bio") is None for p in by_handle["profiles"])
