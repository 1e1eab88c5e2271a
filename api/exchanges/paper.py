"""The built-in paper exchange: no money moves, orders fill at the prices it is given.

Prices come from settings (``PLANET_API_PAPER_PRICES``) and :meth:`PaperExchange.set_price`.
A market order fills whole at the current price when placed; a limit order fills whole at the
current price once that price crosses its limit (buy: price <= limit, sell: price >= limit),
when placed or when polled later. An instrument without a price is rejected.

It keeps no order book: an order's one fill is a function of the order (its id is the order's),
so polling again, or after a restart, never makes a second fill.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from decimal import Decimal

from api.exchanges.base import Fill, OrderRequest, OrderState, Placement


class PaperExchange:
    name = "paper"

    def __init__(self, prices: Mapping[str, Decimal] | None = None) -> None:
        self._prices = dict(prices or {})
        self._canceled: set[str] = set()
        self._lock = threading.Lock()

    def set_price(self, instrument: str, price: Decimal | str) -> None:
        price = Decimal(price)
        if not price.is_finite() or price <= 0:
            raise ValueError(f"price of {instrument} must be a positive decimal")
        with self._lock:
            self._prices[instrument] = price

    def quote(self, instrument: str) -> Decimal | None:
        with self._lock:
            return self._prices.get(instrument)

    def place(self, order: OrderRequest, now: int) -> Placement:
        price = self.quote(order.instrument)
        if price is None:
            return Placement(
                "rejected", reject_reason=f"the paper exchange has no price for {order.instrument}"
            )
        order_id = _order_id(order)
        fill = _fill(order, order_id, price, now)
        if fill is None:
            return Placement("submitted", order_id)
        return Placement("filled", order_id, fills=[fill])

    def poll(self, order: OrderRequest, exchange_order_id: str, now: int) -> OrderState:
        with self._lock:
            if exchange_order_id in self._canceled:
                return OrderState("canceled", [])
        price = self.quote(order.instrument)
        fill = None if price is None else _fill(order, exchange_order_id, price, now)
        if fill is None:
            return OrderState("submitted", [])
        return OrderState("filled", [fill])

    def cancel(self, order: OrderRequest, exchange_order_id: str, now: int) -> OrderState:
        """An open paper order that would fill at today's price fills instead (the market got
        there first); otherwise it is canceled for good."""
        state = self.poll(order, exchange_order_id, now)
        if state.status == "submitted":
            with self._lock:
                self._canceled.add(exchange_order_id)
            return OrderState("canceled", [])
        return state


def _order_id(order: OrderRequest) -> str:
    return f"paper-{order.client_order_id}"


def _crosses(order: OrderRequest, price: Decimal) -> bool:
    if order.order_type == "market":
        return True
    assert order.limit_price is not None
    return price <= order.limit_price if order.side == "buy" else price >= order.limit_price


def _fill(order: OrderRequest, order_id: str, price: Decimal, now: int) -> Fill | None:
    if not _crosses(order, price):
        return None
    return Fill(
        fill_id=order_id,
        price=price,
        size=order.size,
        fee="0",
        fee_currency=None,
        filled_at=now,
    )
