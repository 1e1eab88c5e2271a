"""Scoring inputs from the shared database, on SQLite and PostgreSQL: what counts, what not."""

from __future__ import annotations

from fractions import Fraction

import pytest

from planet.core.epochs import EpochCalendar
from planet.rewards.close import CloseError, build
from planet.rewards.distribution import digest_inputs, verify_distribution
from planet.rewards.inputs import AccountInputs, collect
from planet.rewards.scoring import parse
from planet.store import MIRROR, make_engine, migrate
from tests.support.rows import CHAIN_ID, Seeder

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects

GENESIS = 1_800_000_000
EPOCH = 2
CALENDAR = EpochCalendar(GENESIS)
IN_WEEK = CALENDAR.start(EPOCH) + 3600
VAULT = "0x" + "cd" * 20


@pytest.fixture
def seed(engine) -> Seeder:
    return Seeder(engine, at=IN_WEEK)


def inputs_of(engine, epoch: int = EPOCH, trade_exchanges=("okx",)):
    with engine.connect() as conn:
        return collect(conn, CHAIN_ID, CALENDAR, epoch, trade_exchanges=trade_exchanges)


def config(**overrides):
    data = {
        "name": "test",
        "version": "7",
        "weights": {
            "view": 1,
            "like": 2,
            "comment": 3,
            "live_attendance": 4,
            "points": 1,
            "trade": "1/2",
        },
        "cap_share": None,
    }
    data.update(overrides)
    return parse(data)


def test_distinct_identified_users_per_creator_across_posts(engine, seed):
    creator, address = seed.user()
    fans = [seed.user()[0] for _ in range(3)]
    first, second = seed.post(creator), seed.post(creator)
    for fan in fans:
        seed.view(first, fan)
        seed.view(second, fan)  # the same fan on two posts is one distinct viewer
    seed.like(first, fans[0])
    seed.like(second, fans[1])
    seed.comment(first, fans[2])
    seed.comment(first, fans[2])  # two comments, one commenter
    got = inputs_of(engine).accounts
    assert got == {address: AccountInputs(views=3, likes=2, comments=1)}


def test_self_view_like_and_comment_are_ignored(engine, seed):
    creator, address = seed.user()
    fan = seed.user()[0]
    pid = seed.post(creator)
    seed.view(pid, creator)
    seed.like(pid, creator)
    seed.comment(pid, creator)
    assert inputs_of(engine).accounts == {}
    seed.like(pid, fan)
    assert inputs_of(engine).accounts == {address: AccountInputs(likes=1)}


def test_unregistered_users_neither_count_nor_score(engine, seed):
    creator, _address = seed.user()
    ghost = seed.user(registered=False)[0]
    pid = seed.post(creator)
    seed.view(pid, ghost)
    seed.like(pid, ghost)
    seed.comment(pid, ghost)
    unregistered_author = seed.user(registered=False)[0]
    fan = seed.user()[0]
    seed.like(seed.post(unregistered_author), fan)
    assert inputs_of(engine).accounts == {}


def test_only_the_weeks_interactions_and_the_chains_posts_count(engine, seed):
    creator, address = seed.user()
    fans = [seed.user()[0] for _ in range(3)]
    pid = seed.post(creator)
    seed.like(pid, fans[0], at=CALENDAR.start(EPOCH) - 1)  # the week before
    seed.like(pid, fans[1], at=CALENDAR.end(EPOCH))  # the first second of the next week
    seed.like(pid, fans[2], at=CALENDAR.start(EPOCH))  # the first second of the week
    seed.like(seed.post(creator, chain_id=1952), fans[0])  # another chain's post
    assert inputs_of(engine).accounts == {address: AccountInputs(likes=1)}


def test_revoked_attestations_are_removed_and_points_need_an_identity(engine, seed):
    _, address = seed.user()
    _, stranger = seed.user(registered=False)
    seed.attest(address, EPOCH, 30)
    seed.attest(address, EPOCH, 12)
    seed.attest(address, EPOCH, 500, revoked=True)
    seed.attest(address, EPOCH + 1, 7)  # another week
    seed.attest(stranger, EPOCH, 99)  # no identity: never scores
    assert inputs_of(engine).accounts == {address: AccountInputs(points=42)}


