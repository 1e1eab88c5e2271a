"""The adaptive eth_getLogs span."""

from __future__ import annotations

import pytest

from indexer.ranges import RangeSizer, RangeTooSmallError


def test_halves_the_span_that_failed_down_to_the_minimum():
    sizer = RangeSizer(initial=1000, minimum=100, maximum=5000, target_logs=1000)
    assert sizer.shrink(1000) == 500
    assert sizer.shrink(500) == 250
    assert sizer.shrink(250) == 125
    assert sizer.shrink(125) == 100
    with pytest.raises(RangeTooSmallError, match="100 block"):
        sizer.shrink(100)


def test_grows_while_sparse_up_to_the_maximum():
    sizer = RangeSizer(initial=1000, minimum=1, maximum=5000, target_logs=1000)
    for expected in (2000, 4000, 5000, 5000):
        sizer.observe(blocks=sizer.size, logs=10)
        assert sizer.size == expected


def test_a_clipped_range_does_not_grow_the_span():
    sizer = RangeSizer(initial=1000, minimum=1, maximum=5000, target_logs=1000)
    sizer.observe(blocks=10, logs=0)  # the last range before the head
    assert sizer.size == 1000


def test_steady_at_the_target_and_shrinks_when_dense():
    sizer = RangeSizer(initial=1000, minimum=1, maximum=5000, target_logs=1000)
    sizer.observe(blocks=1000, logs=1500)
    assert sizer.size == 1000
    sizer.observe(blocks=1000, logs=2500)
    assert sizer.size == 500


def test_rejects_inconsistent_bounds():
    with pytest.raises(ValueError):
        RangeSizer(initial=10, minimum=20, maximum=30, target_logs=1)
