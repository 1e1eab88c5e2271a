"""Round trips and uids of the trading record (planet.core.trading_record): the invariants as
property tests, and the uid as a pure function of an entry's content."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planet.core.trading_record import (
    ZERO_UID,
    RecordFill,
    RecordFormatError,
    canonical,
    entry_contents,
    entry_uid,
    plain,
    round_trips,
)

decimals = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3)
fill_specs = st.lists(
    st.tuples(
        st.sampled_from(["BTC-USDT", "ETH-USDT"]),
        st.sampled_from(["buy", "sell"]),
        decimals,
        decimals,
    ),
    max_size=30,
)


def fills_of(specs) -> list[RecordFill]:
    return [
        RecordFill(i + 1, "okx", inst, side, price, size, 1000 + i, 7)
        for i, (inst, side, price, size) in enumerate(specs)
    ]


def flatten(fills: list[RecordFill]) -> list[RecordFill]:
    """``fills`` plus one fill per instrument that brings its position back to zero."""
    net: dict[str, Decimal] = {}
    for f in fills:
        net[f.instrument] = net.get(f.instrument, Decimal(0)) + (
            f.size if f.side == "buy" else -f.size
        )
    extra = []
    for inst, size in sorted(net.items()):
        if size:
            n = len(fills) + len(extra) + 1
            side = "sell" if size > 0 else "buy"
            extra.append(RecordFill(n, "okx", inst, side, Decimal("123.5"), abs(size), 5000 + n, 7))
    return fills + extra


@given(fill_specs)
def test_once_flat_the_results_add_up_to_the_cash_flows(specs):
    fills = flatten(fills_of(specs))
    trades, still_open = round_trips(fills)
    assert still_open == []
    cash = sum((f.price * f.size * (1 if f.side == "sell" else -1) for f in fills), Decimal(0))
    assert sum((t.result() for t in trades), Decimal(0)) == cash


@given(fill_specs)
def test_what_is_left_open_is_the_net_of_the_fills(specs):
    fills = fills_of(specs)
    trades, still_open = round_trips(fills)
    for instrument in ("BTC-USDT", "ETH-USDT"):
        net = sum(
            (f.size if f.side == "buy" else -f.size for f in fills if f.instrument == instrument),
            Decimal(0),
        )
        left = [p for p in still_open if p.instrument == instrument]
        assert sum((p.size if p.side == "buy" else -p.size for p in left), Decimal(0)) == net
    assert [t.exit_time for t in trades] == sorted(t.exit_time for t in trades)
    assert all(t.entry_time <= t.exit_time and t.size > 0 for t in trades)


@given(fill_specs)
def test_entries_form_a_hash_chain_of_their_content(specs):
    trades, _ = round_trips(flatten(fills_of(specs)))
    entries = entry_contents(196, 3, trades)
    prev = ZERO_UID
    for seq, entry in enumerate(entries, start=1):
        assert entry["content"]["seq"] == seq and entry["content"]["prev_uid"] == prev
        assert entry["uid"] == entry_uid(entry["content"])
        prev = entry["uid"]


def test_changing_any_field_changes_the_uid():
    trades, _ = round_trips(
        [
            RecordFill(1, "okx", "BTC-USDT", "buy", Decimal("60000"), Decimal("1"), 10, 7),
            RecordFill(2, "okx", "BTC-USDT", "sell", Decimal("61000"), Decimal("1"), 20, 7),
        ]
    )
    (entry,) = entry_contents(196, 3, trades)
    content = entry["content"]
    assert content["result"] == "1000"
    for name, value in content.items():
        altered = dict(content)
        altered[name] = (
            value + 1
            if isinstance(value, int)
            else value + "0"
            if isinstance(value, str)
            else [*value, 1]
        )
        if name == "format":
            with pytest.raises(RecordFormatError):
                entry_uid(altered)
            continue
        assert entry_uid(altered) != entry["uid"], name


def test_content_with_a_missing_or_extra_field_is_refused():
    trades, _ = round_trips(
        [
            RecordFill(1, "okx", "BTC-USDT", "sell", Decimal("2"), Decimal("1"), 10, 7),
            RecordFill(2, "okx", "BTC-USDT", "buy", Decimal("1"), Decimal("1"), 20, 7),
        ]
    )
    content = entry_contents(196, 3, trades)[0]["content"]
    with pytest.raises(RecordFormatError, match="missing"):
        entry_uid({k: v for k, v in content.items() if k != "result"})
    with pytest.raises(RecordFormatError, match="unexpected"):
        entry_uid({**content, "note": "x"})
    with pytest.raises(RecordFormatError, match="integer"):
        entry_uid({**content, "seq": "1"})


def test_the_canonical_form_is_sorted_compact_json_and_decimals_have_one_spelling():
    assert canonical({"b": 1, "a": "é"}) == b'{"a":"\\u00e9","b":1}'
    assert [plain(Decimal(x)) for x in ("1.500", "1E+3", "0.000", "-0.10")] == [
        "1.5",
        "1000",
        "0",
        "-0.1",
    ]
