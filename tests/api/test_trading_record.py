"""A creator's attested trading record over HTTP: what it counts (own fills on public
``holds_position`` posts, attested exchanges only), round trips, attestation in order, the
export files, and that record entries never count as weekly points (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from api.exchanges.base import Fill
from api.services import trading
from planet.core.epochs import EpochCalendar
from planet.core.trading_record import FORMAT, ZERO_UID, entry_uid
from planet.core.typed_data import KIND_POST, KIND_RECORD
from planet.rewards.inputs import collect
from planet.store.mirror import attestations as mirrored
from planet.store.offchain import fills, orders
from tests.support.api import CHAIN_ID, GENESIS, add_identity, error

PRICES = {"BTC-USDT": "65000", "ETH-USDT": "3500"}


@pytest.fixture
def client(make_client):
    # a local chain's server: paper fills attested (the default, okx only, is tested below)
    return make_client(paper_prices=PRICES, attested_exchanges="okx, paper")


def post(client, author, *, holds=True, visibility="public", instruments=("BTC-USDT",)) -> int:
    reply = client.post(
        "/posts",
        json={
            "body": "my position",
            "instruments": list(instruments),
            "disclosure": {"holds_position": holds, "sponsored": False},
            "visibility": visibility,
        },
        headers=author.headers,
    )
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def trade(client, clock, trader, post_id, side, size, price, instrument="BTC-USDT"):
    client.app.state.exchange.set_price(instrument, price)
    clock.advance(60)
    reply = client.post(
        f"/posts/{post_id}/orders",
        json={"instrument": instrument, "side": side, "type": "market", "size": size},
        headers=trader.headers,
    )
    assert reply.status_code == 201, reply.text


def record(client, handle, **params):
    reply = client.get(f"/profiles/{handle}/trading-record", params=params)
    assert reply.status_code == 200, reply.text
    return reply


def test_a_long_round_trip_is_one_entry_with_entry_exit_and_result(client, member, clock):
    alice = member("alice")
    pid = post(client, alice)
    trade(client, clock, alice, pid, "buy", "0.5", "60000")
    trade(client, clock, alice, pid, "buy", "0.5", "62000")
    trade(client, clock, alice, pid, "sell", "1", "66000")
    body = record(client, "alice").json()
    assert body["format"] == FORMAT and body["kind"] == KIND_RECORD
    assert body["creator"]["handle"] == "alice"
    (entry,) = body["entries"]
    c = entry["content"]
    assert (c["side"], c["size"], c["entry_price"], c["exit_price"]) == (
        "buy",
        "1",
        "61000",
        "66000",
    )
    assert (c["result"], c["return_pct"], c["seq"], c["prev_uid"]) == (
        "5000",
        "8.19672131",
        1,
        ZERO_UID,
    )
    assert c["post_ids"] == [pid] and len(c["fill_ids"]) == 3
    assert entry["uid"] == entry_uid(c) and entry["status"] == "unattested"
    assert body["open_positions"] == []


def test_a_short_round_trip_gains_when_the_price_falls(client, member, clock):
    alice = member("alice")
    pid = post(client, alice, instruments=("ETH-USDT",))
    trade(client, clock, alice, pid, "sell", "2", "3500", "ETH-USDT")
    trade(client, clock, alice, pid, "buy", "2", "3400.5", "ETH-USDT")
    (entry,) = record(client, "alice").json()["entries"]
    c = entry["content"]
    assert (c["side"], c["entry_price"], c["exit_price"], c["result"]) == (
        "sell",
        "3500",
        "3400.5",
        "199",
    )
    assert c["entry_time"] < c["exit_time"]


def test_a_sell_past_flat_opens_a_short_at_the_same_price(client, member, clock):
    alice = member("alice")
    pid = post(client, alice)
    trade(client, clock, alice, pid, "buy", "1", "60000")
    trade(client, clock, alice, pid, "sell", "3", "59000")
    body = record(client, "alice").json()
    (entry,) = body["entries"]
    assert (entry["content"]["side"], entry["content"]["result"]) == ("buy", "-1000")
    assert body["open_positions"] == [
        {
            "exchange": "paper",
            "instrument": "BTC-USDT",
            "side": "sell",
            "size": "2",
            "entry_price": "59000",
            "entry_time": entry["content"]["exit_time"],
        }
    ]


@pytest.mark.dialects
def test_only_own_fills_on_public_holds_position_posts_count(client, member, clock):
    alice, bob = member("alice"), member("bob")
    private = post(client, alice, visibility="private")
    undisclosed = post(client, alice, holds=False)
    bobs = post(client, bob)
    mine = post(client, alice)
    for pid in (private, undisclosed, bobs):
        trade(client, clock, alice, pid, "buy", "1", "60000")
        trade(client, clock, alice, pid, "sell", "1", "61000")
    trade(client, clock, bob, mine, "buy", "1", "60000")  # a fan's order on her post
    trade(client, clock, bob, mine, "sell", "1", "61000")
    assert record(client, "alice").json()["entries"] == []
    text = record(client, "alice").text
    assert "my position" not in text  # never a post's text


def test_paper_fills_are_left_out_where_paper_is_not_attested(make_client, member, clock):
    paper_only = make_client(paper_prices=PRICES)  # the default: okx attested only
    alice = member("alice")
    pid = post(paper_only, alice)
    trade(paper_only, clock, alice, pid, "buy", "1", "60000")
    trade(paper_only, clock, alice, pid, "sell", "1", "61000")
    body = record(paper_only, "alice").json()
    assert (body["exchanges"], body["entries"]) == (["okx"], [])


@pytest.mark.dialects
def test_entries_are_attested_in_order_by_their_owner_only(client, member, clock):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice)
    for _ in range(2):
        trade(client, clock, alice, pid, "buy", "1", "60000")
        trade(client, clock, alice, pid, "sell", "1", "61000")
    first, second = record(client, "alice").json()["entries"]
    assert second["content"]["prev_uid"] == first["uid"]

    early = client.post(
        "/attestations/trading-record", json={"uid": second["uid"]}, headers=alice.headers
    )
    assert error(early) == (409, "record_out_of_order")
    signed = client.post(
        "/attestations/trading-record", json={"uid": first["uid"]}, headers=alice.headers
    )
    assert signed.status_code == 201, signed.text
    c = signed.json()["contribution"]
    assert (c["kind"], c["amount"], c["uid"]) == (KIND_RECORD, 1, first["uid"])
    assert signed.json()["kind_name"] == "record"
    calendar = EpochCalendar(GENESIS)
    assert c["epoch"] == calendar.epoch_at(first["content"]["exit_time"])
    again = client.post(
        "/attestations/trading-record", json={"uid": first["uid"]}, headers=alice.headers
    )
    assert again.status_code == 200 and again.json() == signed.json()

    theirs = client.post(
        "/attestations/trading-record", json={"uid": first["uid"]}, headers=bob.headers
    )
    assert error(theirs) == (403, "not_your_activity")
    unknown = client.post(
        "/attestations/trading-record", json={"uid": "0x" + "12" * 32}, headers=alice.headers
    )
    assert error(unknown) == (404, "not_found")
    bad = client.post("/attestations/trading-record", json={"uid": "0x12"}, headers=alice.headers)
    assert error(bad) == (422, "validation_error")
    anonymous = client.post("/attestations/trading-record", json={"uid": first["uid"]})
    assert anonymous.status_code == 401

    entries = record(client, "alice").json()["entries"]
    assert [e["status"] for e in entries] == ["signed", "unattested"]
    assert entries[0]["account"] == alice.account.address and entries[0]["epoch"] == c["epoch"]


def test_an_expired_signature_is_signed_again_with_the_same_uid(make_client, member, clock):
    client = make_client(paper_prices=PRICES, attested_exchanges="paper", attestation_ttl=600)
    alice = member("alice")
    pid = post(client, alice)
    trade(client, clock, alice, pid, "buy", "1", "60000")
    trade(client, clock, alice, pid, "sell", "1", "61000")
    (entry,) = record(client, "alice").json()["entries"]
    first = client.post(
        "/attestations/trading-record", json={"uid": entry["uid"]}, headers=alice.headers
    )
    clock.advance(first.json()["contribution"]["deadline"] - clock.now + 1)
    assert record(client, "alice").json()["entries"][0]["status"] == "expired"
    again = client.post(
        "/attestations/trading-record", json={"uid": entry["uid"]}, headers=alice.headers
    )
    assert again.status_code == 200
    assert again.json()["contribution"]["uid"] == entry["uid"]
    assert again.json()["contribution"]["deadline"] > first.json()["contribution"]["deadline"]
    assert again.json()["status"] == "pending"


def test_the_export_files_carry_what_recomputes_each_uid(client, member, clock):
    alice = member("alice")
    pid = post(client, alice)
    trade(client, clock, alice, pid, "buy", "1", "60000")
    trade(client, clock, alice, pid, "sell", "1", "61000")
    download = record(client, "alice", format="json")
    assert (
        download.headers["content-disposition"]
        == 'attachment; filename="alice-trading-record.json"'
    )
    data = json.loads(download.text)
    assert data == record(client, "alice").json()
    assert [entry_uid(e["content"]) for e in data["entries"]] == [e["uid"] for e in data["entries"]]

    sheet = record(client, "alice", format="csv")
    assert sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(sheet.text)))
    assert rows[0][:4] == ["seq", "exchange", "instrument", "side"]
    assert (
        rows[1][:4] == ["1", "paper", "BTC-USDT", "buy"]
        and rows[1][11] == data["entries"][0]["uid"]
    )

    assert error(client.get("/profiles/alice/trading-record", params={"format": "xml"})) == (
        422,
        "validation_error",
    )
    assert error(client.get("/profiles/nobody/trading-record")) == (404, "not_found")


@pytest.mark.dialects
def test_record_entries_never_count_as_weekly_points(engine):
    calendar = EpochCalendar(GENESIS)
    account = "0x" + "cd" * 20
    add_identity(engine, account, "counted")
    rows = [
        {"uid": "0x" + "01" * 32, "kind": KIND_POST, "amount": 4},
        {"uid": "0x" + "02" * 32, "kind": KIND_RECORD, "amount": 1},
    ]
    with engine.begin() as conn:
        for i, row in enumerate(rows):
            conn.execute(
                insert(mirrored).values(
                    chain_id=CHAIN_ID,
                    account=account,
                    epoch=1,
                    attester="0x" + "ee" * 20,
                    submitter=account,
                    block_number=10 + i,
                    log_index=0,
                    tx_hash="0x" + "33" * 32,
                    revoked=False,
                    **row,
                )
            )
        inputs = collect(conn, CHAIN_ID, calendar, 1, trade_exchanges=("okx",), graph=True)
    (only,) = inputs.accounts.values()
    assert only.points == 4


def test_a_late_fill_that_changes_an_attested_trade_is_refused_as_changed(
    client, member, clock, engine
):
    alice = member("alice")
    pid = post(client, alice)
    trade(client, clock, alice, pid, "buy", "1", "60000")
    trade(client, clock, alice, pid, "sell", "1", "61000")
    (entry,) = record(client, "alice").json()["entries"]
    signed = client.post(
        "/attestations/trading-record", json={"uid": entry["uid"]}, headers=alice.headers
    )
    assert signed.status_code == 201
    # the exchange reports fills of both orders late, timed inside the round trip
    buy_fill, sell_fill = entry["content"]["fill_ids"]
    with engine.begin() as conn:
        for fill_id, fid, at in ((buy_fill, "late-buy", 1), (sell_fill, "late-sell", -1)):
            order_id = conn.execute(select(fills.c.order_id).where(fills.c.id == fill_id)).scalar()
            order = conn.execute(select(orders).where(orders.c.id == order_id)).mappings().one()
            moment = entry["content"]["entry_time" if at > 0 else "exit_time"] + at
            late = Fill(fid, Decimal("60500"), Decimal("0.5"), "0", None, moment)
            assert trading.record_fills(conn, order, [late]) == 1
    (changed,) = record(client, "alice").json()["entries"]
    assert changed["content"]["size"] == "1.5" and changed["uid"] != entry["uid"]
    assert changed["status"] == "unattested"
    refused = client.post(
        "/attestations/trading-record", json={"uid": changed["uid"]}, headers=alice.headers
    )
    assert error(refused) == (409, "record_changed")
