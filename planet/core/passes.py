"""Community passes as `ICommunityPass` defines them: the terms a creator chooses and the
arithmetic of a sale, so the API, scripts and tests quote the same numbers as the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

NATIVE = "0x" + "00" * 20
"""The `currency` of a pass priced in native OKB."""

BPS = 10_000
MAX_FEE_BPS = 1_000
MAX_ROYALTY_BPS = 1_000


@dataclass(frozen=True)
class PassTerms:
    """What a creator defines; field order is ``ICommunityPass.PassTerms``'s.

    ``duration`` 0 is a lifetime pass; otherwise a subscription period in seconds (then the
    pass must be soulbound and ``wallet_limit`` 1).
    """

    currency: str
    price: int
    max_supply: int
    wallet_limit: int
    duration: int = 0
    transferable: bool = False
    royalty_bps: int = 0
    uri: str = ""

    @property
    def is_subscription(self) -> bool:
        return self.duration != 0

    def as_tuple(self) -> tuple[str, int, int, int, int, bool, int, str]:
        return (
            self.currency,
            self.price,
            self.max_supply,
            self.wallet_limit,
            self.duration,
            self.transferable,
            self.royalty_bps,
            self.uri,
        )


def split_cost(cost: int, fee_bps: int) -> tuple[int, int]:
    """``(creator share, platform fee)`` of a sale; the fee rounds down, as on-chain."""
    fee = cost * fee_bps // BPS
    return cost - fee, fee


def renewed_expiry(expiry: int, now: int, periods: int, duration: int) -> int:
    """A subscription's expiry after ``periods`` more: counted from ``max(now, expiry)``."""
    return max(now, expiry) + periods * duration


# ---------------------------------------------------------------- protocol v2

PRICE_NOTICE = 30 * 24 * 60 * 60
"""``CommunityPass.PRICE_NOTICE``: after a price change, subscribers renew at no more than
their snapshot for this long."""
MAX_POINTS_WEEKS = 12
MAX_REFUND_WINDOW = 30 * 24 * 60 * 60
MAX_GIFT_BATCH = 100

Block = Literal[
    "unknown_pass",
    "sales_paused",
    "not_subscription",
    "not_holder",
    "sold_out",
    "wallet_limit",
    "not_enough_points",
    "identity_not_verified",
]
"""Why ``canMint`` / ``canRenew`` say no: ``ICommunityPass.Block`` in snake case."""

BLOCKS: tuple[Block | None, ...] = (None, *get_args(Block))
"""``ICommunityPass.Block`` by value (``None`` is the contract's ``Block.None``)."""


def renewal_price(current: int, snapshot: int, holders_price_from: int, now: int) -> int:
    """``renewalPrice``: during the notice after a price change (until ``holders_price_from``)
    the lower of the current price and the holder's snapshot, then the current price."""
    if snapshot < current and now < holders_price_from:
        return snapshot
    return current


def refund_due(paid: int, start: int, refund_until: int, expiry: int, now: int) -> int:
    """What ``cancelSubscription`` refunds now of a payment of ``paid`` (the creator's share)
    that bought ``[start, expiry)``: the part after ``max(now, start)``, rounded down; 0 once
    the window closed, the subscription lapsed, or with no refundable payment."""
    if paid == 0 or now >= refund_until or now >= expiry:
        return 0
    back_to = max(now, start)
    return paid * (expiry - back_to) // (expiry - start)
