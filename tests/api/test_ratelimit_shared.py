"""Rate limits shared by every API process through Redis: two apps (two workers) on one Redis
let through one burst between them, not one each; without Redis each keeps its own; with Redis
down they fall back to limiting per process instead of failing."""

from __future__ import annotations

import secrets

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from tests.support.api import SECRET
from tests.support.ports import free_port

REDIS = "redis://127.0.0.1:6379/0"


def workers(database_url: str, redis_url: str | None) -> list[TestClient]:
    prefix = f"planet-test-{secrets.token_hex(4)}"  # a bucket space of this test's own
    settings = ApiSettings(
        database_url=database_url,
        session_secret=SECRET,
        rate_limit_ip=30,
        rate_limit_burst=5,
        redis_url=redis_url,
        redis_channel_prefix=prefix,
    )
    return [TestClient(create_app(settings)) for _ in range(2)]


def statuses(clients: list[TestClient], requests: int) -> list[int]:
    return [clients[n % 2].get("/posts").status_code for n in range(requests)]


def test_two_workers_on_one_redis_share_one_limit(database_url):
    answered = statuses(workers(database_url, REDIS), 12)
    assert answered.count(200) == 5 and answered.count(429) == 7


def test_the_refusal_says_when_to_retry(database_url):
    clients = workers(database_url, REDIS)
    statuses(clients, 5)
    refused = clients[1].get("/posts")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 2  # 30 a minute: one token per 2 s


def test_without_redis_each_worker_has_its_own_buckets(database_url):
    answered = statuses(workers(database_url, None), 12)
    assert answered.count(200) == 10


def test_redis_down_falls_back_to_per_process_limits(database_url):
    down = f"redis://127.0.0.1:{free_port()}/0"
    answered = statuses(workers(database_url, down), 12)
    assert answered.count(200) == 10 and answered.count(429) == 2
