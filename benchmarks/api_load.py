"""API throughput and latency under load, against the API's own ceiling on the same server.

    python -m benchmarks.api_load [--workers 2] [--seconds 10] [--database-url URL]

Seeds a database (SQLite in a temporary folder unless ``--database-url``) with 10,000 mirrored
identities, 100,000 posts (a tenth private), 1,000,000 interactions (likes, per-identity
views, comments) and 2,000 live sessions, plus one creator's lifetime pass held by a reader;
serves the API with ``python -m api --workers N`` (uvicorn); then drives it over loopback from a
separate load-generating process (:mod:`benchmarks.http_load`), one route at a time:

* ``ceiling``: ``GET /health``, a constant answer from the same server, through the same
  middleware and rate-limit dependency as every route;
* ``feed``: ``GET /posts`` (the public feed's first page);
* ``profile``: ``GET /profiles/{handle}`` (identity, persona, points);
* ``gated_post``: ``GET /posts/{id}`` of a private post, as a pass holder (the pass check runs);
* ``live``: ``GET /live`` (the live-session listing).

Each prints req/s and p50/p99; the last line is fixed:
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, Table, bindparam, insert, update
from tqdm import tqdm

from api.db import migrate as migrate_api
from api.models import comments, live_sessions, personas, post_likes, post_views, posts
from api.services import tokens
from indexer.db import make_engine
from indexer.db import migrate as migrate_indexer
from indexer.schema import identities, pass_holdings, passes

CHAIN_ID = 31337
SECRET = "benchmark-session-secret-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[1]
NOW = int(time.time())
CHUNK = 20_000


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


def _load(engine: Engine, table: Table, rows: Iterator[dict[str, Any]], total: int) -> None:
    with tqdm(total=total, desc=f"seed {table.name}", unit="row", leave=False) as bar:
        for batch in _chunks(rows):
            with engine.begin() as conn:
                conn.execute(insert(table), batch)
            bar.update(len(batch))


def seed(engine: Engine, identities_n: int, posts_n: int, interactions_n: int) -> dict[str, Any]:
    """Fills the database; returns what the routes need (a handle, a private post, a reader)."""
    rng = random.Random(7)
    zero_hash = "0x" + "00" * 32
    _load(
        engine,
        identities,
        (
            {
                "chain_id": CHAIN_ID,
                "token_id": t,
                "owner": address(t),
                "handle": f"user_{t}",
                "metadata_uri": f"https://planet.example/u/{t}",
                "metadata_hash": zero_hash,
                "recovery": address(0),
                "verified": t % 7 == 0,
                "labels": 0,
                "relayer": address(0),
                "registered_block": 1,
                "registered_tx": zero_hash,
                "updated_block": 1,
            }
            for t in range(1, identities_n + 1)
        ),
        identities_n,
    )
    _load(
        engine,
        personas,
        (
            {
                "chain_id": CHAIN_ID,
                "token_id": t,
                "bio": f"bio of user {t}",
                "avatar_url": None,
                "links": [],
                "pinned_post_ids": [],
                "updated_at": NOW,
            }
            for t in range(1, identities_n + 1)
        ),
        identities_n,
    )
    authors = [rng.randint(1, identities_n) for _ in range(posts_n)]
    _load(
        engine,
        posts,
        (
            {
                "id": i,
                "chain_id": CHAIN_ID,
                "author_token_id": authors[i - 1],
                "author_address": address(authors[i - 1]),
                "body": f"post {i}: " + "gm " * rng.randint(5, 60),
                "instruments": ["BTC-USDT"] if i % 11 == 0 else [],
                "holds_position": (i % 2 == 0) if i % 11 == 0 else None,
                "sponsored": False if i % 11 == 0 else None,
                "created_at": NOW - (posts_n - i) * 5,
                "view_count": 0,
                "like_count": 0,
                "comment_count": 0,
                "visibility": "private" if i % 10 == 0 else "public",
            }
            for i in range(1, posts_n + 1)
        ),
        posts_n,
    )
    # Interactions: half likes, three tenths per-identity views, a fifth comments; distinct
    # (post, identity) pairs for likes and views, as the API's keys require.
    like_n, view_n = interactions_n // 2, interactions_n * 3 // 10
    comment_n = interactions_n - like_n - view_n

    def pairs(count: int, salt: int) -> Iterator[tuple[int, int]]:
        seen: set[tuple[int, int]] = set()
        pick = random.Random(salt)
        while len(seen) < count:
            pair = (pick.randint(1, posts_n), pick.randint(1, identities_n))
            if pair not in seen:
                seen.add(pair)
                yield pair

    likes: dict[int, int] = {}
    views: dict[int, int] = {}
    comment_counts: dict[int, int] = {}

    def like_rows() -> Iterator[dict[str, Any]]:
        for post_id, token in pairs(like_n, 1):
            likes[post_id] = likes.get(post_id, 0) + 1
            yield {"post_id": post_id, "token_id": token, "created_at": NOW}

    def view_rows() -> Iterator[dict[str, Any]]:
        for post_id, token in pairs(view_n, 2):
            views[post_id] = views.get(post_id, 0) + 1
            yield {"post_id": post_id, "token_id": token, "first_viewed_at": NOW}

    def comment_rows() -> Iterator[dict[str, Any]]:
        for n in range(comment_n):
            post_id, token = rng.randint(1, posts_n), rng.randint(1, identities_n)
            comment_counts[post_id] = comment_counts.get(post_id, 0) + 1
            yield {
                "chain_id": CHAIN_ID,
                "post_id": post_id,
                "author_token_id": token,
                "author_address": address(token),
                "body": f"comment {n}",
                "created_at": NOW,
            }

    _load(engine, post_likes, like_rows(), like_n)
    _load(engine, post_views, view_rows(), view_n)
    _load(engine, comments, comment_rows(), comment_n)
    counted = set(likes) | set(views) | set(comment_counts)
    with engine.begin() as conn:
        conn.execute(
            update(posts).where(posts.c.id == bindparam("pid")),
            [
                {
                    "pid": pid,
                    "like_count": likes.get(pid, 0),
                    "view_count": views.get(pid, 0),
                    "comment_count": comment_counts.get(pid, 0),
                }
                for pid in counted
            ],
        )
    _load(
        engine,
        live_sessions,
        (
            {
                "chain_id": CHAIN_ID,
                "host_token_id": (s % identities_n) + 1,
                "host_address": address((s % identities_n) + 1),
                "title": f"live {s}",
                "description": "",
                "visibility": "public",
                "scheduled_at": NOW + s * 60,
                "started_at": None,
                "ended_at": None,
                "created_at": NOW,
            }
            for s in range(2_000)
        ),
        2_000,
    )
    # One creator (identity 1) sells a lifetime pass; identity 2's wallet holds one.
    creator, reader = address(1), address(2)
    with engine.begin() as conn:
        conn.execute(
            insert(passes),
            {
                "chain_id": CHAIN_ID,
                "pass_id": 1,
                "creator": creator,
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
                "holder": reader,
                "balance": 1,
                "minted": 1,
                "expiry": 0,
                "updated_block": 1,
            },
        )
        # Post 10 is private (every tenth is); make it the creator's.
        conn.execute(
            update(posts).where(posts.c.id == 10).values(author_token_id=1, author_address=creator)
        )
    token, _ = tokens.issue(SECRET, reader, CHAIN_ID, NOW, 24 * 3600)
    return {"handle": "user_3", "private_post": 10, "reader_token": token}


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
            raise SystemExit(f"error: the API exited: {server.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("error: the API did not answer /health within 60 s")


def drive(url: str, headers: dict[str, str], connections: int, seconds: float) -> dict[str, Any]:
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
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"error: load generator failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="seed and serve this database (default: SQLite)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per route")
    parser.add_argument("--identities", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="planet-api-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        engine = make_engine(url)
        migrate_indexer(engine)
        migrate_api(engine)
        started = time.perf_counter()
        seeded = seed(engine, args.identities, args.posts, args.interactions)
        engine.dispose()
        print(
            f"seeded {args.identities} identities, {args.posts} posts, "
            f"{args.interactions} interactions in {time.perf_counter() - started:.1f} s"
        )
        port = free_port()
        server = serve(url, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        reader = {"Authorization": f"Bearer {seeded['reader_token']}"}
        routes: list[tuple[str, str, dict[str, str]]] = [
            ("ceiling", "/health", {}),
            ("feed", "/posts", {}),
            ("profile", f"/profiles/{seeded['handle']}", {}),
            ("gated_post", f"/posts/{seeded['private_post']}", reader),
            ("live", "/live", {}),
        ]
        results: dict[str, dict[str, Any]] = {}
        try:
            for name, path, headers in routes:
                check = httpx.get(base + path, headers=headers, timeout=10)
                if check.status_code != 200:
                    raise SystemExit(f"error: {name} {path} answered {check.status_code}")
                results[name] = result = drive(base + path, headers, args.connections, args.seconds)
                print(
                    f"{name:<11} {path:<24} rps={result['rps']:8.0f} "
                    f"p50_ms={result['p50_ms']:6.1f} p99_ms={result['p99_ms']:6.1f} "
                    f"errors={result['errors']}"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    ceiling, feed = results["ceiling"]["rps"], results["feed"]["rps"]
    worst = max(r["p99_ms"] for r in results.values())
    print(
        f"api: ceiling_rps={ceiling:.0f} feed_rps={feed:.0f} "
        f"feed_vs_ceiling={feed / ceiling:.2f} worst_p99_ms={worst:.1f}"
    )


if __name__ == "__main__":
    main()
