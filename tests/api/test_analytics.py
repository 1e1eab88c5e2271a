"""GET /profiles/{handle}/analytics: a creator's weeks of views, viewers, engagement, orders,
fills, traders and conversion, for the creator's own wallet only, as JSON and as CSV (SQLite
and PostgreSQL). Pass sales per pass are tested over a real chain in test_analytics_chain."""

from __future__ import annotations

import csv
import io

import pytest

from planet.core.epochs import EPOCH_DURATION
from tests.support.api import GENESIS, START, error, grant_risk_role, sign_in

PRICES = {"BTC-USDT": "65000"}
CURRENT = (START - GENESIS) // EPOCH_DURATION


@pytest.fixture
def client(make_client):
    return make_client(paper_prices=PRICES)


def tagged_post(client, author, visibility: str = "public") -> int:
    reply = client.post(
        "/posts",
        json={
            "body": "watching BTC",
            "instruments": ["BTC-USDT"],
            "disclosure": {"holds_position": True, "sponsored": False},
            "visibility": visibility,
        },
        headers=author.headers,
    )
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def order(client, trader, post_id, **body):
    values = {"instrument": "BTC-USDT", "side": "buy", "type": "market", "size": "0.5"}
    values.update(body)
    reply = client.post(f"/posts/{post_id}/orders", json=values, headers=trader.headers)
    assert reply.status_code == 201, reply.text
    return reply.json()


def analytics(client, who, handle="maker", **params):
    reply = client.get(f"/profiles/{handle}/analytics", params=params, headers=who.headers)
    assert reply.status_code == 200, reply.text
    return reply.json()


@pytest.mark.dialects  # the hourly view counter is an upsert, written per dialect
def test_a_week_shows_what_the_content_drew_and_converted_into(client, member, clock):
    creator, fan, other, lurker = member("maker"), member("fan"), member("other"), member("lurk")
    anonymous = member(identity=False)
    first, second = tagged_post(client, creator), tagged_post(client, creator)
    for who in (fan, other, lurker, anonymous, creator, fan):
        client.post(f"/posts/{first}/views", headers=who.headers)
    client.post(f"/posts/{second}/views")  # no session at all: a view, not a viewer
    client.put(f"/posts/{first}/like", headers=fan.headers)
    client.post(f"/posts/{first}/comments", json={"body": "nice"}, headers=other.headers)
    order(client, fan, first)
    order(client, fan, second, size="1")  # the same trader twice: one trader
    order(client, other, first, type="limit", limit_price="1000")  # placed, never filled
    order(client, creator, first)  # the creator's own order: neither an order nor a fill here

    body = analytics(client, creator, weeks=2)
    assert body["handle"] == "maker" and body["address"].lower() == creator.address
    earlier, now = body["weeks"]
    assert [earlier["epoch"], now["epoch"]] == [CURRENT - 1, CURRENT]
    assert (earlier["posts"], earlier["views"], earlier["orders"]) == (0, 0, 0)
    assert earlier["conversion"] is None  # no viewers, no ratio
    assert (now["posts"], now["views"], now["viewers"]) == (2, 7, 3)
    assert (now["likes"], now["comments"], now["live_attendance"]) == (1, 1, 0)
    assert (now["orders"], now["fills"], now["traders"]) == (3, 2, 1)
    assert now["volume_micro"] == str((32_500 + 65_000) * 10**6)
    assert now["conversion"] == "0.3333"  # one trader among three identified viewers
    assert (now["pass_sales"], now["passes"]) == (0, [])
    assert (now["points"], now["allocation"], now["rank"]) == ("0", None, None)

    clock.advance(EPOCH_DURATION)  # a week later, all of it is last week's
    client.post(f"/posts/{first}/views")
    creator.headers = sign_in(client, creator.account)  # the old session expired
    last, this = analytics(client, creator, weeks=2)["weeks"]
    assert (last["views"], last["orders"], last["traders"]) == (7, 3, 1)
    assert (this["views"], this["viewers"], this["orders"], this["posts"]) == (1, 0, 0, 0)


