"""How much of a week's pool farms take: a synthetic week of honest creators and six farming
strategies, closed by the real code, then

    sybil: farm_share=F honest_spearman=S strategies=N

as the last line (targets: ``farm_share <= 0.01`` with every strategy present, and
``honest_spearman >= 0.9``). ``farm_share`` is the fraction of the pool paid to farm identities;
``honest_spearman`` the rank correlation between honest creators' amounts and their latent
quality. A table per strategy (identities, attestations signed and refused, share of the pool)
is printed above it.

The week is built in the real tables of a SQLite database (seeded, reproducible): identities in
the mirror, posts, views, likes, comments, live sessions, orders and fills in the API's tables.
Every post, comment, live session and attributed fill is offered to the API's attestation
service (:func:`api.services.attestations.attest`, which signs with a real key or refuses with a
reason code), and what it signs is recorded in the mirror as the indexer would once submitted.
The close is :func:`planet.rewards.close.build` on :func:`planet.rewards.close.collect_for`, with
the formula of ``config/scoring.yaml``: what ``planet epoch close`` runs.

The honest side: ``--users`` identities that view, like, comment, attend and trade, and
``--creators`` creators whose latent quality is heavy-tailed (Pareto); engagement is drawn in
proportion to quality with noise. All honest identities were active in earlier weeks, a few are
verified or hold a pass. The farms total a tenth of all identities, split evenly over:

* ``spam``: many one-character posts and comments on anyone's posts, each offered for points;
* ``self``: posts, then views, likes and comments on one's own posts;
* ``ring``: fresh identities that view, like and comment on each other's posts;
* ``ring_bought``: the same, plus engagement bought from a few real (honest) users;
* ``wash``: farm accounts trading large notional from a farm creator's tagged post;
* ``mimic``: identities that behave like honest users at low volume (a week of history,
  views and likes of honest posts, a post each, light engagement between them).

With ``--seeds N`` (default 3) it builds N weeks from seeds S, S + 1, ..., prints each one's
table and figures, and the last line is the worst case over them: the largest ``farm_share``
and the smallest ``honest_spearman``.

Farms fund their fresh wallets from one wallet of theirs in the days before the week (all but
the mimic, which funds each from a different source a week earlier); honest wallets were
funded from wallets of their own over the ten weeks before. The owners' first fundings enter
``owner_fundings`` through the indexer's lookup (:class:`indexer.funding.FundingTracker`),
with a source answering from the plan where a node would be searched.

    python -m benchmarks.sybil [--users N] [--creators N] [--seed S] [--seeds N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import secrets
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_utils import keccak
from sqlalchemy import Connection, Engine, insert, select

from api.errors import ApiError
from api.services import attestations as attestation_service
from api.services.attestations import Activity
from api.services.chain import ChainContext
from api.services.identities import Identity
from api.settings import ApiSettings
from indexer.funding import FOUND, UNFUNDED, Funding, FundingTracker
from planet.core.epochs import EpochCalendar
from planet.rewards import scoring
from planet.rewards.close import build, collect_for
from planet.store import MIRROR, OFFCHAIN, make_engine, migrate
from planet.store.mirror import attestations, identities, pass_holdings
from planet.store.offchain import (
    comments,
    fills,
    live_attendance,
    live_sessions,
    orders,
    post_likes,
    post_views,
    posts,
)

ROOT = Path(__file__).resolve().parents[1]
CHAIN_ID = 31337
GENESIS = 1_790_000_000
EPOCH = 3
WEEK = 7 * 24 * 3600
POOL = 10**24
VAULT = "0x" + "cd" * 20
POINTS = "0x" + "ee" * 20
ATTESTER_KEY = "0x" + "4b" * 32
STRATEGIES = ("spam", "self", "ring", "ring_bought", "wash", "mimic")
#: Farms that fund their wallets from one wallet of theirs; the mimic funds each from another
#: source (a careful farm: funder keys alone do not catch it).
ONE_FUNDER = ("spam", "self", "ring", "ring_bought", "wash")
FIRST_BLOCK = 1_000
FINAL_BLOCK = FIRST_BLOCK + 10 * WEEK  # above every funding's block


@dataclass
class Week:
    """Rows to insert, and who is who."""

    rng: random.Random
    start: int
    owners: dict[int, str] = field(default_factory=dict)
    group: dict[int, str] = field(default_factory=dict)  # token -> honest/creator/strategy
    quality: dict[int, float] = field(default_factory=dict)  # creators only
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    posts_of: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    offers: list[tuple[int, Activity, int]] = field(default_factory=list)  # token, activity, id
    seen: set[tuple[str, int, int]] = field(default_factory=set)
    next_id: Counter[str] = field(default_factory=Counter)
    fundings: dict[str, Funding] = field(default_factory=dict)  # owner -> its first funding

    def fund(self, token: int, funder: str, when: int) -> None:
        """The owner's first funding transaction, as a node would show it to the indexer."""
        owner = self.owners[token]
        block = when - GENESIS + FIRST_BLOCK
        self.fundings[owner] = Funding(
            owner, FOUND, FINAL_BLOCK, funder=funder, block_number=block, block_time=when,
            tx_hash="0x" + keccak(b"fund" + bytes.fromhex(owner[2:])).hex(),
            amount=10**17,
        )  # fmt: skip

    def at(self, epoch: int = EPOCH) -> int:
        return GENESIS + epoch * WEEK + self.rng.randrange(WEEK - 3600)

    def new_id(self, kind: str) -> int:
        self.next_id[kind] += 1
        return self.next_id[kind]

    def identity(self, token: int, group: str, *, relayer: str | None = None) -> None:
        owner = "0x" + keccak(b"sybil" + token.to_bytes(8, "big"))[:20].hex()
        self.owners[token] = owner
        self.group[token] = group
        self.rows["identities"].append(
            {"chain_id": CHAIN_ID, "token_id": token, "owner": owner, "handle": f"u{token}",
             "metadata_uri": "", "metadata_hash": "0x" + "00" * 32, "recovery": "0x" + "00" * 20,
             "verified": False, "labels": 0, "relayer": relayer or owner,
             "registered_block": 1, "registered_tx": "0x" + "11" * 32, "updated_block": 1}
        )  # fmt: skip

    def post(self, author: int, *, when: int | None = None, body: str = "gm",
             instruments: Sequence[str] = (), offer: bool = True) -> int:  # fmt: skip
        post_id = self.new_id("post")
        when = self.at() if when is None else when
        self.rows["posts"].append(
            {"id": post_id, "chain_id": CHAIN_ID, "author_token_id": author,
             "author_address": self.owners[author], "body": body,
             "instruments": list(instruments), "created_at": when, "view_count": 0,
             "like_count": 0, "comment_count": 0, "visibility": "public"}
        )  # fmt: skip
        if when >= self.start:
            self.posts_of[author].append(post_id)
        if offer:
            self.offers.append((author, "post", post_id))
        return post_id

    def view(self, post_id: int, who: int, when: int | None = None) -> None:
        if ("view", post_id, who) not in self.seen:
            self.seen.add(("view", post_id, who))
            when = self.at() if when is None else when
            self.rows["post_views"].append(
                {"post_id": post_id, "token_id": who, "first_viewed_at": when}
            )

    def like(self, post_id: int, who: int) -> None:
        self.view(post_id, who)
        if ("like", post_id, who) not in self.seen:
            self.seen.add(("like", post_id, who))
            self.rows["post_likes"].append(
                {"post_id": post_id, "token_id": who, "created_at": self.at()}
            )

    def comment(self, post_id: int, who: int, body: str = "nice") -> None:
        self.view(post_id, who)
        comment_id = self.new_id("comment")
        self.rows["comments"].append(
            {"id": comment_id, "post_id": post_id, "chain_id": CHAIN_ID, "author_token_id": who,
             "author_address": self.owners[who], "body": body, "created_at": self.at()}
        )  # fmt: skip
        self.offers.append((who, "comment", comment_id))

    def live(self, host: int, attendees: Sequence[int]) -> None:
        session_id = self.new_id("live")
        began = self.start + self.rng.randrange(WEEK - 7200)
        self.rows["live_sessions"].append(
            {"id": session_id, "chain_id": CHAIN_ID, "host_token_id": host,
             "host_address": self.owners[host], "title": "live", "description": "",
             "visibility": "public", "scheduled_at": began, "started_at": began,
             "ended_at": began + 3600, "created_at": began}
        )  # fmt: skip
        for who in set(attendees):
            self.rows["live_attendance"].append(
                {"session_id": session_id, "token_id": who, "joined_at": began + 60}
            )
        self.offers.append((host, "live", session_id))

    def trade(self, post_id: int, creator: int, trader: int, notional_usdt: float) -> None:
        order_id = self.new_id("order")
        when = self.at()
        self.rows["orders"].append(
            {"id": order_id, "chain_id": CHAIN_ID, "post_id": post_id,
             "creator_token_id": creator, "trader_token_id": trader,
             "trader_address": self.owners[trader], "instrument": "BTC-USDT", "side": "buy",
             "order_type": "market", "size": "1", "exchange": "okx",
             "client_order_id": f"o{order_id}", "status": "filled", "created_at": when}
        )  # fmt: skip
        fill_id = self.new_id("fill")
        self.rows["fills"].append(
            {"id": fill_id, "chain_id": CHAIN_ID, "order_id": order_id, "exchange": "okx",
             "exchange_fill_id": f"f{fill_id}", "price": "1", "size": "1",
             "notional_micro": int(notional_usdt * 10**6), "fee": "0", "post_id": post_id,
             "creator_token_id": creator, "trader_token_id": trader,
             "attributed": creator != trader, "filled_at": when}
        )  # fmt: skip
        if creator != trader:
            self.offers.append((creator, "trade", fill_id))