def test_points_beyond_64_bits_are_summed_exactly(engine, seed):
    _, address = seed.user()
    seed.attest(address, EPOCH, 2**70)
    seed.attest(address, EPOCH, 2**70 + 1)
    assert inputs_of(engine).accounts[address].points == 2**71 + 1


def test_live_attendance_counts_distinct_identified_attendees_not_the_host(engine, seed):
    host, address = seed.user()
    fans = [seed.user()[0] for _ in range(2)]
    ghost = seed.user(registered=False)[0]
    first, second = seed.session(host), seed.session(host)
    for session in (first, second):
        for fan in fans:
            seed.attend(session, fan)
    seed.attend(first, host)
    seed.attend(first, ghost)
    seed.attend(second, seed.user()[0], at=CALENDAR.end(EPOCH) + 5)  # next week
    assert inputs_of(engine).accounts == {address: AccountInputs(live_attendance=2)}


def test_only_attributed_trades_of_others_count(engine, seed):
    creator, address = seed.user()
    trader = seed.user()[0]
    ghost = seed.user(registered=False)[0]
    seed.fill(creator, trader, 2_500_000)
    seed.fill(creator, trader, 1_000_000)
    seed.fill(creator, trader, 9_000_000, attributed=False)
    seed.fill(creator, creator, 7_000_000)  # the creator's own trade, even if marked
    seed.fill(creator, ghost, 5_000_000)  # a trader without identity
    seed.fill(creator, trader, 4_000_000, at=CALENDAR.start(EPOCH) - 10)
    got = inputs_of(engine).accounts
    assert got == {address: AccountInputs(trade_notional_micro=3_500_000)}
    assert got[address].quantities()["trade"] == 3  # whole quote units


def test_fills_attributed_to_a_deleted_or_hidden_post_count_for_nobody(engine, seed):
    """As the post's own views do: read when the week is closed, so a post deleted or hidden
    after its trades takes their volume out of the week, in the scores and in the graph."""
    creator, address = seed.user()
    trader = seed.user()[0]
    seed.fill(creator, trader, 1_000_000)
    deleted = seed.fill(creator, trader, 2_000_000)
    hidden = seed.fill(creator, trader, 4_000_000)
    own_on_hidden = seed.fill(creator, trader, 8_000_000, attributed=False)
    with engine.connect() as conn:
        week = collect(conn, CHAIN_ID, CALENDAR, EPOCH, trade_exchanges=("okx",), graph=True)
    assert week.accounts == {address: AccountInputs(trade_notional_micro=7_000_000)}
    assert week.graph is not None and week.graph.self_interactions == {creator: 1}

    seed.delete(deleted)
    seed.hide("post", hidden)
    seed.hide("post", own_on_hidden)
    seed.hide("comment", 1)  # a comment's hide names another kind: the post with id 1 counts
    with engine.connect() as conn:
        week = collect(conn, CHAIN_ID, CALENDAR, EPOCH, trade_exchanges=("okx",), graph=True)
    assert week.accounts == {address: AccountInputs(trade_notional_micro=1_000_000)}
    assert week.graph is not None
    assert week.graph.trades == [(trader, creator, 1_000_000)]
    assert week.graph.self_interactions == {}


def test_paper_fills_count_only_when_the_formula_lists_paper(engine, seed):
    creator, address = seed.user()
    trader = seed.user()[0]
    seed.fill(creator, trader, 2_000_000, exchange="okx")
    seed.fill(creator, trader, 50_000_000_000, exchange="paper")  # free volume
    by_default = inputs_of(engine)
    assert by_default.accounts == {address: AccountInputs(trade_notional_micro=2_000_000)}
    local = inputs_of(engine, trade_exchanges=("paper", "okx"))
    assert local.accounts == {address: AccountInputs(trade_notional_micro=50_002_000_000)}
    assert inputs_of(engine, trade_exchanges=()).accounts == {}
    # which fills counted is part of what the digest covers
    assert by_default.canonical()["trade_exchanges"] == ["okx"]
    assert local.canonical()["trade_exchanges"] == ["okx", "paper"]
    assert digest_inputs(by_default.canonical()) != digest_inputs(local.canonical())


