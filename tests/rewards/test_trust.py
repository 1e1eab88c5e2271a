"""Trust-weighted scoring from the shared database, on SQLite and PostgreSQL: fresh rings earn
nothing, newcomers engaged by established users do, same-funder engagement is left out, and
every account's reasons are in a file that still verifies."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from sqlalchemy import insert, update

from planet.core.epochs import EpochCalendar, week_start
from planet.rewards import trust
from planet.rewards.close import build, collect_for, summary
from planet.rewards.distribution import verify_distribution
from planet.rewards.scoring import parse
from planet.store.mirror import identities, owner_fundings
from tests.support.rows import CHAIN_ID, Seeder

pytestmark = pytest.mark.dialects

GENESIS = 1_800_000_000
EPOCH = 4
CALENDAR = EpochCalendar(GENESIS)
IN_WEEK = CALENDAR.start(EPOCH) + 3600
LONG_AGO = CALENDAR.start(EPOCH) - 30 * 86400
VAULT = "0x" + "cd" * 20
POOL = 10**18

CONFIG = parse(
    {
        "name": "test-trust",
        "version": "2",
        "weights": {
            "view": 1,
            "like": 2,
            "comment": 3,
            "live_attendance": 3,
            "points": "1/2",
            "trade": "1/20",
        },
        "cap_share": None,
        "trust": {
            "seed_min_age_days": 14,
            "damping": "1/2",
            "engager_budget": 30,
            "newcomer_weight": "1/20",
        },
    }
)


@pytest.fixture
def seed(engine) -> Seeder:
    return Seeder(engine, at=IN_WEEK)


def established(seed: Seeder) -> tuple[int, str]:
    """An identity seen a month before the week (a view of an old post)."""
    token, address = seed.user()
    old = seed.post(token)
    seed.view(old, seed.user()[0], at=LONG_AGO)
    seed.view(old, token, at=LONG_AGO)
    return token, address


def close(engine):
    with engine.connect() as conn:
        inputs = collect_for(conn, CHAIN_ID, CALENDAR, EPOCH, CONFIG)
    formula = CONFIG.for_epoch(EPOCH)
    return inputs, build(inputs, formula, POOL, VAULT)


def entry(distribution, address: str) -> dict:
    return next(e for e in distribution.data["accounts"] if e["account"] == address)


def amounts(distribution) -> dict[str, int]:
    return {e["account"]: int(e["amount"]) for e in distribution.data["allocations"]}


def test_a_fresh_ring_earns_nothing_and_is_flagged(engine, seed):
    creator, paid = established(seed)
    readers = [established(seed)[0] for _ in range(3)]
    post = seed.post(creator)
    for reader in readers:
        seed.like(post, reader)
    ring = [seed.user() for _ in range(4)]
    posts = {token: seed.post(token) for token, _ in ring}
    for token, address in ring:
        seed.attest(address, EPOCH, 40)
        for other, post_id in posts.items():
            if other != token:
                seed.view(post_id, token)
                seed.like(post_id, token)
                seed.comment(post_id, token)

    inputs, distribution = close(engine)
    assert amounts(distribution) == {paid: POOL}
    for _, address in ring:
        assert inputs.accounts[address].likes == 3  # counted before the rules ...
        why = entry(distribution, address)
        assert why["after"]["like"] == "0" and why["after"]["points"] == "0"  # ... not after
        assert why["standing"] == "0"
        assert trust.LOW_TRUST_DISCOUNTED in why["reasons"]
    assert entry(distribution, paid)["after"]["like"] == "3"
    [flagged] = distribution.data["clusters"]
    assert flagged["kind"] == trust.LOW_TRUST_DISCOUNTED
    assert flagged["accounts"] == sorted(a.lower() for _, a in ring)
    assert verify_distribution(distribution.data).ok


def test_a_newcomer_engaged_by_established_users_earns(engine, seed):
    newcomer, address = seed.user()
    post = seed.post(newcomer)
    for _ in range(3):
        seed.like(post, established(seed)[0])
    _, distribution = close(engine)
    assert amounts(distribution) == {address: POOL}
    why = entry(distribution, address)
    assert why["after"]["like"] == "3" and why["standing"] == "0"  # it vouches for nobody yet


def test_engagement_between_identities_sharing_a_funder_is_left_out(engine, seed):
    creator, address = established(seed)
    friend, _ = established(seed)
    stranger, _ = established(seed)
    post = seed.post(creator)
    seed.like(post, friend)
    seed.like(post, stranger)
    with engine.begin() as conn:  # one recovery key controls both
        conn.execute(
            update(identities)
            .where(identities.c.token_id.in_([creator, friend]))
            .values(recovery="0x" + "77" * 20)
        )
    _, distribution = close(engine)
    why = entry(distribution, address)
    assert why["before"]["like"] == "2" and why["after"]["like"] == "1"
    assert trust.SAME_FUNDER_CLUSTER in why["reasons"]
    [flagged] = distribution.data["clusters"]
    assert flagged["key"] == "recovery:0x" + "77" * 20
    assert flagged["identities"] == sorted([creator, friend])


def test_wallets_funded_by_one_wallet_across_a_monday_are_one_cluster(engine, seed):
    """From the indexer's owner_fundings: three wallets a farmer funded on a Sunday and the
    Tuesday after share a funder key, and the two Tuesday ones the next week's key too, yet
    the risk role sees one cluster; an outsider's like still counts."""
    farmer = "0x" + "fa" * 20
    monday = week_start(CALENDAR.start(EPOCH) - 86400)
    members = [established(seed) for _ in range(3)]
    with engine.begin() as conn:
        for i, (_, address) in enumerate(members):
            when = monday - 3600 if i == 0 else monday + 86400 + i
            conn.execute(
                insert(owner_fundings).values(
                    chain_id=CHAIN_ID, owner=address.lower(), status="found", funder=farmer,
                    block_number=10 + i, block_time=when, tx_hash="0x" + f"{i:064x}",
                    amount=1, checked_block=99,
                )
            )  # fmt: skip
    outsider, _ = established(seed)
    for token, _ in members:
        post = seed.post(token)
        seed.like(post, outsider)
        for other, _ in members:
            if other != token:
                seed.like(post, other)
    _, distribution = close(engine)
    [flagged] = distribution.data["clusters"]
    assert flagged["kind"] == trust.SAME_FUNDER_CLUSTER
    assert flagged["key"] == f"funder:{farmer}:{monday}"
    assert flagged["identities"] == sorted(t for t, _ in members)
    for _, address in members:
        why = entry(distribution, address)
        assert why["before"]["like"] == "3" and why["after"]["like"] == "1"
        assert trust.SAME_FUNDER_CLUSTER in why["reasons"]


