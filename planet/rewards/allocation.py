"""Splitting an epoch's pool into integer amounts proportional to scores.

Rules, all deterministic:

- Only accounts with a positive score take part; a zero score gets nothing and is left out.
- Amounts are integers in the asset's base units. Exact shares are computed with
  :class:`fractions.Fraction`; every account gets the floor of its share and the units left
  over go one each by the largest remainder method. Ties are broken by the larger remainder,
  then the larger score, then the lowest address (compared lowercase).
- An optional per-account cap, ``cap_share`` of the pool (``floor(pool * cap_share)`` units),
  is applied by water-filling: an account whose exact share exceeds the cap is fixed at the
  cap and what remains is shared again among the others, until no share exceeds the cap.
- The amounts sum to exactly ``pool``, except when every taking part account is capped (or no
  account has a positive score): then what cannot be given stays in ``unallocated``. So
  ``sum(allocations) + unallocated == pool`` always, and ``unallocated`` is 0 otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from eth_utils import to_checksum_address

from planet.core.errors import PlanetError

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")

Score = int | Fraction


class AllocationError(PlanetError, ValueError):
    """Inputs an allocation cannot be made from: a negative pool or score, a bad address, an
    address given twice, or a cap outside (0, 1]."""


@dataclass(frozen=True)
class Allocation:
    """The result of :func:`allocate`.

    ``allocations`` maps each positive-score account (checksummed) to its amount, possibly 0
    after rounding; ``unallocated`` is what stays in the pool (0 unless every account is capped
    or nobody scored); ``cap`` is the per-account cap in units, or None; ``capped`` the accounts
    held at the cap.
    """

    allocations: dict[str, int]  # ordered by address, lowercase
    unallocated: int
    cap: int | None = None
    capped: frozenset[str] = field(default_factory=frozenset)

    @property
    def total(self) -> int:
        return sum(self.allocations.values())


def _check_score(account: str, score: object) -> Fraction:
    if isinstance(score, bool) or not isinstance(score, int | Fraction):
        raise AllocationError(f"score of {account} must be an int or Fraction, got {score!r}")
    if score < 0:
        raise AllocationError(f"score of {account} is negative: {score}")
    return Fraction(score)


def _normalize(scores: Mapping[str, Score]) -> dict[str, Fraction]:
    out: dict[str, Fraction] = {}
    for account, score in scores.items():
        if not isinstance(account, str) or not _ADDRESS.fullmatch(account):
            raise AllocationError(f"{account!r} is not an address")
        try:
            checksummed = to_checksum_address(account)
        except ValueError:
            raise AllocationError(f"{account!r} is not an address") from None
        if checksummed in out:
            raise AllocationError(f"address {checksummed} is given twice")
        out[checksummed] = _check_score(checksummed, score)
    return out


def _largest_remainder(amount: int, scores: dict[str, Fraction]) -> dict[str, int]:
    """Splits ``amount`` exactly over ``scores`` (all positive) by the largest remainder."""
    total_score = sum(scores.values())
    floors: dict[str, int] = {}
    remainders: dict[str, Fraction] = {}
    for account, score in scores.items():
        exact = amount * score / total_score
        floors[account] = exact.numerator // exact.denominator
        remainders[account] = exact - floors[account]
    left = amount - sum(floors.values())
    order = sorted(scores, key=lambda a: (-remainders[a], -scores[a], a.lower()))
    for account in order[:left]:
        floors[account] += 1
    return floors


def allocate(
    pool: int, scores: Mapping[str, Score], cap_share: Fraction | None = None
) -> Allocation:
    """Splits ``pool`` over ``scores`` as the module describes; raises :class:`AllocationError`."""
    if isinstance(pool, bool) or not isinstance(pool, int):
        raise AllocationError(f"pool must be an int, got {pool!r}")
    if pool < 0:
        raise AllocationError(f"pool is negative: {pool}")
    if cap_share is not None:
        if isinstance(cap_share, bool) or not isinstance(cap_share, int | Fraction):
            raise AllocationError(f"cap_share must be a Fraction, got {cap_share!r}")
        if not 0 < cap_share <= 1:
            raise AllocationError(f"cap_share must be in (0, 1], got {cap_share}")
    checked = _normalize(scores)
    positive = {a: s for a, s in checked.items() if s > 0}
    if not positive:
        return Allocation({}, pool, None if cap_share is None else _cap(pool, cap_share))
    if cap_share is None:
        return Allocation(_sorted(_largest_remainder(pool, positive)), 0)

    cap = _cap(pool, cap_share)
    capped: set[str] = set()
    while True:
        free = {a: s for a, s in positive.items() if a not in capped}
        remaining = pool - cap * len(capped)
        if not free:
            allocations = dict.fromkeys(positive, cap)
            return Allocation(_sorted(allocations), remaining, cap, frozenset(capped))
        free_score = sum(free.values())
        over = {a for a, s in free.items() if remaining * s / free_score > cap}
        if not over:
            break
        capped |= over
    allocations = _largest_remainder(remaining, free)
    allocations.update(dict.fromkeys(capped, cap))
    return Allocation(_sorted(allocations), 0, cap, frozenset(capped))


def _sorted(allocations: dict[str, int]) -> dict[str, int]:
    return {a: allocations[a] for a in sorted(allocations, key=str.lower)}


def _cap(pool: int, cap_share: Fraction) -> int:
    exact = Fraction(pool) * cap_share
    return exact.numerator // exact.denominator
