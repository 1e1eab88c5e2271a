"""API throughput and latency under load, against the API's own ceiling on the same server.

    python -m benchmarks.api_load [--workers 4] [--connections 8] [--seconds 15] [--rounds 3]
                                  [--database-url URL]

Seeds a database (SQLite in a temporary folder unless ``--database-url`` names an empty one)
with 10,000 mirrored identities (with points), 100,000 posts (a tenth private), 1,000,000
interactions (likes, per-identity views, comments) and 2,000 live sessions (ended, live and
scheduled, a tenth private, with attendees and chat), plus one creator's lifetime pass held by
a reader; serves the API with ``python -m api --workers N`` (uvicorn); then drives it over
loopback from a separate load-generating process (:mod:`benchmarks.http_load`) with a fixed
number of keep-alive connections, one route at a time, in interleaved rounds:

* ``ceiling``: ``GET /health``, a constant answer from the same server, through the same
  middleware and rate-limit dependency as every route;
* ``feed``: ``GET /posts`` (the public feed's first page);
* ``profile``: ``GET /profiles/{handle}`` (identity, persona, points);
* ``gated_post``: ``GET /posts/{id}`` of a private post, as a pass holder (the pass check runs;
  checked first: 200 for the holder, 401 anonymous, 403 ``pass_required`` without the pass);
* ``live``: ``GET /live`` (the live-session listing);
* ``following``: ``GET /posts?following=1``, the reader's feed of the creators it follows;
* ``search``: ``GET /search?q=eth``, posts and profiles, as the pass holder (so its private
  matches are searched too); a tenth of the posts hold the word.
* ``notifications``: ``GET /notifications`` as the pass holder (the first page of the newest
  of 200,000 notifications, 5,000 of them the holder's, with the unread count).

Besides the interactions, every identity follows ``FOLLOWS_EACH`` others and the reader follows
``READER_FOLLOWS`` creators.

Each prints req/s and p50/p99 over its rounds; the last line is fixed:
``api: ceiling_rps=N feed_rps=N feed_vs_ceiling=R worst_p99_ms=N``.
Not a test: it takes minutes and its numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, Table, insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from tqdm import tqdm

from api.services import auth
from api.settings import ApiSettings
from benchmarks import http_load
from planet.core.epochs import EPOCH_DURATION
from planet.store import MIRROR, OFFCHAIN, DatabaseError, fulltext, make_engine, migrate
from planet.store.mirror import (
    epoch_point_balances,
    identities,
    pass_holdings,
    passes,
    point_balances,
)
from planet.store.offchain import (
    comments,
    follows,
    live_attendance,
    live_messages,
    live_sessions,
    notifications,
    personas,
    post_likes,
    post_views,
    posts,
)

CHAIN_ID = 31337
DOMAIN = "127.0.0.1:8000"
SECRET = "benchmark-session-secret-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[1]
NOW = int(time.time())
GENESIS = NOW - 10 * EPOCH_DURATION - 3600
CHUNK = 20_000
LIVE_SESSIONS = 2_000
CREATOR, READER, OUTSIDER = 1, 2, 3  # identity token ids (and wallets: address(n))
GATED_POST = 10  # every tenth post is private; this one is the creator's
FOLLOWS_EACH = 10  # follows per identity
READER_FOLLOWS = 200  # creators the reader follows (its following feed)
# one of these words in each post, in turn (three posts each, so public and private posts
# share each word): the search route looks for the first
TOPICS = ("eth", "btc", "okb", "sol", "macro", "rates", "options", "funding", "airdrop", "defi")
SEARCH = "/search?q=eth"

Pair = tuple[int, int]


@dataclass(frozen=True)
class Seeded:
    handle: str  # the profile the benchmark reads
    gated_post: int
    reader_token: str  # a session of a wallet holding the creator's pass
    outsider_token: str  # a session of a wallet with an identity but no pass


def address(n: int) -> str:
    return "0x" + n.to_bytes(20, "big").hex()


def _chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _load(engine: Engine, table: Table, rows: Iterator[dict[str, Any]]) -> None:
    with tqdm(desc=f"seed {table.name}", unit="row", leave=False) as bar:
        for batch in _chunks(rows):
            with engine.begin() as conn:
                conn.execute(insert(table), batch)
            bar.update(len(batch))


def seed(engine: Engine, identities_n: int, posts_n: int, interactions_n: int) -> Seeded:
    """Fills the database as the indexer and the API would have; returns what the routes need."""
    rng = random.Random(7)
    zero_hash = "0x" + "00" * 32
    epoch = (NOW - GENESIS) // EPOCH_DURATION
    _load(engine, identities, (_identity(t, zero_hash) for t in range(1, identities_n + 1)))
    _load(
        engine,
        personas,
        (
            {
                "chain_id": CHAIN_ID,
                "token_id": t,
                "bio": f"bio of user {t}",
                "avatar_url": None,
                "links": [f"https://planet.example/u/{t}"],
                "pinned_post_ids": [],
                "updated_at": NOW,
            }
            for t in range(1, identities_n + 1)
        ),
    )
    _load(
        engine,
        point_balances,
        (
            {"chain_id": CHAIN_ID, "account": address(t), "balance": t % 500 * 10}
            for t in range(1, identities_n + 1)
        ),
    )
    _load(
        engine,
        epoch_point_balances,
        (
            {"chain_id": CHAIN_ID, "epoch": epoch, "account": address(t), "balance": t % 50}
            for t in range(1, identities_n + 1)
        ),
    )

    # Interactions first, so each post is written once with its counters already right: half
    # likes, three tenths per-identity views, a fifth comments; likes and views are distinct
    # (post, identity) pairs, as the tables' keys require.
    like_n, view_n = interactions_n // 2, interactions_n * 3 // 10
    comment_n = interactions_n - like_n - view_n
    like_pairs = _distinct_pairs(like_n, posts_n, identities_n, salt=1)
    view_pairs = _distinct_pairs(view_n, posts_n, identities_n, salt=2)
    comment_pairs = [
        (rng.randint(1, posts_n), rng.randint(1, identities_n)) for _ in range(comment_n)
    ]
    likes = Counter(p for p, _ in like_pairs)
    views = Counter(p for p, _ in view_pairs)
    comment_counts = Counter(p for p, _ in comment_pairs)
    # Every tenth post is private. Identity 1 is the creator whose community the gated route
    # reads: it writes post 10.
    authors = [rng.randint(2, identities_n) for _ in range(posts_n)]
    authors[GATED_POST - 1] = CREATOR
    _load(
        engine,
        posts,
        (
            {
                "id": i,
                "chain_id": CHAIN_ID,
                "author_token_id": authors[i - 1],
                "author_address": address(authors[i - 1]),
                "body": f"post {i}: {TOPICS[i // 3 % len(TOPICS)]} " + "gm " * rng.randint(5, 60),
                "instruments": ["BTC-USDT"] if i % 11 == 0 else [],
                "holds_position": (i % 2 == 0) if i % 11 == 0 else None,
                "sponsored": False if i % 11 == 0 else None,
                "created_at": NOW - (posts_n - i) * 5,
                "view_count": views[i] + 3 * likes[i],  # anonymous views count too
                "like_count": likes[i],
                "comment_count": comment_counts[i],
                "visibility": "private" if i % 10 == 0 else "public",
            }
            for i in range(1, posts_n + 1)
        ),
    )
    _load(
        engine,
        post_likes,
        ({"post_id": p, "token_id": t, "created_at": NOW} for p, t in like_pairs),
    )
    _load(
        engine,
        post_views,
        ({"post_id": p, "token_id": t, "first_viewed_at": NOW} for p, t in view_pairs),
    )
    _load(
        engine,
        comments,
        (
            {
                "chain_id": CHAIN_ID,
                "post_id": p,
                "author_token_id": t,
                "author_address": address(t),
                "body": f"comment {n}",
                "created_at": NOW - comment_n + n,
            }
            for n, (p, t) in enumerate(comment_pairs)
        ),
    )
    _seed_follows(engine, identities_n, rng)
    _seed_live(engine, identities_n, rng)
    _seed_pass(engine, zero_hash)
    with engine.begin() as conn:
        fulltext.rebuild(conn)  # the rows above bypassed the API's write path
    _seed_notifications(engine, identities_n, posts_n, rng)
    _analyze(engine)
    # Sessions as POST /auth/verify opens them: a token and its row (the server checks both)
    settings = ApiSettings(session_secret=SECRET, chain_id=CHAIN_ID, siwe_domain=DOMAIN)
    with engine.begin() as conn:
        signed_in = [
            auth.open_session(conn, settings, address(who), NOW, NOW + 24 * 3600)
            for who in (READER, OUTSIDER)
        ]
    (reader_token, _), (outsider_token, _) = signed_in
    return Seeded(
        handle=f"user_{OUTSIDER}",
        gated_post=GATED_POST,
        reader_token=reader_token,
        outsider_token=outsider_token,
    )


def _identity(t: int, zero_hash: str) -> dict[str, Any]:
    return {
        "chain_id": CHAIN_ID,
        "token_id": t,
        "owner": address(t),
        "handle": f"user_{t}",
        "metadata_uri": f"https://planet.example/u/{t}",
        "metadata_hash": zero_hash,
        "recovery": address(0),
        "verified": t % 7 == 0,
        "labels": t % 16,
        "relayer": address(0),
        "registered_block": 1,
        "registered_tx": zero_hash,
        "updated_block": 1,
    }


def _distinct_pairs(count: int, posts_n: int, identities_n: int, salt: int) -> list[Pair]:
    pick = random.Random(salt)
    seen: set[Pair] = set()
    while len(seen) < count:
        seen.add((pick.randint(1, posts_n), pick.randint(1, identities_n)))
    return sorted(seen)


def _seed_follows(engine: Engine, identities_n: int, rng: random.Random) -> None:
    """Every identity follows ``FOLLOWS_EACH`` others; the reader ``READER_FOLLOWS``."""
    pairs: set[Pair] = set()
    for follower in range(1, identities_n + 1):
        wanted = READER_FOLLOWS if follower == READER else FOLLOWS_EACH
        picked = set(rng.sample(range(1, identities_n + 1), min(wanted + 1, identities_n)))
        pairs |= {(follower, f) for f in sorted(picked - {follower})[:wanted]}
    _load(
        engine,
        follows,
        (
            {
                "chain_id": CHAIN_ID,
                "follower_token_id": a,
                "followee_token_id": b,
                "created_at": NOW,
            }
            for a, b in sorted(pairs)
        ),
    )


def _seed_live(engine: Engine, identities_n: int, rng: random.Random) -> None:
    """Live sessions newest last: the oldest ended, a few live, the newest scheduled; one in
    ten private (the listing then filters by access); attendees and chat on the ended and live
    ones, so the listing's counts have rows to count."""
    ended_n, live_n = LIVE_SESSIONS * 8 // 10, 20
    sessions: list[dict[str, Any]] = []
    for s in range(1, LIVE_SESSIONS + 1):
        host = rng.randint(2, identities_n)
        scheduled = NOW - (LIVE_SESSIONS - s) * 600
        started = scheduled if s <= ended_n + live_n else None
        sessions.append(
            {
                "id": s,
                "chain_id": CHAIN_ID,
                "host_token_id": host,
                "host_address": address(host),
                "title": f"live {s}",
                "description": "markets, weekly",
                "visibility": "private" if s % 10 == 0 else "public",
                "scheduled_at": scheduled if started else NOW + s * 60,
                "started_at": started,
                "ended_at": scheduled + 3600 if s <= ended_n else None,
                "created_at": scheduled - 86_400,
            }
        )
    _load(engine, live_sessions, iter(sessions))
    held = [s["id"] for s in sessions if s["started_at"] is not None]
    attendance = {(sid, rng.randint(1, identities_n)) for sid in held for _ in range(10)}
    _load(
        engine,
        live_attendance,
        ({"session_id": sid, "token_id": t, "joined_at": NOW} for sid, t in sorted(attendance)),
    )
    _load(
        engine,
        live_messages,
        (
            {
                "session_id": sid,
                "token_id": t,
                "author_address": address(t),
                "body": "gm",
                "created_at": NOW,
            }
            for sid, t in sorted(attendance)
            for _ in range(3)
        ),
    )


