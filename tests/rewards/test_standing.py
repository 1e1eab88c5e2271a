"""Funder keys from the indexer's record of each owner's first funding: identities first funded
by one wallet less than a week apart (or by a contract in one block) share a key; a month apart,
or from a wallet that funds everyone, they do not."""

from __future__ import annotations

from planet.core.epochs import week_start
from planet.rewards.standing import funder_keys, same_funder

MONDAY = week_start(1_800_000_000)
DAY = 86400
FUNDER = "0x" + "f0" * 20
EXCHANGE = "0x" + "e0" * 20


def owner(token: int) -> str:
    return "0x" + f"{token:040x}"


def keys(fundings: dict[int, tuple[str, str | None, int | None, int | None]], **kw):
    rows = [(t, owner(t), owner(t), "0x" + "00" * 20) for t in fundings]
    return funder_keys(rows, fundings={owner(t): f for t, f in fundings.items()}, **kw)


def test_one_wallet_within_a_week_is_one_source_even_across_a_monday():
    found = keys(
        {
            1: ("found", FUNDER, 10, MONDAY - DAY),  # Sunday
            2: ("found", FUNDER, 11, MONDAY + 5 * DAY),  # the Saturday after
            3: ("found", FUNDER, 12, MONDAY + 30 * DAY),  # a month later
            4: ("found", "0x" + "0f" * 20, 13, MONDAY),  # another wallet, the same day
        }
    )
    assert same_funder(found[1], found[2])
    assert not same_funder(found[1], found[3]) and not same_funder(found[2], found[3])
    assert not same_funder(found[1], found[4])
    assert f"funder:{FUNDER}:{MONDAY - 7 * DAY}" in found[1]


def test_a_wallet_that_funds_everyone_ties_nobody_together():
    fundings = {1: ("found", EXCHANGE, 10, MONDAY), 2: ("found", EXCHANGE, 11, MONDAY + 60)}
    assert same_funder(*(keys(fundings)[t] for t in (1, 2)))
    assert keys(fundings, public_funders=[EXCHANGE.upper().replace("0X", "0x")]) == {}


def test_funding_by_a_contract_in_one_block_is_one_source():
    found = keys(
        {
            1: ("internal", None, 42, MONDAY),
            2: ("internal", None, 42, MONDAY),
            3: ("internal", None, 43, MONDAY + 2),
        }
    )
    assert same_funder(found[1], found[2]) and not same_funder(found[1], found[3])


def test_owners_funded_before_the_window_unfunded_or_unknown_carry_no_key():
    found = keys(
        {
            1: ("before_window", None, 0, None),
            2: ("unfunded", None, None, None),
            3: ("unavailable", None, None, None),
        }
    )
    assert found == {}
