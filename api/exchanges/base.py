"""What every exchange adapter offers, and the exact decimal arithmetic orders and fills use.

An adapter places an order and later reports its state and fills; it never touches the
database. The trading service (:mod:`api.services.trading`) records what the adapter answers, so
an adapter that fails (network, malformed answer) raises before anything is written.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

from api.errors import ApiError, ErrorCode

Side = Literal["buy", "sell"]
OrderType = Literal["market", "limit"]
Status = Literal["submitted", "filled", "partially_filled", "rejected", "canceled"]

MICRO = 10**6
_EXACT = decimal.Context(prec=200, rounding=decimal.ROUND_FLOOR)


class ExchangeUnavailable(ApiError):
    """The exchange could not be reached, or answered something that is not its API's shape."""

    status, code = 503, ErrorCode.EXCHANGE_UNAVAILABLE


class ExchangeError(ApiError):
    """The exchange answered an error where no order could be rejected (e.g. polling fills)."""

    status, code = 502, ErrorCode.EXCHANGE_ERROR


def plain(value: Decimal) -> str:
    """A decimal as a plain string (no exponent, no trailing zeros): how sizes are stored."""
    text = format(value.normalize(_EXACT), "f")
    return text


def notional_micro(price: Decimal, size: Decimal) -> int:
    """price * size in millionths of the quote currency, floored; exact at any magnitude."""
    return int(_EXACT.to_integral_value(_EXACT.multiply(_EXACT.multiply(price, size), MICRO)))


@dataclass(frozen=True)
class OrderRequest:
    """An order as the trader asked for it; ``client_order_id`` is ours and unique."""

    client_order_id: str
    instrument: str
    side: Side
    order_type: OrderType
    size: Decimal
    limit_price: Decimal | None = None


@dataclass(frozen=True)
class Fill:
    """One execution. ``fill_id`` is unique per exchange: recording it twice is a no-op."""

    fill_id: str
    price: Decimal
    size: Decimal
    fee: str
    fee_currency: str | None
    filled_at: int


@dataclass(frozen=True)
class Placement:
    """The exchange's answer to a new order: accepted (with its id) or rejected (with why)."""

    status: Status
    exchange_order_id: str | None = None
    reject_reason: str | None = None
    fills: list[Fill] = field(default_factory=list)


@dataclass(frozen=True)
class OrderState:
    """An accepted order as the exchange reports it now, with every fill it knows of."""

    status: Status
    fills: list[Fill]


class Exchange(Protocol):
    name: str

    def quote(self, instrument: str) -> Decimal | None:
        """The last traded price, or None when the exchange lists no such instrument."""
        ...

    def place(self, order: OrderRequest, now: int) -> Placement: ...

    def poll(self, order: OrderRequest, exchange_order_id: str, now: int) -> OrderState: ...

    def cancel(self, order: OrderRequest, exchange_order_id: str, now: int) -> OrderState:
        """Cancels what is left of an open order, then reports it as :meth:`poll` does: an
        order that filled before the cancel arrived reports ``filled`` with its fills."""
        ...