def test_the_file_records_which_exchanges_counted(engine, seed):
    creator, address = seed.user()
    trader = seed.user()[0]
    seed.fill(creator, trader, 4_000_000, exchange="paper")
    seed.like(seed.post(creator), trader)
    shipped = config().for_epoch(EPOCH)  # no trade_exchanges: OKX only
    local = config(trade_exchanges=["paper", "okx"]).for_epoch(EPOCH)
    data = build(inputs_of(engine), shipped, 1000, VAULT).data
    assert data["formula"]["trade_exchanges"] == ["okx"]
    assert [(e["account"], e["score"]) for e in data["allocations"]] == [(address, "2")]
    inputs = inputs_of(engine, trade_exchanges=local.trade_exchanges)
    data = build(inputs, local, 1000, VAULT).data
    assert data["formula"]["trade_exchanges"] == ["okx", "paper"]
    # the like's 2, and the paper fill's 4 whole units at 1/2
    assert [(e["account"], e["score"]) for e in data["allocations"]] == [(address, "4")]
    assert verify_distribution(data).ok


def test_the_inputs_digest_is_canonical_and_follows_every_input(engine, seed):
    creator, _ = seed.user()
    pid = seed.post(creator)
    seed.like(pid, seed.user()[0])
    before = inputs_of(engine)
    assert digest_inputs(before.canonical()) == digest_inputs(inputs_of(engine).canonical())
    seed.view(pid, seed.user()[0])
    assert digest_inputs(before.canonical()) != digest_inputs(inputs_of(engine).canonical())
    assert before.canonical()["fields"][0] == "account"


def test_cap_and_epoch_weights_reach_the_file(engine, seed):
    whale, whale_address = seed.user()
    minnows = [seed.user() for _ in range(4)]
    fans = [seed.user()[0] for _ in range(10)]
    for fan in fans:
        seed.like(seed.post(whale), fan)
    for token, _ in minnows:
        seed.like(seed.post(token), fans[0])
    formula = config(cap_share="1/4", epochs={EPOCH: {"weights": {"like": 5}}}).for_epoch(EPOCH)
    dist = build(inputs_of(engine), formula, 1000, VAULT)
    data = dist.data
    assert data["formula"] == {
        "name": "test",
        "version": "7",
        "weights": {
            "view": "1",
            "like": "5",
            "comment": "3",
            "live_attendance": "4",
            "points": "1",
            "trade": "1/2",
        },
        "cap_share": "1/4",
        "trade_exchanges": ["okx"],
    }
    amounts = {e["account"]: int(e["amount"]) for e in data["allocations"]}
    scores = {e["account"]: Fraction(e["score"]) for e in data["allocations"]}
    assert amounts[whale_address] == 250  # the cap: a quarter of the pool
    assert scores[whale_address] == 50
    assert sum(amounts.values()) == 1000
    assert all(amounts[a] == 187 or amounts[a] == 188 for _, a in minnows)
    assert verify_distribution(data).ok


def test_a_week_with_no_activity_is_refused(engine, seed):
    creator, _address = seed.user()
    seed.like(seed.post(creator), seed.user()[0], at=CALENDAR.start(EPOCH + 1))
    with pytest.raises(CloseError, match=f"epoch {EPOCH} had no scoring activity"):
        build(inputs_of(engine), config().for_epoch(EPOCH), 1000, VAULT)


def test_a_missing_table_is_named_with_the_command_that_creates_it(new_database):
    from planet.rewards.inputs import InputsError

    engine = make_engine(new_database("sqlite"))
    migrate(engine, MIRROR)
    try:
        with pytest.raises(InputsError, match=r"api_posts.*planet serve migrate"):
            inputs_of(engine)
    finally:
        engine.dispose()
