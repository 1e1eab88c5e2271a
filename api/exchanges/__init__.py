"""Exchange adapters: where orders placed from posts go. ``paper`` (built in, the default) fills
at prices it is given; ``okx`` trades on OKX through its v5 REST API (python-okx)."""

from __future__ import annotations

from api.exchanges.base import (
    Exchange,
    ExchangeError,
    ExchangeUnavailable,
    Fill,
    OrderRequest,
    OrderState,
    Placement,
)
from api.exchanges.factory import exchange_from_settings
from api.exchanges.okx import OkxExchange
from api.exchanges.paper import PaperExchange

__all__ = [
    "Exchange",
    "ExchangeError",
    "ExchangeUnavailable",
    "Fill",
    "OkxExchange",
    "OrderRequest",
    "OrderState",
    "PaperExchange",
    "Placement",
    "exchange_from_settings",
]
