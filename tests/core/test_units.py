"""Human units: what a person types is read exactly or refused with the reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planet.core.units import (
    UnitError,
    format_duration,
    format_percent,
    format_units,
    parse_duration,
    parse_percent,
    read_amount,
    to_base_units,
)


@pytest.mark.parametrize(
    ("text", "number", "symbol"),
    [("0.01OKB", "0.01", "OKB"), ("5 usdt", "5", "USDT"), ("3", "3", None), (".5okb", ".5", "OKB")],
)
def test_amounts_split_into_number_and_currency(text: str, number: str, symbol: str | None) -> None:
    amount = read_amount(text)
    assert amount.number == Decimal(number)
    assert amount.symbol == symbol


@pytest.mark.parametrize("text", ["", "OKB", "-1OKB", "1e18", "1..2", "0x10", "1 2 OKB"])
def test_what_is_not_an_amount_is_refused(text: str) -> None:
    with pytest.raises(UnitError, match="not an amount"):
        read_amount(text)


def test_base_units_are_exact() -> None:
    assert to_base_units("0.01", 18) == 10**16
    assert to_base_units("5", 6) == 5_000_000
    assert to_base_units("0.000000000000000001", 18) == 1


def test_more_decimals_than_the_currency_has_is_refused_not_rounded() -> None:
    with pytest.raises(UnitError, match="more than 6 decimals"):
        to_base_units("1.0000001", 6, "USDT")


@given(st.integers(min_value=0, max_value=2**256 - 1), st.integers(min_value=0, max_value=36))
def test_formatting_then_parsing_gives_back_the_same_base_units(value: int, decimals: int) -> None:
    assert to_base_units(format_units(value, decimals), decimals) == value


def test_formatting_drops_trailing_zeros_and_names_the_currency() -> None:
    assert format_units(10**16, 18, "OKB") == "0.01 OKB"
    assert format_units(5_000_000, 6) == "5"
    assert format_units(0, 18) == "0"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30d", 2_592_000),
        ("12h", 43_200),
        ("1w2d", 777_600),
        ("90s", 90),
        ("90", 90),
        ("1d 2h", 93_600),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "d", "30x", "3.5d", "-1d", "1d-"])
def test_what_is_not_a_duration_is_refused(text: str) -> None:
    with pytest.raises(UnitError, match="not a duration"):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=10**9))
def test_a_formatted_duration_reads_back(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


def test_percentages_are_basis_points() -> None:
    assert parse_percent("2.5%") == 250
    assert parse_percent("0") == 0
    assert format_percent(250) == "2.5%"
    with pytest.raises(UnitError, match=r"finer than 0\.01%"):
        parse_percent("0.001%")
    with pytest.raises(UnitError, match="above the maximum of 10%"):
        parse_percent("10.5%", max_bps=1_000)
    with pytest.raises(UnitError, match="not a percentage"):
        parse_percent("lots")
