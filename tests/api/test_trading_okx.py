"""The OKX adapter through the API, against the local OKX v5 stand-in over real HTTP: orders
placed with python-okx's signed requests, fills recorded on sync and never twice, OKX's refusals
recorded as rejections with OKX's message, and an unreachable OKX answering 503 with nothing
written (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from api.settings import ApiSettings
from planet.core.epochs import EPOCH_DURATION, week_start
from planet.store.offchain import fills, orders
from tests.api.okx_standin import OkxStandIn, okx_sign, serving
from tests.support.api import SECRET as SESSION_SECRET
from tests.support.api import error
from tests.support.ports import free_port

KEY, SECRET, PASSPHRASE = "planet-test-key", "planet-test-secret", "planet-Passphrase1"
PRICES = {"BTC-USDT": "65000.5", "ETH-USDT": "3500"}


@pytest.fixture
def standin():
    return OkxStandIn(KEY, SECRET, PASSPHRASE, PRICES)


@pytest.fixture
def okx_url(standin):
    with serving(standin.app) as url:
        yield url


@pytest.fixture
def okx_client(make_client, okx_url):
    return make_client(
        exchange="okx",
        okx_api_key=KEY,
        okx_secret_key=SECRET,
        okx_passphrase=PASSPHRASE,
        okx_domain=okx_url,
    )


@pytest.fixture
def client(okx_client):
    """The ``member`` fixture signs in through this client."""
    return okx_client


def tagged_post(client, author, *instruments: str) -> int:
    reply = client.post(
        "/posts",
        json={
            "body": "entry here",
            "instruments": list(instruments or ["BTC-USDT"]),
            "disclosure": {"holds_position": False, "sponsored": True},
        },
        headers=author.headers,
    )
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def order(client, trader, post_id, **body):
    values = {"instrument": "BTC-USDT", "side": "buy", "type": "market", "size": "0.5"}
    values.update(body)
    return client.post(f"/posts/{post_id}/orders", json=values, headers=trader.headers)


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_an_order_goes_to_okx_signed_and_its_fills_are_recorded_once_on_sync(
    okx_client, member, standin, engine
):
    standin.fills_per_order = 2
    alice, bob = member("alice"), member("bob")
    pid = tagged_post(okx_client, alice)
    reply = order(okx_client, bob, pid)
    assert reply.status_code == 201, reply.text
    placed = reply.json()
    assert placed["exchange"] == "okx" and placed["status"] == "submitted"
    assert placed["fills"] == [] and placed["quote_price"] == "65000.5"
    assert placed["exchange_order_id"] in standin.orders
    [sent] = standin.placed
    assert sent["clOrdId"] == placed["client_order_id"]
    assert (sent["instId"], sent["tdMode"], sent["side"], sent["ordType"], sent["sz"]) == (
        "BTC-USDT",
        "cash",
        "buy",
        "market",
        "0.5",
    )
    assert sent["tgtCcy"] == "base_ccy" and standin.auth_failures == []

    synced = okx_client.post(f"/orders/{placed['id']}/sync", headers=bob.headers)
    assert synced.status_code == 200, synced.text
    body = synced.json()
    assert body["status"] == "filled" and len(body["fills"]) == 2
    assert sum(Decimal(f["size"]) for f in body["fills"]) == Decimal("0.5")
    okx_fills = {f["tradeId"]: f for f in standin.fills}
    for f in body["fills"]:
        assert f["price"] == "65000.5" and f["attributed"] is True
        assert f["fee_currency"] == "BTC" and Decimal(f["fee"]) < 0
        assert Decimal(f["fee"]) == -Decimal(f["size"]) * Decimal("0.001")
    with engine.connect() as conn:
        rows = list(conn.execute(select(fills)).mappings())
    assert {r["exchange_fill_id"] for r in rows} == {
        f"{placed['exchange_order_id']}:{t}" for t in okx_fills
    }
    assert {r["filled_at"] for r in rows} == {int(f["ts"]) // 1000 for f in okx_fills.values()}
    assert sum(r["notional_micro"] for r in rows) == 32_500_250_000

    again = okx_client.post(f"/orders/{placed['id']}/sync", headers=bob.headers).json()
    assert again == body and count(engine, fills) == 2
    trading = okx_client.get(f"/posts/{pid}/trading").json()
    assert trading["fill_count"] == 2 and trading["volume_micro"] == 32_500_250_000


def test_a_limit_order_stays_live_until_okx_fills_it(okx_client, member, standin):
    alice, bob = member(), member()
    pid = tagged_post(okx_client, alice, "ETH-USDT")
    placed = order(
        okx_client,
        bob,
        pid,
        instrument="ETH-USDT",
        side="sell",
        type="limit",
        size="2",
        limit_price="3600",
    ).json()
    assert placed["status"] == "submitted"
    assert standin.placed[0]["px"] == "3600" and standin.placed[0]["tgtCcy"] == ""
    live = okx_client.post(f"/orders/{placed['id']}/sync", headers=bob.headers).json()
    assert live["status"] == "submitted" and live["fills"] == []
    standin.set_price("ETH-USDT", "3601")
    filled = okx_client.post(f"/orders/{placed['id']}/sync", headers=bob.headers).json()
    assert filled["status"] == "filled"
    [fill] = filled["fills"]
    assert (fill["price"], fill["size"], fill["fee_currency"]) == ("3601", "2", "USDT")
    assert fill["notional_micro"] == 7_202_000_000


def test_more_fills_than_one_page_are_all_recorded(okx_client, member, standin, engine):
    standin.fills_per_order = 130
    alice, bob = member(), member()
    pid = tagged_post(okx_client, alice)
    placed = order(okx_client, bob, pid, size="1.3").json()
    body = okx_client.post(f"/orders/{placed['id']}/sync", headers=bob.headers).json()
    assert len(body["fills"]) == 130
    assert sum(Decimal(f["size"]) for f in body["fills"]) == Decimal("1.3")
    okx_client.post(f"/orders/{placed['id']}/sync", headers=bob.headers)
    assert count(engine, fills) == 130


def test_the_creators_own_okx_order_is_not_attributed(okx_client, member):
    alice = member()
    pid = tagged_post(okx_client, alice)
    placed = order(okx_client, alice, pid).json()
    body = okx_client.post(f"/orders/{placed['id']}/sync", headers=alice.headers).json()
    assert body["status"] == "filled" and [f["attributed"] for f in body["fills"]] == [False]
    assert okx_client.get(f"/posts/{pid}/trading").json()["fill_count"] == 0


def test_an_okx_fill_earns_a_trade_attestation_by_default(make_client, okx_url, okx_client, member):
    alice, bob = member("alice"), member("bob")
    placed = order(okx_client, bob, tagged_post(okx_client, alice)).json()
    synced = okx_client.post(f"/orders/{placed['id']}/sync", headers=bob.headers).json()
    body = {"activity": "trade", "id": synced["fills"][0]["id"]}

    def server(**settings):
        """The stand-in stamps fills with the wall clock: a points calendar that covers it."""
        genesis = week_start(int(time.time())) - EPOCH_DURATION
        return make_client(
            exchange="okx",
            okx_api_key=KEY,
            okx_secret_key=SECRET,
            okx_passphrase=PASSPHRASE,
            okx_domain=okx_url,
            genesis=genesis,
            **settings,
        )

    refused = server(attested_exchanges="").post("/attestations", json=body, headers=alice.headers)
    assert error(refused) == (422, "exchange_not_attested")
    attested = server().post("/attestations", json=body, headers=alice.headers)
    assert attested.status_code == 201, attested.text
    assert attested.json()["kind_name"] == "trade"


def test_bad_credentials_are_a_rejected_order_with_okxs_message(
    make_client, okx_url, member, okx_client, standin, engine
):
    wrong = make_client(
        exchange="okx",
        okx_api_key=KEY,
        okx_secret_key="not-the-secret",
        okx_passphrase=PASSPHRASE,
        okx_domain=okx_url,
    )
    alice, bob = member(), member()
    pid = tagged_post(okx_client, alice)
    reply = order(wrong, bob, pid)
    assert reply.status_code == 201
    body = reply.json()
    assert body["status"] == "rejected" and body["exchange_order_id"] is None
    assert body["reject_reason"] == "OKX 50113: Invalid Sign"
    assert standin.auth_failures == ["50113"] and standin.orders == {}
    # the rejection is recorded, and syncing it asks OKX nothing
    assert count(engine, orders) == 1
    assert wrong.post(f"/orders/{body['id']}/sync", headers=bob.headers).json() == body
    assert standin.auth_failures == ["50113"]


def test_live_keys_on_a_demo_account_are_refused_by_okx(make_client, okx_url, member, okx_client):
    live = make_client(
        exchange="okx",
        okx_api_key=KEY,
        okx_secret_key=SECRET,
        okx_passphrase=PASSPHRASE,
        okx_domain=okx_url,
        okx_demo=False,
    )
    alice, bob = member(), member()
    body = order(live, bob, tagged_post(okx_client, alice)).json()
    assert body["status"] == "rejected"
    assert body["reject_reason"] == "OKX 50101: APIKey does not match current environment."


def test_an_instrument_okx_does_not_list_is_rejected_with_okxs_order_code(
    okx_client, member, standin
):
    alice, bob = member(), member()
    pid = tagged_post(okx_client, alice, "SOL-USDT")
    body = order(okx_client, bob, pid, instrument="SOL-USDT").json()
    assert body["status"] == "rejected" and body["quote_price"] is None
    assert body["reject_reason"] == "OKX 51001: Instrument ID does not exist"
    assert standin.placed[0]["clOrdId"] == body["client_order_id"]


def test_okx_down_is_503_and_nothing_is_written(make_client, member, okx_client, engine):
    down = make_client(
        exchange="okx",
        okx_api_key=KEY,
        okx_secret_key=SECRET,
        okx_passphrase=PASSPHRASE,
        okx_domain=f"http://127.0.0.1:{free_port()}",
        okx_timeout=2,
    )
    alice, bob = member(), member()
    pid = tagged_post(okx_client, alice)
    reply = order(down, bob, pid)
    assert error(reply) == (503, "exchange_unavailable")
    assert "Traceback" not in reply.text and count(engine, orders) == 0

    placed = order(okx_client, bob, pid).json()
    synced = down.post(f"/orders/{placed['id']}/sync", headers=bob.headers)
    assert error(synced) == (503, "exchange_unavailable")
    assert count(engine, fills) == 0
    assert okx_client.get(f"/orders/{placed['id']}", headers=bob.headers).json() == placed


def test_an_answer_that_is_not_okx_json_is_503_and_nothing_is_written(
    okx_client, member, standin, engine
):
    alice, bob = member(), member()
    pid = tagged_post(okx_client, alice)
    standin.garbage = True
    assert error(order(okx_client, bob, pid)) == (503, "exchange_unavailable")
    assert count(engine, orders) == 0


def test_okx_refusing_a_sync_is_502_exchange_error(
    make_client, okx_url, okx_client, member, engine
):
    alice, bob = member(), member()
    placed = order(okx_client, bob, tagged_post(okx_client, alice)).json()
    rotated = make_client(
        exchange="okx",
        okx_api_key=KEY,
        okx_secret_key=SECRET,
        okx_passphrase="rotated-Passphrase2",
        okx_domain=okx_url,
    )
    reply = rotated.post(f"/orders/{placed['id']}/sync", headers=bob.headers)
    assert error(reply) == (502, "exchange_error")
    assert "50105" in reply.json()["error"]["message"] and count(engine, fills) == 0


def test_a_paper_order_cannot_be_synced_on_okx(make_client, okx_client, member):
    paper = make_client(paper_prices={"BTC-USDT": "1"})
    alice, bob = member(), member()
    pid = tagged_post(okx_client, alice)
    placed = order(paper, bob, pid, type="limit", limit_price="0.5").json()
    assert placed["exchange"] == "paper" and placed["status"] == "submitted"
    reply = okx_client.post(f"/orders/{placed['id']}/sync", headers=bob.headers)
    assert error(reply) == (409, "exchange_mismatch")


def test_the_standin_checks_okxs_signature(okx_url, standin):
    path = "/api/v5/trade/order?instId=BTC-USDT&ordId=1"
    ts = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    headers = {
        "OK-ACCESS-KEY": KEY,
        "OK-ACCESS-PASSPHRASE": PASSPHRASE,
        "OK-ACCESS-TIMESTAMP": ts,
        "x-simulated-trading": "1",
    }
    good = okx_sign(SECRET, ts, "GET", path, "")
    ok = httpx.get(okx_url + path, headers={**headers, "OK-ACCESS-SIGN": good})
    assert ok.json() == {"code": "51603", "msg": "Order does not exist", "data": []}
    bad = okx_sign(SECRET, ts, "GET", path.replace("ordId=1", "ordId=2"), "")
    refused = httpx.get(okx_url + path, headers={**headers, "OK-ACCESS-SIGN": bad})
    assert refused.status_code == 401
    assert refused.json() == {"msg": "Invalid Sign", "code": "50113"}


def test_okx_without_keys_is_a_settings_error_at_start():
    with pytest.raises(ValidationError, match="PLANET_API_OKX_API_KEY"):
        ApiSettings(session_secret=SESSION_SECRET, exchange="okx", okx_api_key="k")
    with pytest.raises(ValidationError, match="paper_prices"):
        ApiSettings(session_secret=SESSION_SECRET, paper_prices={"BTC-USDT": "0"})
    with pytest.raises(ValidationError, match="okx_domain"):
        ApiSettings(session_secret=SESSION_SECRET, okx_domain="www.okx.com")
    assert ApiSettings(session_secret=SESSION_SECRET).attested_exchanges == ("okx",)
    for given, parsed in [("paper,okx", ("paper", "okx")), ('["okx"]', ("okx",)), (" ", ())]:
        assert ApiSettings(
            session_secret=SESSION_SECRET, attested_exchanges=given
        ).attested_exchanges == (parsed)
    for bad, message in [
        ("okx,binance", "'binance' is not an exchange"),
        ("okx,okx", "names an exchange twice"),
        ('["okx"', "is not a JSON list"),
        ('{"okx": 1}', "'{\"okx\": 1}' is not an exchange"),
    ]:
        with pytest.raises(ValidationError, match=message):
            ApiSettings(session_secret=SESSION_SECRET, attested_exchanges=bad)
    assert start_errors(PLANET_API_EXCHANGE="okx") == [
        "Error: PLANET_API_EXCHANGE=okx needs PLANET_API_OKX_API_KEY, "
        "PLANET_API_OKX_SECRET_KEY and PLANET_API_OKX_PASSPHRASE"
    ]
    assert start_errors(PLANET_API_ATTESTED_EXCHANGES="okx,papr") == [
        "Error: PLANET_API_ATTESTED_EXCHANGES: Value error, 'papr' is not an exchange "
        "(expected some of okx, paper, comma-separated)"
    ]


def start_errors(**variables: str) -> list[str]:
    """What ``python -m api migrate`` prints when its settings refuse to start (exit 1)."""
    env = {
        "PATH": "",
        "PYTHONPATH": ":".join(sys.path),
        "PLANET_API_SESSION_SECRET": SESSION_SECRET,
    }
    failed = subprocess.run(
        [sys.executable, "-m", "api", "migrate"],
        capture_output=True,
        text=True,
        env={**env, **variables},
    )
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    return failed.stderr.strip().splitlines()


def test_an_open_okx_order_is_cancelled_on_okx(okx_client, member, standin):
    alice, bob = member(), member()
    pid = tagged_post(okx_client, alice, "ETH-USDT")
    placed = order(
        okx_client, bob, pid, instrument="ETH-USDT", side="sell", type="limit", size="2",
        limit_price="3600",
    ).json()  # fmt: skip
    cancelled = okx_client.post(f"/orders/{placed['id']}/cancel", headers=bob.headers).json()
    assert cancelled["status"] == "canceled"
    [on_okx] = standin.orders.values()
    assert on_okx["state"] == "canceled"
    standin.set_price("ETH-USDT", "3601")  # a canceled order never fills
    synced = okx_client.post(f"/orders/{placed['id']}/sync", headers=bob.headers).json()
    assert synced["status"] == "canceled" and synced["fills"] == []
    again = okx_client.post(f"/orders/{placed['id']}/cancel", headers=bob.headers)
    assert error(again) == (409, "order_not_open")


def test_an_okx_order_that_filled_before_the_cancel_comes_back_filled(okx_client, member, standin):
    alice, bob = member(), member()
    pid = tagged_post(okx_client, alice, "ETH-USDT")
    placed = order(
        okx_client, bob, pid, instrument="ETH-USDT", side="sell", type="limit", size="2",
        limit_price="3600",
    ).json()  # fmt: skip
    standin.set_price("ETH-USDT", "3601")  # OKX fills it; our row still says submitted
    late = okx_client.post(f"/orders/{placed['id']}/cancel", headers=bob.headers).json()
    assert late["status"] == "filled" and len(late["fills"]) == 1
