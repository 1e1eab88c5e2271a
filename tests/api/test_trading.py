"""Trading from posts on the paper exchange: fills, limits, attribution to the post's creator,
the pass gate, validation, pagination and trade attestations (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from api.exchanges.base import Fill, notional_micro
from api.services import trading
from api.services.attestations import activity_uid
from planet.core.epochs import EpochCalendar
from planet.core.typed_data import KIND_TRADE
from planet.rewards.inputs import collect
from planet.store.offchain import contribution_attestations, fills, orders
from tests.support.api import CHAIN_ID, GENESIS, START, error, grant_risk_role

PRICES = {"BTC-USDT": "65000", "ETH-USDT": "3500.5"}


@pytest.fixture
def client(make_client):
    return make_client(paper_prices=PRICES)


def tagged_post(client, author, *instruments: str, visibility: str = "public") -> int:
    reply = client.post(
        "/posts",
        json={
            "body": "watching these",
            "instruments": list(instruments or ["BTC-USDT"]),
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
    return client.post(f"/posts/{post_id}/orders", json=values, headers=trader.headers)


def stats(client, post_id, headers=None):
    reply = client.get(f"/posts/{post_id}/trading", headers=headers or {})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_market_order_fills_at_the_paper_price_and_counts_for_the_creator(client, member, engine):
    alice, bob = member("alice"), member("bob")
    pid = tagged_post(client, alice)
    reply = order(client, bob, pid)
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["status"] == "filled" and body["exchange"] == "paper"
    assert body["post_id"] == pid and body["creator_token_id"] == alice.token_id
    assert body["quote_price"] == "65000" and body["reject_reason"] is None
    assert len(body["client_order_id"]) == 32 and body["client_order_id"].isalnum()
    [fill] = body["fills"]
    assert (fill["price"], fill["size"], fill["fee"]) == ("65000", "0.5", "0")
    assert fill["notional_micro"] == 32_500 * 10**6 and fill["attributed"] is True
    with engine.connect() as conn:
        row = conn.execute(select(fills)).mappings().one()
    assert row["creator_token_id"] == alice.token_id and row["trader_token_id"] == bob.token_id
    assert row["post_id"] == pid and row["chain_id"] == CHAIN_ID
    assert stats(client, pid) == {
        "post_id": pid,
        "fill_count": 1,
        "volume_micro": 32_500 * 10**6,
        "instruments": [
            {"instrument": "BTC-USDT", "fill_count": 1, "volume_micro": 32_500 * 10**6}
        ],
    }


def test_the_creators_own_orders_are_recorded_but_never_attributed(client, member, engine):
    alice, bob = member("alice"), member("bob")
    pid = tagged_post(client, alice, "BTC-USDT", "ETH-USDT")
    own = order(client, alice, pid, instrument="ETH-USDT", size="2")
    assert own.status_code == 201 and own.json()["status"] == "filled"
    assert own.json()["fills"][0]["attributed"] is False
    assert stats(client, pid)["fill_count"] == 0 and stats(client, pid)["volume_micro"] == 0
    order(client, bob, pid, instrument="ETH-USDT", size="1", side="sell")
    after = stats(client, pid)
    assert after["fill_count"] == 1 and after["volume_micro"] == 3_500_500_000
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(fills)).scalar() == 2
        unattributed = conn.execute(select(fills).where(fills.c.attributed.is_(False)))
        row = unattributed.mappings().one()
    assert row["trader_token_id"] == row["creator_token_id"] == alice.token_id


def test_a_limit_order_waits_until_the_price_crosses_and_syncs_once(client, member):
    alice, bob = member(), member()
    pid = tagged_post(client, alice)
    placed = order(client, bob, pid, type="limit", limit_price="60000").json()
    assert placed["status"] == "submitted" and placed["fills"] == []
    oid = placed["id"]
    still = client.post(f"/orders/{oid}/sync", headers=bob.headers).json()
    assert still["status"] == "submitted" and still["fills"] == []
    assert stats(client, pid)["fill_count"] == 0

    client.app.state.exchange.set_price("BTC-USDT", "59000.25")
    synced = client.post(f"/orders/{oid}/sync", headers=bob.headers).json()
    assert synced["status"] == "filled"
    assert [(f["price"], f["size"]) for f in synced["fills"]] == [("59000.25", "0.5")]
    client.app.state.exchange.set_price("BTC-USDT", "58000")
    again = client.post(f"/orders/{oid}/sync", headers=bob.headers).json()
    assert again == synced
    assert stats(client, pid)["fill_count"] == 1
    assert stats(client, pid)["volume_micro"] == 29_500_125_000


def test_a_limit_sell_below_the_price_fills_at_the_price(client, member):
    alice, bob = member(), member()
    pid = tagged_post(client, alice)
    body = order(client, bob, pid, side="sell", type="limit", limit_price="64000").json()
    assert body["status"] == "filled" and body["limit_price"] == "64000"
    assert body["fills"][0]["price"] == "65000"
    not_yet = order(client, bob, pid, side="sell", type="limit", limit_price="65000.01").json()
    assert not_yet["status"] == "submitted"


def test_notional_is_exact_and_floored(client, member):
    alice, bob = member(), member()
    pid = tagged_post(client, alice)
    client.app.state.exchange.set_price("BTC-USDT", "65000.123456")
    body = order(client, bob, pid, size="0.000123").json()
    # 65000.123456 * 0.000123 = 7.995015185088 quote units
    assert body["fills"][0]["notional_micro"] == 7_995_015
    tiny = order(client, bob, pid, size="0.000000000000000001").json()
    assert tiny["fills"][0]["notional_micro"] == 0 and tiny["fills"][0]["attributed"]


def test_an_instrument_without_a_paper_price_is_rejected_with_its_reason(client, member):
    alice, bob = member(), member()
    pid = tagged_post(client, alice, "SOL-USDT")
    reply = order(client, bob, pid, instrument="SOL-USDT")
    assert reply.status_code == 201
    body = reply.json()
    assert body["status"] == "rejected" and body["fills"] == []
    assert "no price for SOL-USDT" in body["reject_reason"]
    assert body["exchange_order_id"] is None and body["quote_price"] is None
    synced = client.post(f"/orders/{body['id']}/sync", headers=bob.headers).json()
    assert synced == body
    assert stats(client, pid)["fill_count"] == 0


def test_the_instrument_must_be_one_the_post_tags(client, member, engine):
    alice, bob = member(), member()
    pid = tagged_post(client, alice, "BTC-USDT")
    assert error(order(client, bob, pid, instrument="ETH-USDT")) == (422, "instrument_not_tagged")
    untagged = client.post("/posts", json={"body": "gm"}, headers=alice.headers).json()["id"]
    assert error(order(client, bob, untagged)) == (422, "instrument_not_tagged")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(orders)).scalar() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"size": "0"},
        {"size": "-1"},
        {"size": "1e3"},
        {"size": 0.5},
        {"size": "0.5.1"},
        {"size": "1" * 13},
        {"size": "0." + "1" * 19},
        {"side": "hold"},
        {"type": "stop"},
        {"type": "limit"},
        {"type": "limit", "limit_price": "0"},
        {"type": "market", "limit_price": "65000"},
        {"instrument": "btc/usdt"},
    ],
)
def test_bad_orders_are_validation_errors_and_write_nothing(client, member, engine, body):
    alice, bob = member(), member()
    pid = tagged_post(client, alice)
    assert error(order(client, bob, pid, **body)) == (422, "validation_error")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(orders)).scalar() == 0


def test_ordering_needs_a_session_an_identity_and_an_existing_post(client, member):
    alice = member()
    pid = tagged_post(client, alice)
    plain = {"instrument": "BTC-USDT", "side": "buy", "type": "market", "size": "1"}
    assert error(client.post(f"/posts/{pid}/orders", json=plain)) == (401, "not_authenticated")
    assert error(order(client, member(identity=False), pid)) == (403, "identity_required")
    assert error(order(client, alice, 9999)) == (404, "not_found")


def test_a_private_post_gates_orders_and_its_trading(client, member, engine):
    alice, bob = member("alice"), member("bob")
    pid = tagged_post(client, alice, visibility="private")
    assert error(order(client, bob, pid)) == (403, "pass_required")
    assert error(client.get(f"/posts/{pid}/trading")) == (401, "not_authenticated")
    assert error(client.get(f"/posts/{pid}/trading", headers=bob.headers)) == (
        403,
        "pass_required",
    )
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(orders)).scalar() == 0
    # the creator reads her own community: her order is recorded, unattributed
    own = order(client, alice, pid)
    assert own.status_code == 201 and own.json()["fills"][0]["attributed"] is False
    assert stats(client, pid, alice.headers)["fill_count"] == 0


@pytest.mark.dialects  # keyset paging: the SQL differs by dialect
def test_orders_are_the_traders_own_and_paged_newest_first(client, member):
    alice, bob, carol = member(), member(), member()
    pid = tagged_post(client, alice)
    ids = [order(client, bob, pid, size=f"0.{i + 1}").json()["id"] for i in range(5)]
    order(client, carol, pid)
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/orders", params=params, headers=bob.headers).json()
        seen += [o["id"] for o in page["items"]]
        assert all(len(o["fills"]) == 1 for o in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)
    assert client.get(f"/orders/{ids[0]}", headers=bob.headers).json()["size"] == "0.1"
    assert error(client.get(f"/orders/{ids[0]}", headers=carol.headers)) == (404, "not_found")
    assert error(client.post(f"/orders/{ids[0]}/sync", headers=carol.headers)) == (
        404,
        "not_found",
    )
    assert error(client.get("/orders/424242", headers=bob.headers)) == (404, "not_found")
    assert error(client.get("/orders", params={"cursor": "!!"}, headers=bob.headers)) == (
        422,
        "invalid_cursor",
    )
    assert error(client.get("/orders")) == (401, "not_authenticated")
    assert client.get("/posts/9999/trading").status_code == 404


def attest_trade(client, member, fill_id):
    return client.post(
        "/attestations", json={"activity": "trade", "id": fill_id}, headers=member.headers
    )


def test_a_fill_of_a_deleted_or_hidden_post_earns_no_attestation(make_client, member, engine):
    # the week leaves such a post's fills out (planet.rewards.inputs); the server does not
    # sign points for them either, as for the post itself
    client = make_client(paper_prices=PRICES, attested_exchanges="paper")
    alice, bob, risk = member("alice"), member("bob"), member("risk_officer")
    grant_risk_role(engine, risk.address)
    deleted, hidden = tagged_post(client, alice), tagged_post(client, alice)
    on_deleted = order(client, bob, deleted).json()["fills"][0]["id"]
    on_hidden = order(client, bob, hidden).json()["fills"][0]["id"]
    assert client.delete(f"/posts/{deleted}", headers=alice.headers).status_code == 200
    decision = {"action": "hide", "kind": "post", "target_id": hidden, "reason": "checked"}
    hide = client.post(
        "/moderation/decisions", json=decision | {"label": "scam"}, headers=risk.headers
    )
    assert hide.status_code == 201, hide.text

    assert error(attest_trade(client, alice, on_deleted)) == (410, "content_deleted")
    assert error(attest_trade(client, alice, on_hidden)) == (409, "content_hidden")
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(contribution_attestations))
        assert stored.scalar_one() == 0


def test_a_paper_fill_earns_no_attestation_by_default(client, member, engine):
    alice, bob = member("alice"), member("bob")
    fill_id = order(client, bob, tagged_post(client, alice)).json()["fills"][0]["id"]
    refused = attest_trade(client, alice, fill_id)
    assert error(refused) == (422, "exchange_not_attested")
    assert "paper" in refused.json()["error"]["message"]
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(contribution_attestations))
        assert stored.scalar_one() == 0


def test_an_attributed_fill_earns_its_creator_one_trade_attestation(make_client, member):
    # the server of a local chain or the demo: paper fills attested (the client member uses
    # for sign-in shares the database and the session secret)
    client = make_client(paper_prices=PRICES, attested_exchanges="okx, paper")
    alice, bob = member("alice"), member("bob")
    pid = tagged_post(client, alice)
    fill_id = order(client, bob, pid).json()["fills"][0]["id"]
    own_fill = order(client, alice, pid).json()["fills"][0]["id"]

    first = client.post(
        "/attestations", json={"activity": "trade", "id": fill_id}, headers=alice.headers
    )
    assert first.status_code == 201, first.text
    c = first.json()["contribution"]
    assert (c["kind"], c["amount"]) == (KIND_TRADE, 3) and first.json()["kind_name"] == "trade"
    assert c["account"] == alice.account.address
    assert c["uid"] == activity_uid(CHAIN_ID, "trade", fill_id)
    again = client.post(
        "/attestations", json={"activity": "trade", "id": fill_id}, headers=alice.headers
    )
    assert again.status_code == 200 and again.json() == first.json()

    by_trader = client.post(
        "/attestations", json={"activity": "trade", "id": fill_id}, headers=bob.headers
    )
    assert error(by_trader) == (403, "not_your_activity")
    own = client.post(
        "/attestations", json={"activity": "trade", "id": own_fill}, headers=alice.headers
    )
    assert error(own) == (422, "trade_not_attributed")
    missing = client.post(
        "/attestations", json={"activity": "trade", "id": 9999}, headers=alice.headers
    )
    assert error(missing) == (404, "not_found")


# ------------------------------------------------------ huge orders and exact volumes


@pytest.mark.dialects
def test_an_order_over_the_maximum_notional_is_422_and_writes_nothing(client, member, engine):
    """One order of 999,999,999,999 BTC at 65,000 made GET /posts/{id}/trading answer 500 for
    good on SQLite (its notional was capped at 2^63 - 1, and two of them overflowed SUM)."""
    alice, bob = member("alice"), member("bob")
    pid = tagged_post(client, alice)
    huge = order(client, bob, pid, size="999999999999")
    assert error(huge) == (422, "order_too_large")
    assert "1000000000000" in huge.json()["error"]["message"]
    limit = order(client, bob, pid, type="limit", size="2", limit_price="999999999999")
    assert error(limit) == (422, "order_too_large")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(orders)).scalar_one() == 0
    assert order(client, bob, pid, size="15000000").status_code == 201  # 9.75e11 USDT: allowed


@pytest.mark.dialects
def test_volumes_past_2_63_are_exact_on_every_backend(client, member, engine):
    """An exchange's own fills are not bounded by the API's order limit: their notionals, and
    every sum of them (the post's trading stats, the week's rewards inputs), stay exact."""
    alice, bob = member("alice"), member("bob")
    pid = tagged_post(client, alice)
    placed = order(client, bob, pid, type="limit", size="1", limit_price="1")  # waits
    assert placed.status_code == 201 and placed.json()["fills"] == []
    big = [Decimal("123456789012.345678"), Decimal("987654321098.765432"), Decimal("5")]
    with engine.begin() as conn:
        row = conn.execute(select(orders)).mappings().one()
        added = trading.record_fills(
            conn,
            row,
            [
                Fill(f"big-{n}", price, Decimal("1000000"), "0", None, START)
                for n, price in enumerate(big)
            ],
        )
    assert added == 3
    expected = [notional_micro(price, Decimal("1000000")) for price in big]
    assert max(expected) > 2**63 and sum(expected) > 2**64
    body = stats(client, pid)
    assert body["volume_micro"] == sum(expected) and body["fill_count"] == 3
    own = order(client, bob, pid).json()["fills"][0]["notional_micro"]
    with engine.connect() as conn:
        week = collect(conn, CHAIN_ID, EpochCalendar(GENESIS), 3, trade_exchanges=["paper", "okx"])
    [creator] = [a for a in week.accounts.values() if a.trade_notional_micro]
    assert creator.trade_notional_micro == sum(expected) + own


def test_an_open_order_is_listed_as_open_and_cancelled_for_good(client, member, engine):
    alice, bob = member(), member()
    pid = tagged_post(client, alice)
    waiting = order(client, bob, pid, type="limit", limit_price="60000").json()
    filled = order(client, bob, pid).json()
    assert (waiting["status"], filled["status"]) == ("submitted", "filled")
    open_ = client.get("/orders", params={"status": "open"}, headers=bob.headers).json()
    assert [o["id"] for o in open_["items"]] == [waiting["id"]]

    cancelled = client.post(f"/orders/{waiting['id']}/cancel", headers=bob.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "canceled" and cancelled.json()["fills"] == []
    client.app.state.exchange.set_price("BTC-USDT", "59000")  # it would have filled now
    synced = client.post(f"/orders/{waiting['id']}/sync", headers=bob.headers).json()
    assert synced["status"] == "canceled" and synced["fills"] == []
    assert client.get("/orders", params={"status": "open"}, headers=bob.headers).json() == {
        "items": [],
        "next_cursor": None,
    }
    for done in (waiting["id"], filled["id"]):
        again = client.post(f"/orders/{done}/cancel", headers=bob.headers)
        assert error(again) == (409, "order_not_open")
    assert error(client.post(f"/orders/{filled['id']}/cancel", headers=alice.headers)) == (
        404,
        "not_found",
    )
    assert error(client.get("/orders", params={"status": "closed"}, headers=bob.headers)) == (
        422,
        "validation_error",
    )


def test_cancelling_an_order_the_market_already_crossed_reports_its_fill(client, member):
    alice, bob = member(), member()
    pid = tagged_post(client, alice)
    waiting = order(client, bob, pid, type="limit", limit_price="60000").json()
    client.app.state.exchange.set_price("BTC-USDT", "59500")  # crossed, not synced yet
    late = client.post(f"/orders/{waiting['id']}/cancel", headers=bob.headers).json()
    assert late["status"] == "filled"
    assert [(f["price"], f["size"]) for f in late["fills"]] == [("59500", "0.5")]
    assert stats(client, pid)["fill_count"] == 1