def _seed_pass(engine: Engine, zero_hash: str) -> None:
    """The creator sells one lifetime pass; the reader's wallet holds one, the outsider's none."""
    with engine.begin() as conn:
        conn.execute(
            insert(passes),
            {
                "chain_id": CHAIN_ID,
                "pass_id": 1,
                "creator": address(CREATOR),
                "currency": address(0),
                "price": 10**18,
                "max_supply": 2**64 - 1,
                "wallet_limit": 0,
                "duration": 0,
                "transferable": False,
                "royalty_bps": 0,
                "fee_bps": 250,
                "paused": False,
                "minted": 1,
                "uri": "",
                "created_block": 1,
                "created_tx": zero_hash,
                "updated_block": 1,
            },
        )
        conn.execute(
            insert(pass_holdings),
            {
                "chain_id": CHAIN_ID,
                "pass_id": 1,
                "holder": address(READER),
                "balance": 1,
                "minted": 1,
                "expiry": 0,
                "updated_block": 1,
            },
        )


NOTIFICATIONS, READERS_NOTIFICATIONS = 200_000, 5_000


def _seed_notifications(
    engine: Engine, identities_n: int, posts_n: int, rng: random.Random
) -> None:
    """Followers told of posts, authors of likes and comments: the reader's 5,000 among
    200,000 (a third of them read), so the list reads one identity's rows out of many."""

    def row(n: int) -> dict[str, Any]:
        recipient = READER if n % (NOTIFICATIONS // READERS_NOTIFICATIONS) == 0 else None
        recipient = recipient or rng.randint(3, identities_n)
        kind = ("post", "like", "comment")[n % 3]
        post_id = rng.randint(1, posts_n)
        return {
            "chain_id": CHAIN_ID,
            "recipient_token_id": recipient,
            "kind": kind,
            "dedupe_key": f"{kind}:{post_id}:{n}",
            "actor_token_id": rng.randint(3, identities_n),
            "post_id": post_id,
            "comment_id": None,
            "session_id": None,
            "data": {},
            "created_at": NOW - NOTIFICATIONS + n,
            "read_at": NOW if n % 3 == 0 else None,
        }

    _load(engine, notifications, (row(n) for n in range(1, NOTIFICATIONS + 1)))


def _analyze(engine: Engine) -> None:
    """Table statistics, as a database that grew to this size would have (PostgreSQL's
    autovacuum; SQLite's ``ANALYZE``), so the planners pick the indexes a live server would."""
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(database_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PLANET_API_DATABASE_URL": database_url,
        "PLANET_API_SESSION_SECRET": SECRET,
        "PLANET_API_CHAIN_ID": str(CHAIN_ID),
        "PLANET_API_SIWE_DOMAIN": DOMAIN,
        "PLANET_API_GENESIS": str(GENESIS),  # so profiles read this epoch's points too
        # The benchmark is one client hammering the server: lift the per-IP and per-wallet
        # limits so they measure the route, not the throttle.
        "PLANET_API_RATE_LIMIT_IP": "1e12",
        "PLANET_API_RATE_LIMIT_IDENTITY": "1e12",
        "PLANET_API_RATE_LIMIT_BURST": "1000000000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stderr.read() if server.stderr else b""
            said = output.decode().strip().splitlines() or ["no output"]
            raise SystemExit(f"Error: the API exited: {said[-1]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("Error: the API did not answer /health within 60 s")


def drive(
    url: str, headers: dict[str, str], connections: int, seconds: float, warmup: float
) -> dict[str, Any]:
    """Runs :mod:`benchmarks.http_load` in its own process against ``url``."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.http_load",
        "--url",
        url,
        "--connections",
        str(connections),
        "--seconds",
        str(seconds),
        "--warmup",
        str(warmup),
        "--latencies",
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = done.stderr.strip().splitlines() or ["no output"]
        raise SystemExit(f"Error: the load generator failed: {said[-1]}")
    return json.loads(done.stdout)


@dataclass
class Tally:
    """One route's runs merged: requests over measured seconds, percentiles over all."""

    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    def add(self, run: dict[str, Any], seconds: float) -> None:
        self.seconds += seconds
        self.latencies_ms += run["latencies_ms"]

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def percentiles(self) -> dict[str, float]:
        return http_load.percentiles(sorted(self.latencies_ms))


def check_gate(base: str, path: str, seeded: Seeded) -> None:
    """The gated post really is gated: the pass holder reads it, an anonymous reader gets 401
    and a signed-in wallet without the pass 403 ``pass_required``."""
    expected = [
        ("the pass holder", seeded.reader_token, 200, None),
        ("an anonymous reader", None, 401, "not_authenticated"),
        ("a wallet without the pass", seeded.outsider_token, 403, "pass_required"),
    ]
    for who, token, status, code in expected:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = httpx.get(base + path, headers=headers, timeout=10)
        got = answer.json().get("error", {}).get("code") if answer.status_code >= 400 else None
        if answer.status_code != status or got != code:
            raise SystemExit(
                f"Error: {path} for {who} answered {answer.status_code} {got or ''}, "
                f"expected {status} {code or ''}"
            )


def check_search(base: str, seeded: Seeded) -> None:
    """Search finds the gated post (private, "post 10: sol ...") for the pass holder and for no
    wallet without the pass: every page of ``q=10 sol`` is read for each."""
    for who, token, expected in (
        ("the pass holder", seeded.reader_token, True),
        ("a wallet without the pass", seeded.outsider_token, False),
    ):
        seen: list[dict[str, Any]] = []
        params: dict[str, str | int] = {"q": "10 sol", "type": "posts", "limit": 50}
        while True:
            answer = httpx.get(
                base + "/search",
                params=params,
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ).json()
            seen += answer["posts"]
            if answer["posts_next_cursor"] is None:
                break
            params["cursor"] = answer["posts_next_cursor"]
        private = {p["id"] for p in seen if p["visibility"] == "private"}
        if private != ({seeded.gated_post} if expected else set()):
            raise SystemExit(f"Error: search showed {who} the private posts {sorted(private)}")


def settle(engine: Engine) -> None:
    """PostgreSQL: vacuums and analyzes what was just seeded, as a database in service has
    been. Otherwise autovacuum runs on the fresh million-row tables while routes are measured,
    and until it has, the planner has no statistics and a count over an index still visits
    every row's heap page."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def prepare(url: str, identities_n: int, posts_n: int, interactions_n: int) -> Seeded:
    """Migrates and seeds ``url``; a database that cannot be used stops with one line."""
    try:
        engine = make_engine(url)
        migrate(engine, MIRROR)
        migrate(engine, OFFCHAIN)
        try:
            seeded = seed(engine, identities_n, posts_n, interactions_n)
            settle(engine)
            return seeded
        finally:
            engine.dispose()
    except IntegrityError:
        raise SystemExit(f"Error: {url} already holds data; give an empty database") from None
    except DatabaseError as err:
        raise SystemExit(f"Error: {err}") from None
    except SQLAlchemyError as err:
        first = str(getattr(err, "orig", None) or err).strip().splitlines() or [repr(err)]
        raise SystemExit(f"Error: {url}: {first[0]}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="seed and serve this (empty) database")
    parser.add_argument("--workers", type=int, default=4, help="uvicorn worker processes")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument(
        "--seconds", type=float, default=15.0, help="measured seconds per route, over all rounds"
    )
    parser.add_argument("--rounds", type=int, default=3, help="times each route is driven")
    parser.add_argument("--identities", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="planet-api-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        started = time.perf_counter()
        seeded = prepare(url, args.identities, args.posts, args.interactions)
        print(
            f"seeded {args.identities} identities, {args.posts} posts, "
            f"{args.interactions} interactions, {LIVE_SESSIONS} live sessions "
            f"in {time.perf_counter() - started:.1f} s"
        )
        results = measure(url, seeded, args.workers, args.connections, args.seconds, args.rounds)
    ceiling, feed = results["ceiling"]["rps"], results["feed"]["rps"]
    worst = max(r["p99_ms"] for r in results.values())
    print(
        f"api: ceiling_rps={ceiling:.0f} feed_rps={feed:.0f} "
        f"feed_vs_ceiling={feed / ceiling:.2f} worst_p99_ms={worst:.1f}"
    )


def measure(
    url: str,
    seeded: Seeded,
    workers: int,
    connections: int,
    seconds: float,
    rounds: int,
) -> dict[str, dict[str, float]]:
    """Serves ``url`` and drives the routes in turn, ``rounds`` times round (so a neighbour's
    burst on a shared machine falls on every route alike, not on one); prints a line per route
    with its runs merged."""
    port = free_port()
    server = serve(url, port, workers)
    base = f"http://127.0.0.1:{port}"
    reader = {"Authorization": f"Bearer {seeded.reader_token}"}
    gated = f"/posts/{seeded.gated_post}"
    routes: list[tuple[str, str, dict[str, str]]] = [
        ("ceiling", "/health", {}),
        ("feed", "/posts", {}),
        ("profile", f"/profiles/{seeded.handle}", {}),
        ("gated_post", gated, reader),
        ("live", "/live", {}),
        ("following", "/posts?following=1", reader),
        ("search", SEARCH, reader),
        ("notifications", "/notifications", reader),
    ]
    per_run = seconds / rounds
    print(f"workers={workers} connections={connections} seconds={seconds:g} rounds={rounds}")
    tallies = {name: Tally() for name, _, _ in routes}
    try:
        check_gate(base, gated, seeded)
        check_search(base, seeded)
        for name, path, headers in routes:
            check = httpx.get(base + path, headers=headers, timeout=10)
            if check.status_code != 200:
                raise SystemExit(f"Error: {name} {path} answered {check.status_code}")
        for _ in range(rounds):
            for name, path, headers in routes:
                run = drive(base + path, headers, connections, per_run, warmup=1.0)
                if run["errors"]:
                    raise SystemExit(
                        f"Error: {name} {path}: {run['errors']} failed requests "
                        f"(first: {run['first_error']})"
                    )
                tallies[name].add(run, per_run)
    finally:
        server.terminate()
        server.wait(timeout=30)
    results: dict[str, dict[str, float]] = {}
    for name, path, _ in routes:
        tally = tallies[name]
        results[name] = result = {"rps": tally.rps, **tally.percentiles()}
        print(
            f"{name:<13} {path:<24} rps={result['rps']:8.0f} "
            f"p50_ms={result['p50_ms']:6.1f} p99_ms={result['p99_ms']:6.1f} errors=0"
        )
    return results


if __name__ == "__main__":
    main()
