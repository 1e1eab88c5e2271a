"""Schemathesis over the API's own OpenAPI document: no input makes the server fail (500), and
every answer's status, content type and body are the ones the document promises.

The app runs on a migrated database (SQLite and PostgreSQL) seeded with identities, public and
private posts, comments, likes, live sessions with chat, orders on the paper exchange and an
attestation, so generated ids often name real rows and the handlers past the lookups run.
Each backend is fuzzed twice: with a seeded identity's bearer token on every request (past the
401s, into the handlers) and without one (the anonymous and gated paths).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import schemathesis
from eth_account import Account
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from tests.api.conftest import START, add_identity, sign_in

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
PRICES = {"BTC-USDT": "65000", "ETH-USDT": "3500.5"}


@dataclass
class Fuzzed:
    """The app under fuzzing and the headers every generated request carries."""

    schema: schemathesis.BaseSchema
    headers: dict[str, str]


def _ok(reply, status: int = 200) -> dict:
    assert reply.status_code == status, reply.text
    return reply.json()


def seed(client: TestClient, engine: Engine) -> dict[str, dict[str, str]]:
    """A small world for generated ids to land in; returns the session headers by name."""
    people = {name: Account.create(extra_entropy=name) for name in ("alice", "bob", "carol")}
    for name in ("alice", "bob"):
        add_identity(engine, people[name].address, f"{name}_fuzz")
    heads = {name: sign_in(client, account) for name, account in people.items()}
    alice, bob = heads["alice"], heads["bob"]

    tagged = {
        "body": "long BTC",
        "instruments": ["BTC-USDT", "ETH-USDT"],
        "disclosure": {"holds_position": True, "sponsored": False},
    }
    public = _ok(client.post("/posts", json=tagged, headers=alice), 201)["id"]
    private = _ok(
        client.post("/posts", json={**tagged, "visibility": "private"}, headers=alice), 201
    )["id"]
    _ok(client.post("/posts", json={"body": "gm"}, headers=bob), 201)
    for pid in (public, private):
        _ok(client.post(f"/posts/{pid}/comments", json={"body": "nice"}, headers=alice), 201)
        _ok(client.put(f"/posts/{pid}/like", headers=alice))
        _ok(client.post(f"/posts/{pid}/views", headers=alice))
    _ok(client.post(f"/posts/{public}/reports", json={"reason": "spam"}, headers=bob))

    for pid, who in ((public, bob), (public, alice), (private, alice)):
        order = {"instrument": "BTC-USDT", "side": "buy", "type": "market", "size": "0.5"}
        _ok(client.post(f"/posts/{pid}/orders", json=order, headers=who), 201)
    limit = {"instrument": "ETH-USDT", "side": "sell", "type": "limit", "size": "1"}
    _ok(
        client.post(f"/posts/{public}/orders", json={**limit, "limit_price": "9000"}, headers=bob),
        201,
    )

    soon = datetime.fromtimestamp(START + 3600, tz=UTC).isoformat()
    sessions = [
        _ok(
            client.post(
                "/live",
                json={"title": f"session {v}", "scheduled_at": soon, "visibility": v},
                headers=alice,
            ),
            201,
        )["id"]
        for v in ("public", "private", "public")
    ]
    for sid in sessions[:2]:
        _ok(client.post(f"/live/{sid}/start", headers=alice))
        _ok(client.post(f"/live/{sid}/messages", json={"body": "hello"}, headers=alice), 201)

    _ok(client.put("/profiles/me/persona", json={"bio": "fuzzed"}, headers=alice))
    _ok(client.post("/attestations", json={"activity": "post", "id": public}, headers=alice), 201)
    return heads


@pytest.fixture(params=["alice", "anonymous"])
def fuzzed(request, make_client: Callable[..., TestClient], engine: Engine, tmp_path) -> Fuzzed:
    client = make_client(paper_prices=PRICES, distributions_dir=tmp_path / "distributions")
    heads = seed(client, engine)
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    return Fuzzed(schema, heads.get(request.param, {}))


@pytest.fixture
def api_schema(fuzzed: Fuzzed) -> schemathesis.BaseSchema:
    return fuzzed.schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=300, suppress_health_check=list(HealthCheck), deadline=None)
def test_the_openapi_document_matches_what_the_api_answers(case, fuzzed: Fuzzed) -> None:
    r = case.call_and_validate(headers=dict(fuzzed.headers), checks=CHECKS)
    import json as _j

    with open("/tmp/fuzz_hist.jsonl", "a") as f:
        f.write(_j.dumps([case.operation.label, r.status_code, bool(fuzzed.headers)]) + "\n")