def test_own_activity_and_revoked_points_are_named(engine, seed):
    creator, address = established(seed)
    post = seed.post(creator)
    seed.like(post, creator)
    seed.like(post, established(seed)[0])
    seed.attest(address, EPOCH, 10)
    seed.attest(address, EPOCH, 30, revoked=True)
    _, distribution = close(engine)
    why = entry(distribution, address)
    assert why["after"]["like"] == "1" and why["after"]["points"] == "10"
    assert {trust.SELF_INTERACTION_REMOVED, trust.REVOKED_ATTESTATION_REMOVED} <= set(
        why["reasons"]
    )
    # score = like 2 x 1 + points 1/2 x 10
    assert distribution.data["allocations"][0]["score"] == "7"


def test_the_file_verifies_and_an_edited_reason_fails(engine, seed):
    creator, address = established(seed)
    other, second = established(seed)
    for reader in [established(seed)[0] for _ in range(2)]:
        seed.like(seed.post(creator), reader)
        seed.view(seed.post(other), reader)
    inputs, distribution = close(engine)
    data = distribution.data
    assert data["format"] == "planet.distribution/2"
    assert data["formula"]["trust"]["damping"] == "1/2"
    # a formula without a trade cap (v2's rules, as CONFIG's) publishes the codes it always did
    assert set(data["reason_codes"]) == set(trust.REASONS) - {trust.TRADE_CAPPED}
    assert verify_distribution(data).ok
    entry(distribution, address)["after"]["like"] = "5"
    report = verify_distribution(data)
    assert any(f"account {address}: score" in p for p in report.problems), report.problems
    # the digest covers the graph: another reading of the same week gives the same digest
    with engine.connect() as conn:
        again = collect_for(conn, CHAIN_ID, CALENDAR, EPOCH, CONFIG)
    assert again.canonical() == inputs.canonical() and "graph" in again.canonical()
    assert Fraction(data["allocations"][0]["score"]) > 0 and second