def honest(week: Week, users: int, creators: int) -> tuple[list[int], list[int]]:
    """Honest users and creators, with earlier weeks of history and this week's engagement."""
    rng = week.rng
    user_tokens = list(range(1, users + 1))
    creator_tokens = list(range(users + 1, users + creators + 1))
    for t in user_tokens:
        week.identity(t, "honest")
    for t in creator_tokens:
        week.identity(t, "creator")
        week.quality[t] = rng.paretovariate(1.3)
    everyone = user_tokens + creator_tokens
    # each honest wallet was funded from a wallet of its own (a personal one, a friend's), at
    # some time in the ten weeks before this one
    for t in everyone:
        funder = "0x" + keccak(b"own" + t.to_bytes(8, "big"))[:20].hex()
        week.fund(t, funder, GENESIS + (EPOCH - 10) * WEEK + rng.randrange(10 * WEEK))
    # earlier weeks: every honest identity was around (a view of an old post each week)
    for epoch in range(EPOCH):
        old = week.post(rng.choice(creator_tokens), when=week.at(epoch), offer=False)
        for t in everyone:
            if rng.random() < 0.7:
                week.view(old, t, when=week.at(epoch))
    for t in rng.sample(everyone, len(everyone) // 20):
        week.rows["verified"].append({"token_id": t})
    for t in rng.sample(everyone, len(everyone) // 10):
        week.rows["pass_holdings"].append(
            {"chain_id": CHAIN_ID, "pass_id": 1, "holder": week.owners[t], "balance": 1,
             "minted": 1, "expiry": 0, "updated_block": 1}
        )  # fmt: skip
    # this week: creators post; the engagement a creator draws is proportional to its quality,
    # with noise per post
    appeal: list[tuple[int, int, float]] = []  # post, author, appeal
    for c in creator_tokens:
        count = rng.randint(2, 4)  # a creator's attention, whatever its number of posts
        for _ in range(count):
            post_id = week.post(c)
            appeal.append((post_id, c, week.quality[c] * rng.lognormvariate(0, 0.3) / count))
    weights = [a for _, _, a in appeal]
    for u in everyone:
        activity = rng.lognormvariate(0, 0.5)
        for i in set(rng.choices(range(len(appeal)), weights, k=int(12 * activity) + 1)):
            post_id, author, _ = appeal[i]
            if author == u:
                continue
            week.view(post_id, u)
            if rng.random() < 0.35:
                week.like(post_id, u)
            if rng.random() < 0.05:
                week.comment(post_id, u)
    # live sessions by the better half of creators, attendance by quality
    ranked = sorted(creator_tokens, key=lambda c: -week.quality[c])
    for c in ranked[: creators // 2]:
        size = min(len(user_tokens), int(4 * week.quality[c] * rng.lognormvariate(0, 0.3)) + 1)
        week.live(c, rng.sample(user_tokens, size))
    # trades from posts, by appeal
    for _ in range(users // 5):
        post_id, author, _ = rng.choices(appeal, weights)[0]
        week.trade(post_id, author, rng.choice(user_tokens), rng.lognormvariate(5, 1))
    return user_tokens, creator_tokens


def farms(week: Week, first: int, size: int, real_users: list[int],
          honest_posts: list[int]) -> None:  # fmt: skip
    """``size`` identities per strategy, tokens from ``first``."""
    rng = week.rng
    token = first
    members: dict[str, list[int]] = {}
    for strategy in STRATEGIES:
        members[strategy] = list(range(token, token + size))
        for t in members[strategy]:
            week.identity(t, strategy)
        token += size
    # a farm funds its fresh wallets from one wallet of its own in the days before it farms;
    # the mimic, a week earlier, each from a different source
    for strategy in ONE_FUNDER:
        funder = "0x" + keccak(b"farm" + strategy.encode())[:20].hex()
        for t in members[strategy]:
            week.fund(t, funder, week.start - rng.randrange(1, 3 * 24 * 3600))
    for t in members["mimic"]:
        funder = "0x" + keccak(b"mimic" + t.to_bytes(8, "big"))[:20].hex()
        week.fund(t, funder, week.start - WEEK - rng.randrange(WEEK))

    for t in members["spam"]:
        for _ in range(20):
            week.post(t, body=".")
        for _ in range(20):
            week.comment(rng.choice(honest_posts), t, body=".")

    for t in members["self"]:
        for _ in range(3):
            post_id = week.post(t, body=".")
            week.like(post_id, t)
            week.comment(post_id, t, body=".")

    def ring(group: list[int]) -> None:
        for t in group:
            for _ in range(2):
                week.post(t, body=".")
        for t in group:
            for other in group:
                if other != t:
                    for post_id in week.posts_of[other]:
                        week.like(post_id, t)
                        week.comment(post_id, t, body=".")

    ring(members["ring"])
    ring(members["ring_bought"])
    for buyer in rng.sample(real_users, 15):
        for t in members["ring_bought"]:
            for post_id in week.posts_of[t]:
                week.like(post_id, buyer)
                week.comment(post_id, buyer, body="great")

    wash = members["wash"]
    wash_creators, traders = wash[:4], wash[4:]
    for c in wash_creators:
        post_id = week.post(c, body="long BTC", instruments=["BTC-USDT"])
        for t in traders:
            for _ in range(3):
                week.trade(post_id, c, t, 20_000)

    mimic = members["mimic"]
    for t in mimic:
        week.view(rng.choice(honest_posts), t, when=week.at(EPOCH - 1))  # a week of history
        week.post(t)
    for t in mimic:
        for post_id in rng.sample(honest_posts, 8):
            week.view(post_id, t)
        for post_id in rng.sample(honest_posts, 2):
            week.like(post_id, t)
        for other in rng.sample(mimic, 4):
            if other != t:
                week.like(week.posts_of[other][0], t)


def insert_all(engine: Engine, week: Week) -> None:
    verified = {r["token_id"] for r in week.rows.pop("verified", [])}
    for row in week.rows["identities"]:
        row["verified"] = row["token_id"] in verified
    tables = {
        "identities": identities, "pass_holdings": pass_holdings, "posts": posts,
        "post_views": post_views, "post_likes": post_likes, "comments": comments,
        "live_sessions": live_sessions, "live_attendance": live_attendance, "orders": orders,
        "fills": fills,
    }  # fmt: skip
    with engine.begin() as conn:
        for name, table in tables.items():
            rows = week.rows.get(name, [])
            for i in range(0, len(rows), 20_000):
                conn.execute(insert(table), rows[i : i + 20_000])
    # the owners' first fundings go in through the indexer's lookups, with a source answering
    # from the week's plan instead of a node (indexer.funding.FundingSource)
    tracker = FundingTracker(engine, CHAIN_ID, Planned(week.fundings), len(week.owners))
    tracker.run(FINAL_BLOCK)


class Planned:
    """A funding source that knows the synthetic week's fundings (a node would search them)."""

    def __init__(self, fundings: dict[str, Funding]) -> None:
        self.fundings = fundings

    def first_funding(self, owner: str, up_to: int) -> Funding:
        return self.fundings.get(owner) or Funding(owner, UNFUNDED, up_to)


def attest_all(
    engine: Engine, week: Week, config: Path
) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """Offers every activity to the API's attestation service; what it signs is recorded in the
    mirror as if submitted. Returns signatures per group and refusals per (group, code)."""
    settings = ApiSettings(
        session_secret=secrets.token_hex(32),
        attester_private_key=ATTESTER_KEY,
        attested_exchanges=("okx",),
        scoring_config=config,
    )
    chain = ChainContext(CHAIN_ID, POINTS, GENESIS)
    now = GENESIS + (EPOCH + 1) * WEEK + 60
    signed: Counter[str] = Counter()
    refused: Counter[tuple[str, str]] = Counter()
    attester = Account.from_key(ATTESTER_KEY).address
    with engine.begin() as conn:
        who = {t: _identity(conn, t) for t in week.owners}
        for log_index, (token, activity, activity_id) in enumerate(week.offers):
            group = week.group[token]
            try:
                attestation, _ = attestation_service.attest(
                    conn,
                    settings,
                    chain,
                    who[token],
                    activity,
                    activity_id,
                    now,
                )
            except ApiError as err:
                refused[(group, str(err.code))] += 1
                continue
            row = attestation.row
            signed[group] += 1
            conn.execute(
                insert(attestations).values(
                    chain_id=CHAIN_ID, uid=row["uid"], account=row["account"],
                    epoch=row["epoch"], kind=row["kind"], amount=row["amount"],
                    attester=attester.lower(), submitter=row["account"], block_number=2,
                    log_index=log_index, tx_hash="0x" + "22" * 32, revoked=False,
                )
            )  # fmt: skip
    return signed, refused


def _identity(conn: Connection, token: int) -> Identity:
    row = conn.execute(
        select(identities).where(identities.c.chain_id == CHAIN_ID, identities.c.token_id == token)
    ).mappings().one()  # fmt: skip
    return Identity(
        CHAIN_ID, token, row["owner"], row["handle"], row["metadata_uri"], row["metadata_hash"],
        bool(row["verified"]), int(row["labels"]),
    )  # fmt: skip


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation, ties given their average rank."""

    def ranks(values: Sequence[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2
            i = j + 1
        return out

    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    return cov / (sx * sy) if sx and sy else 0.0


@dataclass
class Outcome:
    """One seed's week: its table and its two figures."""

    lines: list[str]
    farm_share: float
    honest_spearman: float
    strategies: int


def run(users: int, creators_: int, seed: int, config_path: Path, keep: Path | None) -> Outcome:
    """Builds, attests and closes one seeded week."""
    began = time.perf_counter()
    rng = random.Random(seed)
    week = Week(rng, GENESIS + EPOCH * WEEK)
    honest_total = users + creators_
    farm_size = math.ceil(honest_total / 9 / len(STRATEGIES))  # farms: a tenth of all
    user_tokens, _ = honest(week, users, creators_)
    honest_posts = [p for c, ps in week.posts_of.items() if week.group[c] == "creator" for p in ps]
    farms(week, honest_total + 1, farm_size, user_tokens, honest_posts)

    with tempfile.TemporaryDirectory() as scratch:
        where = keep / f"seed-{seed}" if keep else Path(scratch)
        where.mkdir(parents=True, exist_ok=True)
        engine = make_engine(f"sqlite:///{where / 'sybil.sqlite'}")
        migrate(engine, MIRROR)
        migrate(engine, OFFCHAIN)
        insert_all(engine, week)
        signed, refused = attest_all(engine, week, config_path)
        built = time.perf_counter()
        config = scoring.load(config_path)
        formula = config.for_epoch(EPOCH)
        with engine.connect() as conn:
            inputs = collect_for(conn, CHAIN_ID, EpochCalendar(GENESIS), EPOCH, config)
        distribution = build(inputs, formula, POOL, VAULT)
        closed = time.perf_counter()
        engine.dispose()

    amounts = {e["account"].lower(): int(e["amount"]) for e in distribution.data["allocations"]}
    by_group: Counter[str] = Counter()
    members: Counter[str] = Counter(week.group.values())
    for token, owner in week.owners.items():
        by_group[week.group[token]] += amounts.get(owner, 0)
    codes: dict[str, Counter[str]] = defaultdict(Counter)
    for (group, code), n in refused.items():
        codes[group][code] += n
    flagged = Counter(c["kind"] for c in distribution.data.get("clusters", ()))
    lines = [
        f"seed {seed}: formula {formula.name} v{formula.version}; {len(week.owners)} identities, "
        f"{len(week.offers)} activities offered for points; week built in "
        f"{built - began:.1f} s, closed in {closed - built:.1f} s; flagged clusters: "
        + (", ".join(f"{k}={n}" for k, n in sorted(flagged.items())) or "none"),
        f"{'group':<13}{'ids':>6}{'signed':>8}{'refused':>9}{'pool share':>12}  refusals",
    ]
    for group in ("honest", "creator", *STRATEGIES):
        reasons = ", ".join(f"{c}={n}" for c, n in sorted(codes[group].items())) or "-"
        lines.append(
            f"{group:<13}{members[group]:>6}{signed[group]:>8}{sum(codes[group].values()):>9}"
            f"{by_group[group] / POOL:>12.4f}  {reasons}"
        )
    farm_share = sum(by_group[s] for s in STRATEGIES) / POOL
    creators = [t for t, g in week.group.items() if g == "creator"]
    rho = spearman(
        [float(amounts.get(week.owners[t], 0)) for t in creators],
        [week.quality[t] for t in creators],
    )
    present = sum(1 for s in STRATEGIES if members[s])
    return Outcome(lines, farm_share, rho, present)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000, help="honest identities")
    parser.add_argument("--creators", type=int, default=200, help="honest creators")
    parser.add_argument("--seed", type=int, default=7, help="the first seed")
    parser.add_argument(
        "--seeds", type=int, default=3, help="weeks to run, seeds --seed, --seed + 1, ..."
    )
    parser.add_argument("--config", type=Path, default=ROOT / scoring.DEFAULT_PATH)
    parser.add_argument("--keep", type=Path, help="Keep the databases here.")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")

    seeds = range(args.seed, args.seed + args.seeds)
    # one process per week, as many at once as there are cores: the weeks are independent
    with ProcessPoolExecutor(min(len(seeds), os.cpu_count() or 1)) as pool:
        futures = [
            pool.submit(run, args.users, args.creators, s, args.config, args.keep) for s in seeds
        ]
        outcomes = [(seed, future.result()) for seed, future in zip(seeds, futures, strict=True)]
    for _, outcome in outcomes:
        print("\n".join(outcome.lines), end="\n\n")
    for seed, o in outcomes:
        print(
            f"seed {seed}: farm_share={o.farm_share:.4f} "
            f"honest_spearman={o.honest_spearman:.4f} strategies={o.strategies}"
        )
    # the headline is the worst week: the most paid to farms, the worst honest ranking
    share = max(o.farm_share for _, o in outcomes)
    rho = min(o.honest_spearman for _, o in outcomes)
    present = min(o.strategies for _, o in outcomes)
    print(f"sybil: farm_share={share:.4f} honest_spearman={rho:.4f} strategies={present}")


if __name__ == "__main__":
    main()
