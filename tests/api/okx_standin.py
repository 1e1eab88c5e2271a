"""A small local stand-in for OKX's v5 REST API: the four endpoints the OKX adapter uses, in
OKX's documented JSON shapes, served over real HTTP by uvicorn on a loopback port.

* ``GET /api/v5/market/ticker`` (public);
* ``POST /api/v5/trade/order``, ``GET /api/v5/trade/order``, ``GET /api/v5/trade/fills``,
  ``POST /api/v5/trade/cancel-order`` (a live order becomes ``canceled``; a completed one is
  refused with ``51400``, as OKX does)
  (private: ``OK-ACCESS-KEY/-SIGN/-TIMESTAMP/-PASSPHRASE`` checked, the signature being
  base64(HMAC-SHA256(secret, timestamp + METHOD + path?query + body)); failures answer HTTP 401
  with OKX's codes, ``50113`` "Invalid Sign" for a bad signature). A demo-trading key
  (``simulated``) only works with ``x-simulated-trading: 1`` (else ``50101``).

The market is spot and simple: a market order fills at the ticker's ``last``; a limit order fills
at ``last`` once it crosses (buy: last <= px; sell: last >= px), at placement or when a test moves
the price with :meth:`OkxStandIn.set_price`. Each fill takes a 0.1% fee (in the base currency on
a buy, the quote currency on a sell, negative as OKX reports charges). ``fills_per_order`` splits
an execution into that many fills, to exercise paging (``limit`` at most 100, ``after`` a billId).
A market buy's ``sz`` is in the quote currency unless ``tgtCcy=base_ccy``, as on OKX.
"""

from __future__ import annotations

import base64
import hmac
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

FEE_RATE = Decimal("0.001")
MAX_SKEW = 30  # seconds OKX tolerates between OK-ACCESS-TIMESTAMP and its clock
PAGE_MAX = 100


def okx_sign(secret: str, timestamp: str, method: str, path: str, body: str) -> str:
    mac = hmac.new(secret.encode(), (timestamp + method.upper() + path + body).encode(), "sha256")
    return base64.b64encode(mac.digest()).decode()


def _ms() -> str:
    return str(int(time.time() * 1000))


def _ok(data: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"code": "0", "msg": "", "data": data})


def _error(code: str, msg: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"code": code, "msg": msg, "data": []}, status_code=status)


def _auth_error(code: str, msg: str) -> JSONResponse:
    return JSONResponse({"msg": msg, "code": code}, status_code=401)


