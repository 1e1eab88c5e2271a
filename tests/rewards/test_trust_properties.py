"""Properties of trust-weighted scoring for random weeks (the invariants issue 17 names):

* adding a farm (fresh identities, whatever they do) never raises any honest account's share
  by more than rounding;
* splitting one identity's activity over several fresh identities never raises their total;
* one's own views, likes, comments, attendance and trades never earn (on a real database);
* the allocation still sums exactly to the pool (less what the cap leaves) and the file
  verifies; no trader's week counts beyond the trade cap.

Worlds are built as :func:`planet.rewards.inputs.collect` would read them: seeds (verified, or
first seen long before the week), mid-aged identities (first seen in the days before the week)
and fresh ones (first seen this week)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from fractions import Fraction

import pytest
from eth_account import Account
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planet.core.epochs import EpochCalendar
from planet.rewards import trust
from planet.rewards.close import CloseError, build, collect_for, weigh
from planet.rewards.distribution import verify_distribution
from planet.rewards.inputs import MICRO, AccountInputs, EpochInputs, WeekGraph
from planet.rewards.scoring import parse
from tests.support.profiles import examples
from tests.support.rows import Seeder

GENESIS = 1_800_000_000
EPOCH = 5
CALENDAR = EpochCalendar(GENESIS)
START = CALENDAR.start(EPOCH)
VAULT = "0x" + "cd" * 20
KINDS = ("view", "like", "comment", "live_attendance")
CONFIG = parse(
    {
        "name": "props",
        "version": "3",
        "weights": {
            "view": 1,
            "like": 2,
            "comment": 3,
            "live_attendance": 3,
            "points": "1/2",
            "trade": "1/20",
        },
        "cap_share": "1/4",
        # the published formula's rules (v3: a week's history makes a seed, a trader's week
        # counts up to a cap), with a budget and a cap small enough for a few draws to reach
        "trust": {
            "seed_min_age_days": 7,
            "damping": "1/2",
            "engager_budget": 12,
            "newcomer_weight": "1/20",
            "trade_cap": 100,
        },
    }
)
FORMULA = CONFIG.for_epoch(EPOCH)
_addresses: dict[int, str] = {}


def address(token: int) -> str:
    if token not in _addresses:
        _addresses[token] = Account.from_key(token.to_bytes(32, "big")).address
    return _addresses[token]


@dataclass
class World:
    """A week in memory: who exists, what they own, who did what."""

    first_seen: dict[int, int] = field(default_factory=dict)
    verified: set[int] = field(default_factory=set)
    items: dict[int, int] = field(default_factory=dict)  # post or session -> its creator
    interactions: set[tuple[int, str, int]] = field(default_factory=set)  # engager, kind, item
    trades: list[tuple[int, int, int]] = field(default_factory=list)  # trader, creator, micro
    points: dict[int, int] = field(default_factory=dict)
    funders: dict[int, frozenset[str]] = field(default_factory=dict)  # funder keys

    def inputs(self) -> EpochInputs:
        """What collect reads from such a week (self-interactions never reach it)."""
        owners = {t: address(t).lower() for t in self.first_seen}
        before: dict[int, AccountInputs] = {}
        seen: dict[tuple[int, str], set[int]] = {}
        edges = []
        for engager, kind, item in sorted(self.interactions):
            creator = self.items[item]
            if engager == creator:
                continue
            edges.append((engager, creator, kind, item))
            seen.setdefault((creator, kind), set()).add(engager)
        names = {"view": "views", "like": "likes", "comment": "comments"}
        for (creator, kind), who in seen.items():
            row = before.setdefault(creator, AccountInputs())
            name = names.get(kind, "live_attendance")
            setattr(row, name, getattr(row, name) + len(who))
        pairs: dict[tuple[int, int], int] = {}
        for trader, creator, micro in self.trades:
            if trader != creator:
                pairs[(trader, creator)] = pairs.get((trader, creator), 0) + micro
                before.setdefault(creator, AccountInputs()).trade_notional_micro += micro
        for token, amount in self.points.items():
            before.setdefault(token, AccountInputs()).points += amount
        graph = WeekGraph(
            owners=owners,
            interactions=edges,
            trades=[(t, c, n) for (t, c), n in sorted(pairs.items())],
            self_interactions={},
            first_seen=dict(self.first_seen),
            verified=set(self.verified),
            pass_holders=set(),
            funders={t: k for t, k in self.funders.items() if t in self.first_seen},
            revoked_points={},
            quota_reached={},
        )
        accounts = {address(t): row for t, row in before.items() if row.any()}
        return EpochInputs(0, EPOCH, START, CALENDAR.end(EPOCH), ("okx",), accounts, graph)


FUNDER_KEYS = [frozenset({f"funder:0x{c * 40}:{START}"}) for c in "ab"]
AGES = {"seed": START - 30 * 86400, "mid": START - 5 * 86400, "fresh": START + 60}


@st.composite
def worlds(draw, ages=("seed", "mid", "fresh"), first: int = 1) -> World:
    world = World()
    n = draw(st.integers(min_value=2, max_value=9))
    tokens = list(range(first, first + n))
    for token in tokens:
        world.first_seen[token] = AGES[draw(st.sampled_from(ages))]
    world.verified = {t for t in tokens if world.first_seen[t] == AGES["seed"]}
    ids = itertools.count(first * 1000)
    for token in tokens:
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            world.items[next(ids)] = token
    assume(world.items)
    items = sorted(world.items)
    world.interactions = draw(
        st.sets(
            st.tuples(st.sampled_from(tokens), st.sampled_from(KINDS), st.sampled_from(items)),
            max_size=40,
        )
    )
    world.trades = draw(
        st.lists(
            st.tuples(
                st.sampled_from(tokens),
                st.sampled_from(tokens),
                st.integers(min_value=0, max_value=500 * MICRO),
            ),
            max_size=6,
        )
    )
    world.points = draw(st.dictionaries(st.sampled_from(tokens), st.integers(0, 100), max_size=4))
    # some identities first funded by a common wallet, as the indexer's lookups record them
    world.funders = draw(
        st.dictionaries(st.sampled_from(tokens), st.sampled_from(FUNDER_KEYS), max_size=n)
    )
    return world


def scores(inputs: EpochInputs) -> dict[str, Fraction]:
    weighed = weigh(inputs, FORMULA)
    assert weighed is not None
    return {a: Fraction(FORMULA.score(r.after)) for a, r in weighed[0].items()}


def allocation(inputs: EpochInputs, pool: int) -> dict[str, int]:
    try:
        data = build(inputs, FORMULA, pool, VAULT).data
    except CloseError:  # nobody scored, or the pool is too small to pay anyone at the cap
        return {}
    return {e["account"]: int(e["amount"]) for e in data["allocations"]}


pools = st.integers(min_value=1, max_value=10**24)


@settings(max_examples=examples(200), deadline=None)
@given(honest=worlds(), data=st.data(), pool=pools)
def test_adding_a_farm_never_raises_an_honest_share(honest, data, pool):
    farm = data.draw(worlds(ages=("fresh",), first=100))
    both = World(
        first_seen={**honest.first_seen, **farm.first_seen},
        verified=set(honest.verified),
        items={**honest.items, **farm.items},
        interactions=set(honest.interactions),
        trades=list(honest.trades) + list(farm.trades),
        points={**honest.points, **farm.points},
        # the farm's wallets may be funded from the same wallets as honest ones
        funders={**honest.funders, **farm.funders},
    )
    farmers = sorted(farm.first_seen)
    every_item = sorted(both.items)
    # the farm engages anything (its own items, honest ones) and trades on anyone's
    both.interactions |= data.draw(
        st.sets(
            st.tuples(
                st.sampled_from(farmers), st.sampled_from(KINDS), st.sampled_from(every_item)
            ),
            max_size=40,
        )
    )
    both.trades += data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(farmers),
                st.sampled_from(sorted(both.first_seen)),
                st.integers(min_value=0, max_value=10**6 * MICRO),
            ),
            max_size=5,
        )
    )
    before, after = allocation(honest.inputs(), pool), allocation(both.inputs(), pool)
    for account in {address(t) for t in honest.first_seen}:
        assert after.get(account, 0) <= before.get(account, 0) + 1
    for token in farmers:
        assert after.get(address(token), 0) == 0


@settings(max_examples=examples(200), deadline=None)
@given(world=worlds(ages=("seed", "fresh")), data=st.data())
def test_splitting_an_identity_over_fresh_ones_never_raises_their_total(world, data):
    """In a week of established and fresh identities (whose standings are exactly 1 and 0)."""
    x = data.draw(st.sampled_from(sorted(world.first_seen)))
    k = data.draw(st.integers(min_value=2, max_value=4))
    parts = list(range(500, 500 + k))
    split = replace(
        world,
        first_seen={
            **{t: s for t, s in world.first_seen.items() if t != x},
            **dict.fromkeys(parts, AGES["fresh"]),
        },
        verified=world.verified - {x},
        items={
            i: (data.draw(st.sampled_from(parts)) if c == x else c) for i, c in world.items.items()
        },
        interactions=set(),
        trades=[],
        points={t: p for t, p in world.points.items() if t != x},
        # funded as it was: from another source, the parts are simply identities the same-funder
        # rule never tied to the others, whether split or not
        funders={
            **{t: k for t, k in world.funders.items() if t != x},
            **({p: world.funders[x] for p in parts} if x in world.funders else {}),
        },
    )
    for engager, kind, item in world.interactions:
        who = data.draw(st.sampled_from(parts)) if engager == x else engager
        split.interactions.add((who, kind, item))
    # what used to be its own engagement of its own items now crosses between its identities
    own = sorted(i for i, c in split.items.items() if c in parts)
    if own:
        split.interactions |= data.draw(
            st.sets(
                st.tuples(st.sampled_from(parts), st.sampled_from(KINDS), st.sampled_from(own)),
                max_size=12,
            )
        )
    for trader, creator, micro in world.trades:
        if creator == x:
            cut = data.draw(st.integers(min_value=0, max_value=micro))
            split.trades += [(trader, parts[0], cut), (trader, parts[-1], micro - cut)]
        else:
            split.trades.append((data.draw(st.sampled_from(parts)) if trader == x else trader,
                                 creator, micro))  # fmt: skip
    if world.points.get(x):
        cut = data.draw(st.integers(min_value=0, max_value=world.points[x]))
        split.points[parts[0]] = cut
        split.points[parts[1]] = world.points[x] - cut

    whole = scores(world.inputs()).get(address(x), Fraction(0))
    pieces = scores(split.inputs())
    assert sum((pieces.get(address(p), Fraction(0)) for p in parts), Fraction(0)) <= whole


@settings(max_examples=examples(150), deadline=None)
@given(world=worlds(), pool=st.integers(min_value=10**6, max_value=10**24))
def test_the_allocation_sums_to_the_pool_and_verifies(world, pool):
    inputs = world.inputs()
    weighed = weigh(inputs, FORMULA)
    assert weighed is not None
    reports = weighed[0]
    if not any(FORMULA.score(r.after) > 0 for r in reports.values()):
        return
    distribution = build(inputs, FORMULA, pool, VAULT, reports=reports)
    data = distribution.data
    assert int(data["total"]) + int(data["unallocated"]) == pool
    assert verify_distribution(data).ok
    # a trader's week counts up to the trade cap, however many creators it traded from
    traders = {t for t, c, _ in world.trades if t != c}
    rules = FORMULA.trust
    assert rules is not None and rules.trade_cap is not None
    counted = sum((r.after["trade"] for r in reports.values()), Fraction(0))
    assert counted <= rules.trade_cap * len(traders)
    for account, report in reports.items():
        assert Fraction(0) <= report.standing <= 1
        assert set(report.reasons) <= set(trust.REASONS)
        if address_tokens := [t for t in world.first_seen if address(t) == account]:
            if world.first_seen[address_tokens[0]] == AGES["fresh"]:
                assert report.standing == 0


_chains = itertools.count(7000)


@pytest.mark.slow
@settings(max_examples=examples(20), deadline=None)
@given(world=worlds(ages=("seed", "mid", "fresh")), data=st.data())
def test_self_interaction_never_earns(sqlite_scratch, world, data):
    """On a real database: the same week with and without each account's own views, likes,
    comments, live attendance and fills on its own posts scores the same."""
    chain = next(_chains)
    seed = Seeder(
        sqlite_scratch,
        at=START + 3600,
        chain_id=chain,
        _ids=itertools.count(chain * 10_000),
        _uids=itertools.count(chain * 10_000),
    )
    token_of = {t: seed.user(verified=t in world.verified)[0] for t in sorted(world.first_seen)}
    for t, when in world.first_seen.items():
        if when < START:  # its first act, before the week
            seed.view(seed.post(token_of[t]), token_of[t], at=when)
    post_of = {i: seed.post(token_of[c]) for i, c in sorted(world.items.items())}
    acted = {"view": seed.view, "like": seed.like, "comment": seed.comment}
    for engager, kind, item in sorted(world.interactions):
        if kind in acted and world.items[item] != engager:
            acted[kind](post_of[item], token_of[engager])

    def read() -> dict[str, Fraction]:
        with sqlite_scratch.connect() as conn:
            inputs = collect_for(conn, chain, CALENDAR, EPOCH, CONFIG)
        return scores(inputs)

    plain = read()
    for creator in data.draw(st.sets(st.sampled_from(sorted(world.first_seen)), min_size=1)):
        token = token_of[creator]
        post = seed.post(token)
        seed.view(post, token)
        seed.like(post, token)
        seed.comment(post, token)
        seed.attend(seed.session(token), token)
        seed.fill(token, token, 10**4 * MICRO, attributed=False)
    assert read() == plain