def test_the_dry_run_summary_prints_reasons_and_clusters(engine, seed):
    creator, _ = established(seed)
    seed.like(seed.post(creator), established(seed)[0])
    ring = [seed.user()[0] for _ in range(3)]
    for token in ring:
        post = seed.post(token)
        for other in ring:
            if other != token:
                seed.like(post, other)
    inputs, distribution = close(engine)
    from planet.rewards.close import CloseResult

    result = CloseResult(
        CHAIN_ID,
        EPOCH,
        CONFIG.for_epoch(EPOCH),
        inputs,
        distribution,
        "0x" + "00" * 32,
        "file:x",
        None,
        None,
        tuple(distribution.data["clusters"]),
    )
    text = summary(result)
    assert "flagged clusters: 1" in text
    assert f"ring:{min(ring)}" in text and "3 accounts" in text


def test_a_traders_week_counts_up_to_the_trade_cap(engine, seed):
    """Formula v3: a whale's (or a wash trade's) 20,000 USDT counts as ``trade_cap`` units,
    flagged ``trade_capped``; a trader over the cap on two creators is shared between them in
    proportion; one under it counts in full. Without a cap (v2) every unit counts, as it
    always did."""
    (whaled, capped), (first, shared), (second, other), (small, full) = (
        established(seed) for _ in range(4)
    )
    whale, spread, trader = (established(seed)[0] for _ in range(3))
    seed.fill(whaled, whale, 20_000 * 10**6)
    seed.fill(first, spread, 60 * 10**6)
    seed.fill(second, spread, 40 * 10**6)
    seed.fill(small, trader, 30 * 10**6)
    seed.fill(small, trader, 15 * 10**6)
    with engine.connect() as conn:
        inputs = collect_for(conn, CHAIN_ID, CALENDAR, EPOCH, CONFIG)
    rules = CONFIG.trust
    assert rules is not None and rules.trade_cap is None

    v2 = build(inputs, CONFIG.for_epoch(EPOCH), POOL, VAULT)
    assert entry(v2, capped)["after"]["trade"] == "20000"
    assert "trade_cap" not in v2.data["formula"]["trust"]  # v2's file, as it always was

    v3 = replace(CONFIG.for_epoch(EPOCH), trust=replace(rules, trade_cap=50))
    distribution = build(inputs, v3, POOL, VAULT)
    counted = {a: entry(distribution, a)["after"]["trade"] for a in (capped, shared, other, full)}
    assert counted == {capped: "50", shared: "30", other: "20", full: "45"}
    for address in (capped, shared, other):
        assert trust.TRADE_CAPPED in entry(distribution, address)["reasons"]
    assert trust.TRADE_CAPPED not in entry(distribution, full)["reasons"]
    assert distribution.data["formula"]["trust"]["trade_cap"] == 50
    assert trust.TRADE_CAPPED in distribution.data["reason_codes"]
    assert verify_distribution(distribution.data).ok
