"""Closes one epoch of 100,000 scoring accounts end to end, off chain, and prints

    epoch_close_100k: s=N

as the last line (target: under 60 s). Timed: reading the week's inputs from the database
(the GROUP BY queries, and the week's graph for the published formula's trust weighting),
weighing engagement by trust (personalized PageRank), scoring, allocating with the cap,
building the tree and the file, and writing it; what ``planet epoch close`` does between its
chain checks and ``proposeRoot``.
Not timed: seeding a SQLite database with the identities and their week (bulk inserts).

    python -m benchmarks.epoch_close_100k [--accounts N] [--seed S] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from eth_utils import keccak
from sqlalchemy import Engine, insert

from planet.core.epochs import EpochCalendar
from planet.rewards import scoring
from planet.rewards.close import build, collect_for, relative_path, write_atomically
from planet.store import MIRROR, OFFCHAIN, make_engine, migrate
from planet.store.mirror import attestations, identities
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
POOL = 10**24
VAULT = "0x" + "cd" * 20


def _rows(engine: Engine, table: object, rows: list[dict[str, object]]) -> None:
    with engine.begin() as conn:
        for i in range(0, len(rows), 50_000):
            conn.execute(insert(table), rows[i : i + 50_000])  # type: ignore[arg-type]


def seed(engine: Engine, accounts: int, rng: random.Random) -> None:
    """``accounts`` identities (most with history), one post each, and a week of views, likes,
    comments, live attendance, attributed fills and attestations among them (plus some noise
    that must not count: self-likes, revoked points, unattributed fills, paper fills)."""
    calendar = EpochCalendar(GENESIS)
    start = calendar.start(EPOCH)

    def at() -> int:
        return start + rng.randrange(7 * 24 * 3600)

    tokens = range(1, accounts + 1)
    owners = {t: "0x" + keccak(t.to_bytes(8, "big"))[:20].hex() for t in tokens}
    _rows(engine, identities, [
        {"chain_id": CHAIN_ID, "token_id": t, "owner": owners[t], "handle": f"u{t}",
         "metadata_uri": "", "metadata_hash": "0x" + "00" * 32, "recovery": "0x" + "00" * 20,
         "verified": False, "labels": 0, "relayer": owners[t], "registered_block": 1,
         "registered_tx": "0x" + "11" * 32, "updated_block": 1}
        for t in tokens
    ])  # fmt: skip
    _rows(engine, posts, [
        {"id": t, "chain_id": CHAIN_ID, "author_token_id": t, "author_address": owners[t],
         "body": "gm", "instruments": [], "created_at": start, "view_count": 0,
         "like_count": 0, "comment_count": 0, "visibility": "public"}
        for t in tokens
    ])  # fmt: skip

    def pairs(per_post: int) -> list[tuple[int, int]]:
        seen = set()
        for post in tokens:
            for _ in range(rng.randrange(per_post * 2 + 1)):
                seen.add((post, rng.randrange(1, accounts + 1)))  # self included: must not count
        return sorted(seen)

    _rows(engine, post_views, [
        {"post_id": p, "token_id": u, "first_viewed_at": at()} for p, u in pairs(5)
    ])  # fmt: skip
    # history: nine in ten identities were around a month before (the published formula's
    # trust flows from identities first seen at least two weeks before the week)
    old_post, long_ago = accounts + 1, start - 30 * 24 * 3600
    _rows(engine, posts, [
        {"id": old_post, "chain_id": CHAIN_ID, "author_token_id": 1, "author_address": owners[1],
         "body": "gm", "instruments": [], "created_at": long_ago, "view_count": 0,
         "like_count": 0, "comment_count": 0, "visibility": "public"}
    ])  # fmt: skip
    _rows(engine, post_views, [
        {"post_id": old_post, "token_id": t, "first_viewed_at": long_ago}
        for t in tokens if rng.random() < 0.9
    ])  # fmt: skip
    _rows(engine, post_likes, [
        {"post_id": p, "token_id": u, "created_at": at()} for p, u in pairs(3)
    ])  # fmt: skip
    _rows(engine, comments, [
        {"post_id": p, "chain_id": CHAIN_ID, "author_token_id": u, "author_address": owners[u],
         "body": "nice", "created_at": at()}
        for p, u in pairs(1)
    ])  # fmt: skip
    _rows(engine, attestations, [
        {"chain_id": CHAIN_ID, "uid": "0x" + f"{i:064x}", "account": owners[t], "epoch": EPOCH,
         "kind": 0, "amount": rng.randrange(1, 100), "attester": "0x" + "aa" * 20,
         "submitter": owners[t], "block_number": 1, "log_index": i, "tx_hash": "0x" + "22" * 32,
         "revoked": i % 20 == 0}
        for i, t in enumerate(tokens)
    ])  # fmt: skip
    hosts = rng.sample(list(tokens), accounts // 10)
    _rows(engine, live_sessions, [
        {"id": i, "chain_id": CHAIN_ID, "host_token_id": h, "host_address": owners[h],
         "title": "live", "description": "", "visibility": "public", "scheduled_at": start,
         "started_at": start, "created_at": start}
        for i, h in enumerate(hosts, 1)
    ])  # fmt: skip
    attendance = {(rng.randrange(1, len(hosts) + 1), rng.randrange(1, accounts + 1))
                  for _ in range(accounts // 2)}  # fmt: skip
    _rows(engine, live_attendance, [
        {"session_id": s, "token_id": u, "joined_at": at()} for s, u in sorted(attendance)
    ])  # fmt: skip
    # one order a fill, placed from the creator's post (post id = token id); a tenth on paper
    trades = [
        (i, rng.randrange(1, accounts + 1), rng.randrange(1, accounts + 1),
         "paper" if rng.random() < 0.1 else "okx", at())
        for i in range(1, accounts // 2 + 1)
    ]  # fmt: skip
    _rows(engine, orders, [
        {"id": i, "chain_id": CHAIN_ID, "post_id": creator, "creator_token_id": creator,
         "trader_token_id": trader, "trader_address": owners[trader], "instrument": "BTC-USDT",
         "side": "buy", "order_type": "market", "size": "1", "exchange": exchange,
         "client_order_id": f"b{i}", "status": "filled", "created_at": when}
        for i, creator, trader, exchange, when in trades
    ])  # fmt: skip
    _rows(engine, fills, [
        {"chain_id": CHAIN_ID, "order_id": i, "exchange": exchange, "exchange_fill_id": f"f{i}",
         "price": "1", "size": "1", "notional_micro": rng.randrange(10**6, 10**10), "fee": "0",
         "post_id": creator, "creator_token_id": creator, "trader_token_id": trader,
         "attributed": creator != trader and rng.random() < 0.9, "filled_at": when}
        for i, creator, trader, exchange, when in trades
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="Write the database and the file here.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        where = args.keep or Path(scratch)
        where.mkdir(parents=True, exist_ok=True)
        engine = make_engine(f"sqlite:///{where / 'bench.sqlite'}")
        migrate(engine, MIRROR)
        migrate(engine, OFFCHAIN)
        began = time.perf_counter()
        seed(engine, args.accounts, random.Random(args.seed))
        print(f"seeded {args.accounts} identities in {time.perf_counter() - began:.1f} s")

        config = scoring.load(ROOT / scoring.DEFAULT_PATH)
        formula = config.for_epoch(EPOCH)
        marks = [time.perf_counter()]
        with engine.connect() as conn:
            inputs = collect_for(conn, CHAIN_ID, EpochCalendar(GENESIS), EPOCH, config)
        marks.append(time.perf_counter())
        distribution = build(inputs, formula, POOL, VAULT)
        marks.append(time.perf_counter())
        path = where / "out" / relative_path(CHAIN_ID, EPOCH)
        staged = write_atomically(distribution.to_bytes(), path)
        staged.replace(path)
        marks.append(time.perf_counter())
        engine.dispose()

        accounts = len(distribution.data["allocations"])
        print(
            f"accounts={accounts} total={distribution.total} inputs_s={marks[1] - marks[0]:.2f} "
            f"score_allocate_build_s={marks[2] - marks[1]:.2f} write_s={marks[3] - marks[2]:.2f} "
            f"file_mb={path.stat().st_size / 1e6:.1f}"
        )
        print(f"epoch_close_100k: s={marks[3] - marks[0]:.2f}")


if __name__ == "__main__":
    main()
