"""Properties of a close for random weeks: the amounts add up to the pool exactly (less what
stays unallocated when every account is capped), nobody passes the cap, the file verifies."""

from __future__ import annotations

from fractions import Fraction

import pytest
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from planet.rewards.close import build
from planet.rewards.distribution import verify_distribution
from planet.rewards.inputs import AccountInputs, EpochInputs
from planet.rewards.scoring import WEIGHT_KEYS, Formula
from tests.support.profiles import examples

ADDRESSES = [Account.from_key(i.to_bytes(32, "big")).address for i in range(1, 41)]
VAULT = "0x" + "cd" * 20

counts = st.integers(min_value=0, max_value=50)
account_inputs = st.builds(
    AccountInputs,
    views=counts,
    likes=counts,
    comments=counts,
    live_attendance=counts,
    points=st.integers(min_value=0, max_value=10**30),
    trade_notional_micro=st.integers(min_value=0, max_value=10**12),
)
weights = st.fixed_dictionaries(
    {k: st.fractions(min_value=0, max_value=20, max_denominator=12) for k in WEIGHT_KEYS}
)
caps = st.none() | st.fractions(min_value=Fraction(1, 50), max_value=1, max_denominator=50)


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None)
@given(
    accounts=st.dictionaries(st.sampled_from(ADDRESSES), account_inputs, min_size=1),
    weights=weights,
    cap_share=caps,
    pool=st.integers(min_value=1, max_value=2**96 - 1),
)
def test_amounts_sum_to_the_pool_and_respect_the_cap(accounts, weights, cap_share, pool):
    formula = Formula("prop", "1", 0, weights, cap_share, overridden=False)
    scores = {a: formula.score(i.quantities()) for a, i in accounts.items()}
    if not any(s > 0 for s in scores.values()):
        return  # refused as "no scoring activity": tested elsewhere
    cap = None if cap_share is None else pool * cap_share.numerator // cap_share.denominator
    if cap == 0:
        return  # refused as "pays nobody": tested elsewhere
    inputs = EpochInputs(1, 0, 0, 1, {"live_attendance": True, "trade": True}, accounts)
    data = build(inputs, formula, pool, VAULT).data

    amounts = {e["account"]: int(e["amount"]) for e in data["allocations"]}
    unallocated = int(data["unallocated"])
    assert sum(amounts.values()) == int(data["total"]) == pool - unallocated
    assert set(amounts) == {a for a, s in scores.items() if s > 0}
    if cap is not None:
        assert all(v <= cap for v in amounts.values())
    if unallocated:
        assert cap is not None and all(v == cap for v in amounts.values())
    assert verify_distribution(data).ok
