"""A creator's attested trading record: round trips from their own fills, in a canonical form
whose hash is the uid of the attestation that commits each one on chain.

Anyone holding an exported record recomputes every uid from the file alone (:func:`entry_uid`)
and asks ``ContributionPoints.record(uid)`` on chain; nothing of Planet's database is needed.

Round trips. Fills are taken per ``(exchange, instrument)`` in time order. A trade opens when
the position is flat; fills on its side add to it, fills on the other side reduce it; it closes
when the position is back to zero. A fill that crosses zero is split: the part that closes the
trade closes it, the rest opens the next trade at the same price. Sizes and notionals are exact
decimals (a sum of products of the exchange's decimal strings), so nothing is rounded except the
average prices and the return shown beside them, rounded once by fixed rules (:data:`PLACES`).

The result is gross, in the quote currency, before fees: ``exit_notional - entry_notional`` for a
long (``buy``) trade, the opposite for a short (``sell``) one.

Each entry's content names its place in the record (``seq``, from 1) and the uid of the entry
before it (``prev_uid``; zero for the first): the entries form a hash chain, so a record that
leaves a losing trade out cannot present a later trade's uid, which committed to the one left
out. The checker (``planet record verify``) reports such a gap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from eth_utils import keccak

#: The format of one entry's content and of the exported file; part of every uid.
FORMAT = "planet.trading-record/1"
ZERO_UID = "0x" + "00" * 32
#: Decimal places of the average prices and of the return (percent) in an entry.
PLACES = 8
#: The fields of an entry's content, in the order the file documents them.
CONTENT_FIELDS = (
    "format",
    "chain_id",
    "creator_token_id",
    "seq",
    "prev_uid",
    "exchange",
    "instrument",
    "side",
    "size",
    "entry_notional",
    "entry_price",
    "entry_time",
    "exit_notional",
    "exit_price",
    "exit_time",
    "result",
    "return_pct",
    "post_ids",
    "fill_ids",
)


class RecordFormatError(ValueError):
    """An entry whose content cannot be read (a field missing, of the wrong type, or extra)."""


def plain(value: Decimal) -> str:
    """A decimal as a plain string without exponent or trailing zeros (``"0"`` for zero): one
    spelling per value, so the canonical form is unique."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _rounded(value: Decimal) -> str:
    return plain(value.quantize(Decimal(1).scaleb(-PLACES), rounding=ROUND_HALF_EVEN))


def canonical(content: Mapping[str, Any]) -> bytes:
    """The bytes an entry's uid hashes: its content as JSON, keys sorted, no spaces, ASCII."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_uid(content: Mapping[str, Any]) -> str:
    """``keccak256(FORMAT || 0x00 || canonical(content))``, 0x-hex: the attestation's uid."""
    check_content(content)
    return "0x" + keccak(FORMAT.encode() + b"\x00" + canonical(content)).hex()


def check_content(content: Mapping[str, Any]) -> None:
    """Raises :class:`RecordFormatError` unless ``content`` has exactly the entry fields, each
    of its type (strings for decimals, integers for ids and times)."""
    missing = [f for f in CONTENT_FIELDS if f not in content]
    extra = sorted(set(content) - set(CONTENT_FIELDS))
    if missing or extra:
        raise RecordFormatError(
            f"entry content: missing {missing or 'nothing'}, unexpected {extra or 'nothing'}"
        )
    if content["format"] != FORMAT:
        raise RecordFormatError(f"entry format {content['format']!r} is not {FORMAT}")
    for name in ("chain_id", "creator_token_id", "seq", "entry_time", "exit_time"):
        if type(content[name]) is not int:
            raise RecordFormatError(f"entry field {name} must be an integer")
    for name in ("post_ids", "fill_ids"):
        value = content[name]
        if not isinstance(value, list) or any(type(v) is not int for v in value):
            raise RecordFormatError(f"entry field {name} must be a list of integers")
    strings = set(CONTENT_FIELDS) - {
        "chain_id", "creator_token_id", "seq", "entry_time", "exit_time", "post_ids", "fill_ids"
    }  # fmt: skip
    for name in strings:
        if not isinstance(content[name], str):
            raise RecordFormatError(f"entry field {name} must be a string")


@dataclass(frozen=True)
class RecordFill:
    """One of the creator's fills that the record is built from."""

    id: int  # api_fills.id
    exchange: str
    instrument: str
    side: str  # "buy" | "sell"
    price: Decimal
    size: Decimal
    filled_at: int
    post_id: int


