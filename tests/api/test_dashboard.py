"""GET /profiles/{handle}/weeks: a creator's weeks as the close would count them (distinct
identified viewers, likers and commenters; never the creator's own), the current week last, and
the count bounded."""

from __future__ import annotations

from planet.core.epochs import EPOCH_DURATION
from tests.support.api import GENESIS, START, error


def test_a_week_counts_distinct_identified_fans_not_the_creator(client, member, clock):
    creator, fan, other = member("maker"), member("fan"), member("other")
    anonymous = member(identity=False)
    post = client.post("/posts", json={"body": "hello"}, headers=creator.headers).json()["id"]
    for who in (fan, other, creator, anonymous):
        client.post(f"/posts/{post}/views", headers=who.headers)
    client.post(f"/posts/{post}/views", headers=fan.headers)  # a second view is not a viewer
    client.put(f"/posts/{post}/like", headers=fan.headers)
    client.put(f"/posts/{post}/like", headers=creator.headers)
    for text in ("nice", "again"):
        client.post(f"/posts/{post}/comments", json={"body": text}, headers=other.headers)

    reply = client.get("/profiles/maker/weeks", params={"count": 2})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["handle"] == "maker" and body["address"].lower() == creator.address
    current = (START - GENESIS) // EPOCH_DURATION
    assert [w["epoch"] for w in body["weeks"]] == [current - 1, current]
    earlier, now = body["weeks"]
    assert (earlier["views"], earlier["likes"], earlier["comments"]) == (0, 0, 0)
    assert (now["views"], now["likes"], now["comments"]) == (2, 1, 1)
    assert now["start"] == GENESIS + current * EPOCH_DURATION
    assert now["end"] == now["start"] + EPOCH_DURATION
    assert now["allocation"] is None  # no week is published
    # no pass offered: no sales (and the chain is not asked to map weeks to blocks); no fills
    assert (now["pass_sales"], now["pass_revenue"], now["trade_fills"]) == (0, [], 0)
    assert client.get(f"/profiles/{fan.address}/weeks").json()["handle"] == "fan"

    clock.advance(EPOCH_DURATION)  # a week later the activity is last week's
    weeks = client.get("/profiles/maker/weeks", params={"count": 2}).json()["weeks"]
    assert weeks[0]["views"] == 2 and weeks[1]["views"] == 0


def test_unknown_creators_and_counts_are_refused(client, member):
    member("maker")
    assert error(client.get("/profiles/nobody/weeks")) == (404, "not_found")
    assert error(client.get("/profiles/maker/weeks", params={"count": 13}))[0] == 422
    assert error(client.get("/profiles/maker/weeks", params={"count": 0}))[0] == 422