@pytest.mark.dialects  # the hidden-content join runs per dialect
def test_trades_from_a_deleted_or_hidden_post_leave_the_week(client, member, engine):
    """As the close counts them, and as the viewers already leave such a post out: its fills,
    traders and volume drop out of the analytics and of the dashboard's weeks. The orders stay:
    fans placed them."""
    creator, fan, other = member("maker"), member("fan"), member("other")
    risk = member("risk_officer")
    grant_risk_role(engine, risk.address)
    kept, deleted, hidden = (tagged_post(client, creator) for _ in range(3))
    order(client, fan, kept)
    order(client, other, deleted)
    order(client, other, hidden)

    def figures() -> tuple[int, int, int, str, int, str]:
        week = analytics(client, creator, weeks=1)["weeks"][0]
        dashboard = client.get("/profiles/maker/weeks", params={"count": 1}).json()["weeks"][0]
        return (
            week["orders"],
            week["fills"],
            week["traders"],
            week["volume_micro"],
            dashboard["trade_fills"],
            dashboard["trade_notional_micro"],
        )

    each = 32_500 * 10**6
    assert figures() == (3, 3, 2, str(3 * each), 3, str(3 * each))
    assert client.delete(f"/posts/{deleted}", headers=creator.headers).status_code == 200
    decision = {"action": "hide", "kind": "post", "target_id": hidden, "label": "scam"}
    made = client.post(
        "/moderation/decisions", json={**decision, "reason": "pump"}, headers=risk.headers
    )
    assert made.status_code == 201, made.text
    assert figures() == (3, 1, 1, str(each), 1, str(each))


def test_a_private_post_counts_for_its_creator_without_showing_its_text(client, member):
    creator = member("maker")
    tagged_post(client, creator, visibility="private")
    now = analytics(client, creator, weeks=1)["weeks"][0]
    assert now["posts"] == 1
    text = client.get(
        "/profiles/maker/analytics", params={"format": "csv"}, headers=creator.headers
    ).text
    assert "watching" not in text and "watching" not in str(now)


@pytest.mark.dialects
def test_the_csv_has_one_line_per_week_with_the_same_figures(client, member):
    creator, fan = member("maker"), member("fan")
    post = tagged_post(client, creator)
    client.post(f"/posts/{post}/views", headers=fan.headers)
    order(client, fan, post)
    reply = client.get(
        "/profiles/maker/analytics", params={"weeks": 3, "format": "csv"}, headers=creator.headers
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/csv")
    assert 'filename="maker-analytics.csv"' in reply.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert [int(r["epoch"]) for r in rows] == [CURRENT - 2, CURRENT - 1, CURRENT]
    weeks = analytics(client, creator, weeks=3)["weeks"]
    for row, week in zip(rows, weeks, strict=True):
        assert row["creator"] == "maker"
        for column in ("views", "viewers", "orders", "fills", "traders", "volume_micro"):
            assert row[column] == str(week[column]), column
        assert row["conversion"] == (week["conversion"] or "")
        assert row["allocation"] == "" and row["rank"] == ""
    assert rows[-1]["conversion"] == "1.0000"


def test_only_the_creators_own_wallet_reads_them(client, member):
    creator, fan = member("maker"), member("fan")
    assert error(client.get("/profiles/maker/analytics")) == (401, "not_authenticated")
    refused = client.get("/profiles/maker/analytics", headers=fan.headers)
    assert error(refused) == (403, "not_your_analytics")
    assert "maker" in refused.json()["error"]["message"]
    by_address = client.get(f"/profiles/{creator.address}/analytics", headers=creator.headers)
    assert by_address.status_code == 200 and by_address.json()["handle"] == "maker"


@pytest.mark.parametrize(
    "params",
    [{"weeks": 0}, {"weeks": 13}, {"weeks": "two"}, {"format": "xml"}, {"sort": "views"}],
)
def test_bad_parameters_are_refused(client, member, params):
    creator = member("maker")
    reply = client.get("/profiles/maker/analytics", params=params, headers=creator.headers)
    assert error(reply)[0] == 422


def test_an_unknown_creator_is_not_found(client, member):
    someone = member("someone")
    reply = client.get("/profiles/nobody/analytics", headers=someone.headers)
    assert error(reply) == (404, "not_found")
