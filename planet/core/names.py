"""Names that several layers must spell the same way."""

from __future__ import annotations

from typing import Literal, get_args

#: Exchanges an order can be placed on: OKX, and the built-in paper exchange.
ExchangeName = Literal["okx", "paper"]
EXCHANGE_NAMES: tuple[str, ...] = get_args(ExchangeName)
