"""Human units in and out: amounts like ``0.01OKB`` or ``5 USDT``, durations like ``30d``,
percentages like ``2.5%``.

The contracts speak wei, seconds and basis points; people do not. Parsing is exact (Decimal,
never float) and refuses what would be rounded: an amount with more decimals than its
currency has is an error, not a silently smaller payment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Context, Decimal, InvalidOperation, localcontext

from planet.core.errors import PlanetError

_EXACT = Context(prec=200)
"""Enough digits for any uint256 at any token's decimals: the default 28 would round."""


class UnitError(PlanetError, ValueError):
    """A quantity a person typed that cannot be read exactly."""


_AMOUNT = re.compile(
    r"^\s*(?P<number>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(?P<symbol>[A-Za-z]+(?:\.[A-Za-z]+)?)?\s*$"
)


@dataclass(frozen=True)
class Amount:
    """A typed amount before its currency's decimals are known: ``0.01`` and ``OKB``."""

    number: Decimal
    symbol: str | None


def read_amount(text: str) -> Amount:
    """Splits ``0.01OKB`` / ``5 USDT`` / ``3`` into number and symbol (symbol upper-cased)."""
    match = _AMOUNT.match(text)
    if match is None:
        raise UnitError(
            f"{text!r} is not an amount: write a number and a currency, e.g. 0.01OKB or 5USDT"
        )
    symbol = match["symbol"]
    return Amount(Decimal(match["number"]), symbol.upper() if symbol else None)


def to_base_units(number: Decimal | str, decimals: int, symbol: str = "") -> int:
    """``number`` in the smallest unit of a currency with ``decimals`` decimals, exactly."""
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise UnitError(f"{number!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise UnitError(f"{number} is not a non-negative amount")
    with localcontext(_EXACT):
        scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        unit = f" {symbol}" if symbol else ""
        raise UnitError(
            f"{number}{unit} has more than {decimals} decimals, the currency's precision"
        )
    return int(scaled)


def format_units(value: int, decimals: int, symbol: str = "") -> str:
    """``value`` base units as a decimal without trailing zeros, e.g. ``0.01 OKB``."""
    if value < 0:
        return "-" + format_units(-value, decimals, symbol)
    whole, frac = divmod(value, 10**decimals)
    text = str(whole)
    if frac:
        text += "." + str(frac).rjust(decimals, "0").rstrip("0")
    return f"{text} {symbol}" if symbol else text


_DURATION = re.compile(r"\s*(?P<n>[0-9]+)\s*(?P<unit>w|d|h|m|s)", re.IGNORECASE)
_SECONDS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}


def parse_duration(text: str) -> int:
    """Seconds in ``30d``, ``12h``, ``1w2d``, ``90s`` or a bare number of seconds."""
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    pos, total = 0, 0
    for match in _DURATION.finditer(stripped):
        if match.start() != pos:
            break
        total += int(match["n"]) * _SECONDS[match["unit"].lower()]
        pos = match.end()
    if pos != len(stripped) or not stripped:
        raise UnitError(f"{text!r} is not a duration: write e.g. 30d, 12h, 1w or 90s")
    return total


def format_duration(seconds: int) -> str:
    """The largest units first, e.g. ``30d`` or ``1d 2h``; ``0s`` for zero."""
    if seconds <= 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s"):
        n, seconds = divmod(seconds, _SECONDS[unit])
        if n:
            parts.append(f"{n}{unit}")
    return " ".join(parts)


def parse_percent(text: str, max_bps: int | None = None) -> int:
    """Basis points in ``2.5%`` (or ``2.5``); refuses finer than 0.01% and above ``max_bps``."""
    raw = text.strip().removesuffix("%").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise UnitError(f"{text!r} is not a percentage: write e.g. 2.5%") from None
    if not value.is_finite() or value < 0:
        raise UnitError(f"{text!r} is not a non-negative percentage")
    bps = value * 100
    if bps != bps.to_integral_value():
        raise UnitError(f"{text!r} is finer than 0.01%, the contracts' precision (basis points)")
    if max_bps is not None and bps > max_bps:
        raise UnitError(f"{text!r} is above the maximum of {format_percent(max_bps)}")
    return int(bps)


def format_percent(bps: int) -> str:
    """Basis points as a percentage, e.g. ``250`` → ``2.5%``."""
    return format_units(bps, 2) + "%"


def format_time(timestamp: int) -> str:
    """A Unix time as people read it in a terminal, e.g. ``2026-12-07 00:28 UTC``."""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
