"""Allocation of a pool by score: exact sums, caps by water-filling, determinism."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planet.rewards.allocation import AllocationError, allocate
from tests.support.profiles import examples

ADDRESSES = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
SCORES = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.fractions(min_value=0, max_value=1000, max_denominator=50),
)
SCORE_MAPS = st.dictionaries(ADDRESSES, SCORES, min_size=1, max_size=30)
POOLS = st.integers(min_value=0, max_value=10**24)
CAPS = st.one_of(st.none(), st.fractions(min_value=0, max_value=1, max_denominator=20))

A, B, C = ("0x" + h * 20 for h in ("11", "22", "33"))


@pytest.mark.slow
@settings(max_examples=examples(300))
@given(POOLS, SCORE_MAPS, CAPS)
def test_properties(pool, scores, cap_share):
    if cap_share == 0:
        cap_share = None
    result = allocate(pool, scores, cap_share)
    positive = {a.lower(): Fraction(s) for a, s in scores.items() if s > 0}
    amounts = {a.lower(): v for a, v in result.allocations.items()}

    # exactly the positive-score accounts take part, and the books are whole
    assert set(amounts) == set(positive)
    assert all(v >= 0 for v in amounts.values())
    assert result.total + result.unallocated == pool
    all_capped = bool(positive) and len(result.capped) == len(positive)
    if positive and not all_capped:
        assert result.unallocated == 0 and result.total == pool
    if not positive:
        assert result.unallocated == pool and amounts == {}

    # nobody above the cap
    if cap_share is not None:
        cap = result.cap
        assert cap == pool * cap_share.numerator // cap_share.denominator
        assert all(v <= cap for v in amounts.values())
        assert all(amounts[a.lower()] == cap for a in result.capped)

    # uncapped accounts within 1 unit of their exact share of what the capped leave
    capped = {a.lower() for a in result.capped}
    free = {a: s for a, s in positive.items() if a not in capped}
    if free and not all_capped:
        remaining = pool - (result.cap or 0) * len(capped)
        free_score = sum(free.values())
        for account, score in free.items():
            assert abs(amounts[account] - remaining * score / free_score) < 1


@pytest.mark.slow
@settings(max_examples=examples(100))
@given(POOLS, SCORE_MAPS, CAPS, st.randoms(use_true_random=False))
def test_deterministic_under_reordering(pool, scores, cap_share, rnd):
    if cap_share == 0:
        cap_share = None
    items = list(scores.items())
    rnd.shuffle(items)
    first = allocate(pool, scores, cap_share)
    second = allocate(pool, dict(items), cap_share)
    assert first == second
    assert list(first.allocations) == list(second.allocations)
    assert list(first.allocations) == sorted(first.allocations, key=str.lower)


def test_pool_zero():
    result = allocate(0, {A: 5, B: 1})
    assert result.total == 0 and result.unallocated == 0
    assert set(result.allocations.values()) == {0}


def test_single_account_takes_the_pool():
    result = allocate(1_000, {A: 3})
    assert list(result.allocations.values()) == [1_000] and result.unallocated == 0


def test_single_account_capped_leaves_the_rest_unallocated():
    result = allocate(1_000, {A: 3}, Fraction(1, 4))
    assert list(result.allocations.values()) == [250] and result.unallocated == 750


def test_all_zero_scores_allocate_nothing():
    result = allocate(500, {A: 0, B: 0})
    assert result.allocations == {} and result.unallocated == 500


def test_zero_score_gets_nothing():
    result = allocate(10, {A: 0, B: 1})
    assert [a.lower() for a in result.allocations] == [B]


def test_ties_go_to_the_lowest_address():
    result = allocate(2, {C: 1, A: 1, B: 1})
    assert [result.allocations[x] for x in sorted(result.allocations)] == [1, 1, 0]


def test_largest_remainder_gets_the_leftover_units():
    # exact 0.75, 0.75, 1.5: floors 0, 0, 1; remainders .75, .75, .5 -> A and B get one each
    result = allocate(3, {A: Fraction(1, 2), B: Fraction(1, 2), C: 1})
    assert list(result.allocations.values()) == [1, 1, 1]
    # exact .25, .25, .5 -> the one unit goes to C
    result = allocate(1, {A: 1, B: 1, C: 2})
    assert list(result.allocations.values()) == [0, 0, 1]


def test_larger_score_breaks_equal_remainders():
    # pool 3 over scores 1 and 5: exact 0.5 and 2.5, equal remainders -> the larger score wins
    result = allocate(3, {A: 1, B: 5})
    assert list(result.allocations.values()) == [0, 3]


def test_cap_redistributes_to_the_uncapped():
    result = allocate(100, {A: 10, B: 1, C: 1}, Fraction(1, 2))
    assert list(result.allocations.values()) == [50, 25, 25]
    assert {a.lower() for a in result.capped} == {A}


def test_every_account_capped():
    result = allocate(10, {A: 1, B: 1, C: 1}, Fraction(1, 3))
    assert list(result.allocations.values()) == [3, 3, 3] and result.unallocated == 1


def test_addresses_come_out_checksummed():
    result = allocate(10, {"0x" + "ab" * 20: 1})
    assert list(result.allocations) == ["0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"]


@pytest.mark.parametrize(
    ("pool", "scores", "cap", "message"),
    [
        (-1, {A: 1}, None, "pool is negative"),
        (True, {A: 1}, None, "pool must be an int"),
        (10, {A: -1}, None, "negative"),
        (10, {A: 1.5}, None, "int or Fraction"),
        (10, {"0x1234": 1}, None, "not an address"),
        (10, {"0x" + "ab" * 20: 1, "0x" + "AB" * 20: 1}, None, "twice"),
        (10, {A: 1}, Fraction(0), r"\(0, 1\]"),
        (10, {A: 1}, Fraction(3, 2), r"\(0, 1\]"),
        (10, {A: 1}, Fraction(-1, 2), r"\(0, 1\]"),
    ],
)
def test_bad_inputs(pool, scores, cap, message):
    with pytest.raises(AllocationError, match=message):
        allocate(pool, scores, cap)


def test_random_large_inputs_sum_exactly():
    rnd = random.Random(7)
    scores = {"0x" + rnd.randbytes(20).hex(): rnd.randint(0, 10**9) for _ in range(2_000)}
    result = allocate(10**24 + 7, scores, Fraction(1, 100))
    assert result.total + result.unallocated == 10**24 + 7
    assert result.unallocated == 0
