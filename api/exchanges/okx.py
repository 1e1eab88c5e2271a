"""OKX through its v5 REST API, with the python-okx SDK.

Endpoints used: ``POST /api/v5/trade/order`` (place), ``GET /api/v5/trade/order`` (state),
``GET /api/v5/trade/fills`` (executions of one order, paged by ``billId``) and
``GET /api/v5/market/ticker`` (last price). Orders are spot, ``tdMode=cash``; a market order's
size is in the base currency (``tgtCcy=base_ccy``; OKX would read a market buy's ``sz`` as quote
currency otherwise). ``demo`` sends ``x-simulated-trading: 1`` (OKX's demo trading keys only work
with it).

How answers map:

* place: ``code == "0"`` and ``sCode == "0"`` -> submitted with OKX's ``ordId``; any other code
  -> rejected, the reason being OKX's ``sCode``/``sMsg`` (or ``code``/``msg`` when OKX refused the
  request as a whole, e.g. ``50113`` invalid signature);
* the network failing, or an answer that is not OKX's JSON shape -> :class:`ExchangeUnavailable`
  (nothing is recorded by the caller);
* poll: OKX's order ``state`` (live, partially_filled, filled, canceled, mmp_canceled) and its
  fills; an error code there -> :class:`ExchangeError` (502).

A fill's id is ``<ordId>:<tradeId>``: OKX trade ids are only unique per instrument.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from okx.MarketData import MarketAPI
from okx.Trade import TradeAPI

from api.exchanges.base import (
    ExchangeError,
    ExchangeUnavailable,
    Fill,
    OrderRequest,
    OrderState,
    Placement,
    Status,
    plain,
)

FILLS_PAGE = 100
# Cancel refused because the order is already filled, canceled, or otherwise complete.
_ALREADY_DONE = ("51400", "51401", "51402")

_STATES: dict[str, Status] = {
    "live": "submitted",
    "partially_filled": "partially_filled",
    "filled": "filled",
    "canceled": "canceled",
    "mmp_canceled": "canceled",
}


class OkxExchange:
    name = "okx"

    def __init__(
        self,
        api_key: str,
        secret_key: str,
        passphrase: str,
        domain: str = "https://www.okx.com",
        demo: bool = True,
        timeout: float = 10.0,
    ) -> None:
        self._keys = (api_key, secret_key, passphrase)
        self._domain = domain.rstrip("/")
        self._flag = "1" if demo else "0"
        self._timeout = timeout
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _client(self, factory: type[Any], signed: bool = True) -> Any:
        """One SDK client per kind, made on first use and kept: each holds an httpx connection
        pool, and making one costs tens of milliseconds (its TLS context)."""
        with self._lock:
            client = self._clients.get(factory.__name__)
            if client is None:
                keys = self._keys if signed else ("-1", "-1", "-1")
                client = factory(*keys, flag=self._flag, domain=self._domain)
                client.timeout = httpx.Timeout(self._timeout)
                self._clients[factory.__name__] = client
            return client

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def _call(self, what: str, request: Callable[[], Any]) -> dict[str, Any]:
        try:
            answer = request()
        except httpx.HTTPError as err:
            raise ExchangeUnavailable(
                f"OKX could not be reached ({what}: {type(err).__name__}); nothing was recorded, "
                "try again"
            ) from None
        except ValueError:  # the body was not JSON (a proxy's error page, a gateway timeout)
            answer = None
        if not isinstance(answer, dict) or not isinstance(answer.get("code"), str):
            raise ExchangeUnavailable(
                f"OKX answered {what} with something that is not its API's JSON; nothing was "
                "recorded, try again",
            )
        return answer

    def quote(self, instrument: str) -> Decimal | None:
        market = self._client(MarketAPI, signed=False)
        answer = self._call("ticker", lambda: market.get_ticker(instId=instrument))
        rows = answer.get("data") or []
        if answer["code"] != "0" or not rows:
            return None
        return _decimal(rows[0], "last", "ticker")

    def place(self, order: OrderRequest, now: int) -> Placement:
        market = order.order_type == "market"
        trade = self._client(TradeAPI)
        answer = self._call(
            "place order",
            lambda: trade.place_order(
                instId=order.instrument,
                tdMode="cash",
                side=order.side,
                ordType=order.order_type,
                sz=plain(order.size),
                clOrdId=order.client_order_id,
                px="" if order.limit_price is None else plain(order.limit_price),
                tgtCcy="base_ccy" if market else "",
            ),
        )
        rows = answer.get("data") or []
        first = rows[0] if rows and isinstance(rows[0], dict) else {}
        if answer["code"] == "0" and first.get("sCode") == "0" and first.get("ordId"):
            return Placement("submitted", str(first["ordId"]))
        if first.get("sCode") not in (None, "", "0"):
            reason = f"OKX {first['sCode']}: {first.get('sMsg') or answer.get('msg') or ''}"
        else:
            reason = f"OKX {answer['code']}: {answer.get('msg') or 'order not accepted'}"
        return Placement("rejected", reject_reason=reason.strip())

    def poll(self, order: OrderRequest, exchange_order_id: str, now: int) -> OrderState:
        trade = self._client(TradeAPI)
        answer = self._call(
            "order state",
            lambda: trade.get_order(instId=order.instrument, ordId=exchange_order_id),
        )
        _raise_for_code(answer, "order state")
        rows = answer.get("data") or []
        state = rows[0].get("state") if rows and isinstance(rows[0], dict) else None
        if state not in _STATES:
            raise ExchangeUnavailable(f"OKX reported an unknown order state {state!r}")
        fills = list(self._fills(trade, order.instrument, exchange_order_id))
        return OrderState(_STATES[state], fills)

    def cancel(self, order: OrderRequest, exchange_order_id: str, now: int) -> OrderState:
        """Asks OKX to cancel, then reads the order back. OKX refuses to cancel an order that
        completed meanwhile (51400-51402): that is not an error here, the state read after says
        what happened."""
        trade = self._client(TradeAPI)
        answer = self._call(
            "cancel order",
            lambda: trade.cancel_order(instId=order.instrument, ordId=exchange_order_id),
        )
        rows = answer.get("data") or []
        first = rows[0] if rows and isinstance(rows[0], dict) else {}
        code = str(first.get("sCode") or answer.get("code"))
        if code not in ("0", *_ALREADY_DONE):
            reason = first.get("sMsg") or answer.get("msg") or "cancel refused"
            raise ExchangeError(f"OKX {code}: {reason}")
        return self.poll(order, exchange_order_id, now)

    def _fills(self, trade: TradeAPI, instrument: str, order_id: str) -> Iterator[Fill]:
        after = ""
        while True:
            answer = self._call(
                "fills",
                functools.partial(
                    trade.get_fills,
                    instId=instrument,
                    ordId=order_id,
                    after=after,
                    limit=str(FILLS_PAGE),
                ),
            )
            _raise_for_code(answer, "fills")
            rows = answer.get("data") or []
            for row in rows:
                if not isinstance(row, dict):
                    raise ExchangeUnavailable("OKX returned a fill that is not an object")
                if str(row.get("ordId")) == order_id:
                    yield _fill(row, order_id)
            if len(rows) < FILLS_PAGE:
                return
            after = str(rows[-1].get("billId", ""))
            if not after:
                return


def _raise_for_code(answer: dict[str, Any], what: str) -> None:
    if answer["code"] != "0":
        raise ExchangeError(f"OKX refused {what}: {answer['code']} {answer.get('msg') or ''}")


def _decimal(row: dict[str, Any], key: str, what: str) -> Decimal:
    try:
        value = Decimal(str(row[key]))
    except (KeyError, InvalidOperation):
        raise ExchangeUnavailable(f"OKX's {what} has no valid {key}") from None
    if not value.is_finite():
        raise ExchangeUnavailable(f"OKX's {what} has no valid {key}")
    return value


def _fill(row: dict[str, Any], order_id: str) -> Fill:
    trade_id = row.get("tradeId")
    ts = str(row.get("ts") or row.get("fillTime") or "")
    if not trade_id or not ts.isdigit():
        raise ExchangeUnavailable("OKX returned a fill without tradeId or ts")
    return Fill(
        fill_id=f"{order_id}:{trade_id}",
        price=_decimal(row, "fillPx", "fill"),
        size=_decimal(row, "fillSz", "fill"),
        fee=str(row.get("fee") or "0"),
        fee_currency=row.get("feeCcy") or None,
        filled_at=int(ts) // 1000,
    )
