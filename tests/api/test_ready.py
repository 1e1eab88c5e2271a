"""``/ready`` tells the truth: database, migrations, the indexer near the chain's head, Redis;
each failure with its reason, and recovery once fixed. ``planet serve`` refuses an unmigrated
database in one line."""

from __future__ import annotations

import os
import subprocess
import sys

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from planet.store import OFFCHAIN, migrate
from tests.support.api import SECRET
from tests.support.ports import free_port


def app_for(database_url: str, rpc_url: str, **extra: object) -> TestClient:
    settings = ApiSettings(
        database_url=database_url,
        session_secret=SECRET,
        rpc_url=rpc_url,
        distributions_dir=None,
        **extra,
    )
    return TestClient(create_app(settings))


def test_ready_follows_the_indexer_and_says_why_not(
    planet, database_url, settings_for, make_indexer, rpc_url
):
    indexer, engine = make_indexer(settings_for(database_url))
    migrate(engine, OFFCHAIN)
    client = app_for(database_url, rpc_url, ready_max_lag=5)

    reply = client.get("/ready")
    assert reply.status_code == 503
    assert reply.json()["error"]["message"] == "the indexer has not indexed chain 31337"

    indexer.catch_up()
    reply = client.get("/ready")
    assert reply.status_code == 200, reply.json()
    assert reply.json()["status"] == "ready" and reply.json()["checks"]["schema"]["ok"]

    planet.w3.provider.make_request("anvil_mine", [10, 0])  # the indexer stopped; the chain moved
    reply = client.get("/ready")
    assert reply.status_code == 503
    assert reply.json()["error"]["message"].startswith("indexer 10 blocks behind the head")
    assert client.get("/health").json() == {"status": "ok"}  # liveness says nothing of it

    indexer.catch_up()
    assert client.get("/ready").status_code == 200


def test_an_unreachable_chain_or_redis_is_named(database_url, settings_for, make_indexer, rpc_url):
    indexer, engine = make_indexer(settings_for(database_url))
    migrate(engine, OFFCHAIN)
    indexer.catch_up()
    down = f"http://127.0.0.1:{free_port()}"
    reply = app_for(database_url, down).get("/ready")
    assert (reply.status_code, reply.json()["error"]["message"]) == (
        503,
        f"chain unreachable at {down}",
    )
    redis_down = f"redis://127.0.0.1:{free_port()}/0"
    reply = app_for(database_url, rpc_url, redis_url=redis_down).get("/ready")
    assert reply.status_code == 503
    checks = {d["check"]: d for d in reply.json()["error"]["details"]}
    assert checks["redis"]["detail"].startswith("redis unreachable")
    reply = app_for(database_url, rpc_url, redis_url="redis://127.0.0.1:6379/0").get("/ready")
    assert reply.status_code == 200, reply.json()


def test_an_unmigrated_database_is_not_ready_and_serve_refuses_it(empty_database_url, rpc_url):
    reply = app_for(empty_database_url, rpc_url).get("/ready")
    assert reply.status_code == 503
    assert "not migrated: run `planet migrate`" in reply.json()["error"]["message"]

    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANET_API_")}
    env.update(PLANET_API_DATABASE_URL=empty_database_url, PLANET_API_SESSION_SECRET=SECRET)
    planet = os.path.join(os.path.dirname(sys.executable), "planet")
    refused = subprocess.run([planet, "serve"], capture_output=True, text=True, env=env, timeout=60)
    assert refused.returncode == 1
    assert "is not migrated (chain mirror, off-chain): run `planet migrate`" in refused.stderr
    assert "Traceback" not in refused.stderr
