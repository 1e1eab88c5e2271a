"""The Python calendar is the contracts' calendar."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planet.core.epochs import EPOCH_DURATION, EpochCalendar, EpochError, week_start

GENESIS = 1_795_392_000  # Monday 2026-11-23 00:00 UTC


@pytest.mark.slow
@given(st.integers(min_value=GENESIS, max_value=GENESIS + 10**9))
def test_every_timestamp_lies_inside_its_epoch(ts):
    cal = EpochCalendar(GENESIS)
    epoch = cal.epoch_at(ts)
    assert cal.start(epoch) <= ts < cal.end(epoch)
    assert cal.end(epoch) - cal.start(epoch) == EPOCH_DURATION


def test_before_genesis_and_negative_epochs_are_errors():
    cal = EpochCalendar(GENESIS)
    with pytest.raises(EpochError, match="before genesis"):
        cal.epoch_at(GENESIS - 1)
    with pytest.raises(EpochError, match=">= 0"):
        cal.start(-1)


@pytest.mark.slow
@given(st.integers(min_value=0, max_value=4_000_000_000))
def test_week_start_is_the_monday_midnight_at_or_before(ts):
    start = week_start(ts)
    day = datetime.fromtimestamp(start, tz=UTC)
    assert (day.weekday(), day.hour, day.minute, day.second) == (0, 0, 0, 0)
    assert start <= ts < start + EPOCH_DURATION


def test_epochs_match_the_contract(points, genesis, chain):
    cal = EpochCalendar(genesis)
    for ts in (genesis, genesis + EPOCH_DURATION - 1, genesis + 5 * EPOCH_DURATION + 17):
        assert points.epochAt(ts) == cal.epoch_at(ts)
    assert points.epochStart(9) == cal.start(9)