def _positive(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


class OkxStandIn:
    def __init__(
        self,
        api_key: str,
        secret_key: str,
        passphrase: str,
        prices: dict[str, str],
        simulated: bool = True,
    ) -> None:
        self.api_key, self.secret_key, self.passphrase = api_key, secret_key, passphrase
        self.simulated = simulated
        self.fills_per_order = 1
        self.garbage = False  # answer every request with an HTML error page, as a broken proxy
        self.prices = {k: Decimal(v) for k, v in prices.items()}
        self.orders: dict[str, dict[str, Any]] = {}
        self.fills: list[dict[str, Any]] = []
        self.placed: list[dict[str, Any]] = []  # every order body received, as sent
        self.auth_failures: list[str] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/api/v5/market/ticker", self.ticker, methods=["GET"]),
                Route("/api/v5/trade/order", self.place_order, methods=["POST"]),
                Route("/api/v5/trade/order", self.get_order, methods=["GET"]),
                Route("/api/v5/trade/fills", self.get_fills, methods=["GET"]),
                Route("/api/v5/trade/cancel-order", self.cancel_order, methods=["POST"]),
            ]
        )

    # -- test controls -------------------------------------------------------------------

    def set_price(self, instrument: str, price: str) -> None:
        """Moves the market: live limit orders that now cross fill."""
        with self._lock:
            self.prices[instrument] = Decimal(price)
            for order in self.orders.values():
                if order["instId"] == instrument and order["state"] == "live":
                    self._maybe_fill(order)

    # -- authentication --------------------------------------------------------------------

    def _authenticate(self, request: Request, body: str) -> JSONResponse | None:
        h = request.headers
        required = [
            ("OK-ACCESS-KEY", "50103"),
            ("OK-ACCESS-PASSPHRASE", "50104"),
            ("OK-ACCESS-SIGN", "50106"),
            ("OK-ACCESS-TIMESTAMP", "50107"),
        ]
        for header, code in required:
            if not h.get(header):
                return self._refuse(code, f'Request header "{header}" cannot be empty.')
        try:
            sent = datetime.fromisoformat(h["OK-ACCESS-TIMESTAMP"].replace("Z", "+00:00"))
        except ValueError:
            return self._refuse("50112", "Invalid OK-ACCESS-TIMESTAMP")
        if sent.tzinfo is None or abs(sent.timestamp() - time.time()) > MAX_SKEW:
            return self._refuse("50102", "Timestamp request expired")
        if not hmac.compare_digest(h["OK-ACCESS-KEY"], self.api_key):
            return self._refuse("50111", "Invalid OK-ACCESS-KEY")
        if not hmac.compare_digest(h["OK-ACCESS-PASSPHRASE"], self.passphrase):
            return self._refuse("50105", 'Request header "OK-ACCESS-PASSPHRASE" incorrect.')
        if (h.get("x-simulated-trading") == "1") != self.simulated:
            return self._refuse("50101", "APIKey does not match current environment.")
        path = request.scope["raw_path"].decode()
        if request.scope["query_string"]:
            path += "?" + request.scope["query_string"].decode()
        expected = okx_sign(self.secret_key, h["OK-ACCESS-TIMESTAMP"], request.method, path, body)
        if not hmac.compare_digest(h["OK-ACCESS-SIGN"], expected):
            return self._refuse("50113", "Invalid Sign")
        return None

    def _refuse(self, code: str, msg: str) -> JSONResponse:
        self.auth_failures.append(code)
        return _auth_error(code, msg)

    # -- endpoints -------------------------------------------------------------------------

    async def ticker(self, request: Request) -> Response:
        if self.garbage:
            return self._garbage()
        inst = request.query_params.get("instId", "")
        if not inst:
            return _error("50014", "Parameter instId cannot be empty", 400)
        with self._lock:
            last = self.prices.get(inst)
        if last is None:
            return _error("51001", "Instrument ID does not exist")
        spread = last / 10_000
        return _ok(
            [
                {
                    "instType": "SPOT",
                    "instId": inst,
                    "last": str(last),
                    "lastSz": "0.01",
                    "askPx": str(last + spread),
                    "askSz": "1",
                    "bidPx": str(last - spread),
                    "bidSz": "1",
                    "open24h": str(last),
                    "high24h": str(last),
                    "low24h": str(last),
                    "volCcy24h": "0",
                    "vol24h": "0",
                    "ts": _ms(),
                    "sodUtc0": str(last),
                    "sodUtc8": str(last),
                }
            ]
        )

    async def place_order(self, request: Request) -> Response:
        if self.garbage:
            return self._garbage()
        raw = (await request.body()).decode()
        refused = self._authenticate(request, raw)
        if refused is not None:
            return refused
        try:
            params = json.loads(raw)
        except ValueError:
            return _error("50002", "JSON syntax error", 400)
        if not isinstance(params, dict):
            return _error("50002", "JSON syntax error", 400)
        for name in ("instId", "tdMode", "side", "ordType", "sz"):
            if not params.get(name):
                return _error("50014", f"Parameter {name} cannot be empty", 400)
        self.placed.append(params)
        with self._lock:
            failure = self._check(params)
            if failure is not None:
                return self._order_failed(params, *failure)
            order = self._new_order(params)
        return JSONResponse(
            {
                "code": "0",
                "msg": "",
                "data": [
                    {
                        "clOrdId": order["clOrdId"],
                        "ordId": order["ordId"],
                        "tag": "",
                        "ts": order["cTime"],
                        "sCode": "0",
                        "sMsg": "Order placed",
                    }
                ],
                "inTime": _ms() + "000",
                "outTime": _ms() + "000",
            }
        )

    async def cancel_order(self, request: Request) -> Response:
        raw = (await request.body()).decode()
        refused = self._authenticate(request, raw)
        if refused is not None:
            return refused
        params = json.loads(raw)
        with self._lock:
            order = self.orders.get(str(params.get("ordId") or ""))
            if order is None or order["instId"] != params.get("instId"):
                return self._order_failed(params, "51400", "Order does not exist")
            if order["state"] != "live":
                return self._order_failed(
                    params, "51400", "Order cancellation failed as the order has been completed"
                )
            order["state"] = "canceled"
            order["uTime"] = _ms()
        row = {"clOrdId": order["clOrdId"], "ordId": order["ordId"], "sCode": "0", "sMsg": ""}
        return JSONResponse({"code": "0", "msg": "", "data": [row]})

    def _check(self, params: dict[str, Any]) -> tuple[str, str] | None:
        if params["instId"] not in self.prices:
            return "51001", "Instrument ID does not exist"
        if params["tdMode"] != "cash":
            return "51000", "Parameter tdMode error"
        if params["side"] not in ("buy", "sell"):
            return "51000", "Parameter side error"
        if params["ordType"] not in ("market", "limit"):
            return "51000", "Parameter ordType error"
        if _positive(params["sz"]) is None:
            return "51000", "Parameter sz error"
        if params["ordType"] == "limit" and _positive(params.get("px")) is None:
            return "51000", "Parameter px error"
        cl = params.get("clOrdId") or ""
        if cl and any(o["clOrdId"] == cl for o in self.orders.values()):
            return "51016", "Duplicated client order ID"
        return None

    def _order_failed(self, params: dict[str, Any], code: str, msg: str) -> JSONResponse:
        row = {
            "clOrdId": params.get("clOrdId") or "",
            "ordId": "",
            "tag": "",
            "ts": _ms(),
            "sCode": code,
            "sMsg": msg,
        }
        return JSONResponse({"code": "1", "msg": "All operations failed", "data": [row]})

    def _new_order(self, params: dict[str, Any]) -> dict[str, Any]:
        last = self.prices[params["instId"]]
        size = Decimal(str(params["sz"]))
        if params["ordType"] == "market" and params["side"] == "buy":
            if params.get("tgtCcy") != "base_ccy":  # sz is an amount of quote currency
                size = (size / last).quantize(Decimal("1e-8"))
        now = _ms()
        order = {
            "instType": "SPOT",
            "instId": params["instId"],
            "ccy": "",
            "ordId": str(600_000_000_000_000_000 + next(self._ids)),
            "clOrdId": params.get("clOrdId") or "",
            "tag": "",
            "px": str(params.get("px") or ""),
            "sz": str(size),
            "pnl": "0",
            "ordType": params["ordType"],
            "side": params["side"],
            "posSide": "net",
            "tdMode": "cash",
            "accFillSz": "0",
            "fillPx": "",
            "tradeId": "",
            "fillSz": "0",
            "fillTime": "",
            "avgPx": "",
            "state": "live",
            "lever": "",
            "fee": "0",
            "feeCcy": "",
            "tgtCcy": params.get("tgtCcy") or "",
            "category": "normal",
            "uTime": now,
            "cTime": now,
        }
        self.orders[order["ordId"]] = order
        self._maybe_fill(order)
        return order

    def _maybe_fill(self, order: dict[str, Any]) -> None:
        last = self.prices[order["instId"]]
        if order["ordType"] == "limit":
            px = Decimal(order["px"])
            if not (last <= px if order["side"] == "buy" else last >= px):
                return
        remaining = Decimal(order["sz"]) - Decimal(order["accFillSz"])
        parts = max(1, self.fills_per_order)
        piece = (remaining / parts).quantize(Decimal("1e-8"))
        sizes = [piece] * (parts - 1) + [remaining - piece * (parts - 1)]
        base, quote = order["instId"].split("-")
        for size in sizes:
            trade_id = str(next(self._ids))
            bill_id = str(700_000_000_000_000_000 + int(trade_id))
            buy = order["side"] == "buy"
            fee = -(size * FEE_RATE if buy else size * last * FEE_RATE)
            ts = _ms()
            self.fills.append(
                {
                    "instType": "SPOT",
                    "instId": order["instId"],
                    "tradeId": trade_id,
                    "ordId": order["ordId"],
                    "clOrdId": order["clOrdId"],
                    "billId": bill_id,
                    "subType": "1" if buy else "2",
                    "tag": "",
                    "fillPx": str(last),
                    "fillSz": str(size),
                    "fillIdxPx": "",
                    "fillPnl": "0",
                    "fillPxVol": "",
                    "fillPxUsd": "",
                    "fillMarkVol": "",
                    "fillFwdPx": "",
                    "fillMarkPx": "",
                    "side": order["side"],
                    "posSide": "net",
                    "execType": "T",
                    "feeCcy": base if buy else quote,
                    "fee": str(fee),
                    "feeRate": str(-FEE_RATE),
                    "ts": ts,
                    "fillTime": ts,
                }
            )
        order.update(
            accFillSz=order["sz"],
            fillPx=str(last),
            fillSz=str(sizes[-1]),
            tradeId=self.fills[-1]["tradeId"],
            fillTime=self.fills[-1]["ts"],
            avgPx=str(last),
            state="filled",
            uTime=_ms(),
        )

    async def get_order(self, request: Request) -> Response:
        if self.garbage:
            return self._garbage()
        refused = self._authenticate(request, "")
        if refused is not None:
            return refused
        q = request.query_params
        if not q.get("instId"):
            return _error("50014", "Parameter instId cannot be empty", 400)
        if not q.get("ordId") and not q.get("clOrdId"):
            return _error("50015", "Either parameter ordId or clOrdId is required", 400)
        with self._lock:
            found = [
                dict(o)
                for o in self.orders.values()
                if o["instId"] == q["instId"]
                and (o["ordId"] == q.get("ordId") or o["clOrdId"] == q.get("clOrdId"))
            ]
        if not found:
            return _error("51603", "Order does not exist")
        return _ok(found[:1])

    async def get_fills(self, request: Request) -> Response:
        if self.garbage:
            return self._garbage()
        refused = self._authenticate(request, "")
        if refused is not None:
            return refused
        q = request.query_params
        try:
            limit = min(int(q.get("limit") or PAGE_MAX), PAGE_MAX)
        except ValueError:
            return _error("51000", "Parameter limit error", 400)
        with self._lock:
            rows = sorted(self.fills, key=lambda f: int(f["billId"]), reverse=True)
        for key in ("instId", "ordId", "instType"):
            if q.get(key):
                rows = [r for r in rows if r[key] == q[key]]
        if q.get("after"):
            rows = [r for r in rows if int(r["billId"]) < int(q["after"])]
        if q.get("before"):
            rows = [r for r in rows if int(r["billId"]) > int(q["before"])]
        return _ok([dict(r) for r in rows[:limit]])

    def _garbage(self) -> Response:
        return PlainTextResponse("<html><body>502 Bad Gateway</body></html>", status_code=502)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serves ``app`` with uvicorn on a free loopback port in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the OKX stand-in did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
