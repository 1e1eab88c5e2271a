"""Community passes as `ICommunityPass` defines them: the terms a creator chooses and the
arithmetic of a sale, so the API, scripts and tests quote the same numbers as the contract.
"""

from __future__ import annotations

from dataclasses import dataclass

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
