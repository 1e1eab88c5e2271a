"""Request limits and security headers as the app answers them (the same middleware every
serving process installs; real servers are in test_serving.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from api.json_depth import json_depth_exceeds
from api.settings import ApiSettings
from tests.support.api import SECRET, error
from tests.support.profiles import examples

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:\n'),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\ab'), inner, max_size=3)
    ),
    max_leaves=40,
)


@settings(max_examples=examples(400), deadline=None)
@given(value=json_values, limit=st.integers(0, 12), ascii_only=st.booleans())
def test_the_depth_check_agrees_with_the_parsed_document(
    value: Any, limit: int, ascii_only: bool
) -> None:
    """Brackets inside strings (escaped quotes included) never count; the nesting of arrays
    and objects is exactly what a parser would find."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert json_depth_exceeds(text.encode(), limit) == (depth(value) > limit)


def test_the_depth_check_is_linear_on_hostile_bytes() -> None:
    """Unclosed strings and escapes do not make the scan restart (it would be quadratic)."""
    assert json_depth_exceeds(b"[" * 100_000, 32)
    assert not json_depth_exceeds(b'"\\"' * 300_000 + b"[" * 40, 32)  # all inside a string
    assert json_depth_exceeds(b'["\\\\"' + b"[" * 40, 32)  # the string ended at \\"


def test_deep_json_is_refused_before_any_route_parses_it(client: TestClient) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    for path in ("/auth/verify", "/posts"):
        reply = client.post(path, content=deep, headers={"Content-Type": "application/json"})
        assert error(reply) == (400, "json_too_deep"), path
    shallow = {"message": "x", "signature": "0x00", "padding": [[[[]]]]}
    assert client.post("/auth/verify", json=shallow).status_code == 422  # parsed, then refused


def test_a_body_over_the_limit_is_413_and_closes_the_connection(make_client) -> None:
    client = make_client(max_body_bytes=2048)
    reply = client.post("/auth/verify", json={"message": "x" * 4000, "signature": "0x"})
    assert error(reply) == (413, "payload_too_large")
    assert reply.headers["connection"] == "close"

    def chunks():
        for _ in range(10):
            yield b" " * 1000

    streamed = client.post(
        "/auth/verify", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert error(streamed) == (413, "payload_too_large")
    ok = client.post("/auth/verify", json={"message": "hello", "signature": "0x00"})
    assert error(ok) == (422, "invalid_message")


def test_every_answer_carries_the_security_headers(make_client) -> None:
    client = make_client(max_body_bytes=2048)
    replies = [
        client.get("/health"),
        client.get("/nope"),
        client.get("/openapi.json"),
        client.post("/auth/verify", content=b"x" * 5000),
    ]
    for reply in replies:
        for name, value in SECURITY_HEADERS.items():
            assert reply.headers[name] == value, (reply.request.url, name)
        policy = reply.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def test_x_forwarded_for_names_the_client_only_behind_a_listed_proxy(make_client) -> None:
    def statuses(client: TestClient) -> list[int]:
        return [
            client.get("/health", headers={"X-Forwarded-For": f"10.1.0.{i}"}).status_code
            for i in range(4)
        ]

    limits = {"rate_limit_ip": 60, "rate_limit_burst": 2}
    direct = make_client(**limits)
    assert statuses(direct) == [200, 200, 429, 429]

    proxied = make_client(**limits, trusted_proxies="10.0.0.0/8, 192.168.0.1")
    behind = TestClient(proxied.app, client=("10.0.0.7", 40000))
    assert statuses(behind) == [200, 200, 200, 200]
    outside = TestClient(proxied.app, client=("172.16.0.1", 40000))
    assert statuses(outside) == [200, 200, 429, 429]


@pytest.mark.parametrize("bad", ["localhost", "10.0.0.0/33", "*"])
def test_trusted_proxies_must_be_addresses_or_networks(bad: str) -> None:
    with pytest.raises(ValidationError, match="trusted_proxies"):
        ApiSettings(session_secret=SECRET, trusted_proxies=bad)


def test_the_docs_are_served_from_this_origin_under_the_policy(make_client) -> None:
    """FastAPI's page loaded Swagger UI from a CDN without integrity hashes, started by an
    inline script; this one names only files of this origin."""
    client = make_client(rpc_url="https://testrpc.xlayer.tech/some/path")
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/docs/assets/") for s in sources), sources
    assert "<script>" not in page.text  # no inline script
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 20, source
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    assert client.get("/docs/assets/../app.py").status_code == 404
    assert client.get("/redoc").status_code == 404
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self' 'unsafe-inline'" in policy
    connect = client.get("/health").headers["content-security-policy"]
    assert "connect-src 'self' https://testrpc.xlayer.tech;" in connect
    assert "/docs" not in client.get("/openapi.json").json()["paths"]