@dataclass
class _Open:
    side: str
    size: Decimal = Decimal(0)  # open size
    bought: Decimal = Decimal(0)  # entry-side size in total
    entry_notional: Decimal = Decimal(0)
    exit_notional: Decimal = Decimal(0)
    entry_time: int = 0
    exit_time: int = 0
    post_ids: set[int] = field(default_factory=set)
    fill_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Trade:
    """A closed round trip, before it has a place (``seq``) in the record."""

    exchange: str
    instrument: str
    side: str
    size: Decimal
    entry_notional: Decimal
    entry_time: int
    exit_notional: Decimal
    exit_time: int
    post_ids: tuple[int, ...]
    fill_ids: tuple[int, ...]  # the last one closed it

    @property
    def closing_fill_id(self) -> int:
        return self.fill_ids[-1]

    def result(self) -> Decimal:
        gain = self.exit_notional - self.entry_notional
        return gain if self.side == "buy" else -gain


@dataclass(frozen=True)
class OpenPosition:
    exchange: str
    instrument: str
    side: str
    size: Decimal
    entry_notional: Decimal
    entry_time: int


def round_trips(fills: Iterable[RecordFill]) -> tuple[list[Trade], list[OpenPosition]]:
    """The closed trades, in the order they closed (exit time, then closing fill id), and the
    positions still open, of ``fills`` (see the module docstring)."""
    ordered = sorted(fills, key=lambda f: (f.filled_at, f.id))
    books: dict[tuple[str, str], _Open] = {}
    closed: list[Trade] = []
    for fill in ordered:
        key = (fill.exchange, fill.instrument)
        remaining = fill.size
        while remaining > 0:
            book = books.get(key)
            if book is None:
                book = books[key] = _Open(side=fill.side, entry_time=fill.filled_at)
            book.post_ids.add(fill.post_id)
            if not book.fill_ids or book.fill_ids[-1] != fill.id:
                book.fill_ids.append(fill.id)
            if fill.side == book.side:
                book.size += remaining
                book.bought += remaining
                book.entry_notional += remaining * fill.price
                remaining = Decimal(0)
                continue
            part = min(remaining, book.size)
            book.size -= part
            book.exit_notional += part * fill.price
            book.exit_time = fill.filled_at
            remaining -= part
            if book.size == 0:
                closed.append(
                    Trade(
                        exchange=fill.exchange,
                        instrument=fill.instrument,
                        side=book.side,
                        size=book.bought,
                        entry_notional=book.entry_notional,
                        entry_time=book.entry_time,
                        exit_notional=book.exit_notional,
                        exit_time=book.exit_time,
                        post_ids=tuple(sorted(book.post_ids)),
                        fill_ids=tuple(book.fill_ids),
                    )
                )
                del books[key]
    still_open = [
        OpenPosition(ex, inst, b.side, b.size, b.entry_notional, b.entry_time)
        for (ex, inst), b in sorted(books.items())
    ]
    closed.sort(key=lambda t: (t.exit_time, t.closing_fill_id))
    return closed, still_open


def average(notional: Decimal, size: Decimal) -> str:
    return _rounded(notional / size) if size else "0"


def entry_contents(chain_id: int, creator_token_id: int, trades: Iterable[Trade]) -> list[dict]:
    """The content of each entry, chained by ``prev_uid``, with its ``uid`` beside it under the
    key ``uid`` (not part of the content)."""
    entries: list[dict] = []
    prev = ZERO_UID
    for seq, trade in enumerate(trades, start=1):
        result = trade.result()
        content: dict[str, Any] = {
            "format": FORMAT,
            "chain_id": chain_id,
            "creator_token_id": creator_token_id,
            "seq": seq,
            "prev_uid": prev,
            "exchange": trade.exchange,
            "instrument": trade.instrument,
            "side": trade.side,
            "size": plain(trade.size),
            "entry_notional": plain(trade.entry_notional),
            "entry_price": average(trade.entry_notional, trade.size),
            "entry_time": trade.entry_time,
            "exit_notional": plain(trade.exit_notional),
            "exit_price": average(trade.exit_notional, trade.size),
            "exit_time": trade.exit_time,
            "result": plain(result),
            "return_pct": _rounded(result * 100 / trade.entry_notional)
            if trade.entry_notional
            else "0",
            "post_ids": list(trade.post_ids),
            "fill_ids": list(trade.fill_ids),
        }
        uid = entry_uid(content)
        entries.append({"content": content, "uid": uid})
        prev = uid
    return entries
