"""The app as a whole: error shape everywhere, OpenAPI, settings validation, the CLI."""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest
from pydantic import ValidationError

from api.settings import ApiSettings
from tests.support.api import SECRET, error

ROUTES = {
    ("get", "/profiles/{handle_or_address}/trading-record"),
    ("post", "/attestations/trading-record"),
    ("get", "/chain"),
    ("get", "/distributions/{chain_id}/epoch-{epoch}.json"),
    ("get", "/passes"),
    ("post", "/orders/{order_id}/cancel"),
    ("put", "/profiles/{handle_or_address}/follow"),
    ("get", "/profiles/{handle_or_address}/follow"),
    ("delete", "/profiles/{handle_or_address}/follow"),
    ("get", "/profiles/{handle_or_address}/followers"),
    ("get", "/profiles/{handle_or_address}/following"),
    ("get", "/passes/{pass_id}"),
    ("get", "/passes/{pass_id}/metadata"),
    ("get", "/passes/{pass_id}/rights/{wallet}"),
    ("get", "/profiles/{handle_or_address}/proceeds"),
    ("get", "/profiles/{handle_or_address}/weeks"),
    ("get", "/profiles/{handle_or_address}/analytics"),
    ("post", "/auth/nonce"),
    ("post", "/auth/verify"),
    ("get", "/auth/me"),
    ("post", "/auth/logout"),
    ("get", "/profiles"),
    ("get", "/search"),
    ("get", "/profiles/{handle_or_address}"),
    ("get", "/profiles/{handle_or_address}/persona"),
    ("put", "/profiles/me/persona"),
    ("get", "/posts"),
    ("post", "/posts"),
    ("get", "/posts/{post_id}"),
    ("post", "/posts/{post_id}/views"),
    ("put", "/posts/{post_id}/like"),
    ("delete", "/posts/{post_id}/like"),
    ("get", "/posts/{post_id}/comments"),
    ("post", "/posts/{post_id}/comments"),
    ("post", "/posts/{post_id}/reports"),
    ("patch", "/posts/{post_id}"),
    ("delete", "/posts/{post_id}"),
    ("get", "/posts/{post_id}/history"),
    ("patch", "/comments/{comment_id}"),
    ("delete", "/comments/{comment_id}"),
    ("get", "/comments/{comment_id}/history"),
    ("post", "/moderation/reports"),
    ("get", "/moderation/role"),
    ("get", "/moderation/queue"),
    ("post", "/moderation/decisions"),
    ("get", "/moderation/decisions"),
    ("get", "/moderation/decisions/mine"),
    ("get", "/communities/{handle}/posts"),
    ("post", "/attestations"),
    ("get", "/attestations/mine"),
    ("get", "/rewards/epochs"),
    ("get", "/rewards/epochs/{epoch}/leaderboard"),
    ("get", "/rewards/epochs/{epoch}/allocations/{address}"),
    ("get", "/rewards/claimable/{address}"),
    ("get", "/rewards/epochs/{epoch}/accounts/{address}"),
    ("get", "/health"),
    ("get", "/ready"),
    ("post", "/posts/{post_id}/orders"),
    ("get", "/posts/{post_id}/trading"),
    ("get", "/orders"),
    ("get", "/orders/{order_id}"),
    ("post", "/orders/{order_id}/sync"),
    ("post", "/live"),
    ("get", "/live"),
    ("get", "/live/{session_id}"),
    ("post", "/live/{session_id}/start"),
    ("post", "/live/{session_id}/end"),
    ("get", "/live/{session_id}/messages"),
    ("post", "/live/{session_id}/messages"),
    ("post", "/live/{session_id}/chat/ticket"),
    ("get", "/notifications"),
    ("post", "/notifications/read"),
    ("get", "/notifications/stream"),
}
STREAMS = {("get", "/notifications/stream")}  # answer text/event-stream, not JSON


def test_openapi_lists_every_route_with_a_model_and_documented_errors(client):
    spec = client.get("/openapi.json").json()
    operations = {
        (method, path): op for path, item in spec["paths"].items() for method, op in item.items()
    }
    assert set(operations) == ROUTES
    for key, op in operations.items():
        ok = next(code for code in op["responses"] if code.startswith("2"))
        media = "text/event-stream" if key in STREAMS else "application/json"
        assert op["responses"][ok]["content"][media], key
        assert op["responses"]["429"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }, key
        no_client_error = (
            "/health",
            "/ready",  # fails only as 503 not_ready (documented)
            "/auth/nonce",
            "/profiles/{handle_or_address}/persona",
            "/rewards/epochs",  # fails only as 503 (documented)
            "/chain",  # likewise
        )
        if key[1] not in no_client_error:
            errors = {c for c in op["responses"] if c.startswith("4") and c != "429"}
            assert errors, f"{key} documents no error response"


def test_openapi_documents_the_pass_gate_on_every_route_naming_a_post(client):
    spec = client.get("/openapi.json").json()
    # editing and deleting a post are its author's alone: no pass is ever asked
    authors = {("patch", "/posts/{post_id}"), ("delete", "/posts/{post_id}")}
    gated = [
        (m, p)
        for m, p in ROUTES - authors
        if p.startswith(("/posts/{post_id}", "/communities/", "/comments/{comment_id}/history"))
    ]
    assert len(gated) == 12
    for method, path in gated:
        forbidden = spec["paths"][path][method]["responses"]["403"]
        assert "pass_required" in forbidden["description"], (method, path)
        assert "pass_expired" in forbidden["description"], (method, path)
        assert forbidden["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }
    post_in = spec["components"]["schemas"]["PostIn"]["properties"]["visibility"]
    assert post_in["enum"] == ["public", "private"] and post_in["default"] == "public"


def test_unknown_routes_and_methods_use_the_error_shape(client):
    assert error(client.get("/nope")) == (404, "not_found")
    assert error(client.delete("/posts")) == (405, "method_not_allowed")


def test_a_malformed_body_is_a_validation_error_with_details(client):
    reply = client.post(
        "/auth/verify", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert error(reply) == (422, "validation_error")
    assert reply.json()["error"]["details"]


def test_an_unexpected_failure_is_500_without_a_trace(make_client):
    client = make_client()
    engine = client.app.state.engine
    client.app.state.engine = None  # every database dependency now fails
    reply = type(client)(client.app, raise_server_exceptions=False).post("/auth/nonce")
    client.app.state.engine = engine
    assert error(reply) == (500, "internal_error")
    assert "Traceback" not in reply.text


def test_settings_refuse_a_short_secret_and_a_bad_key():
    with pytest.raises(ValidationError, match="session_secret"):
        ApiSettings(session_secret="short")
    with pytest.raises(ValidationError, match="attester_private_key"):
        ApiSettings(session_secret=SECRET, attester_private_key="0x1234")


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("s" * 40, "only 1 different characters"),
        ("Tr0ub4dor&3" * 4, "repeats a 11-character pattern"),
        ("abcdefghijklmnopqrstuvwxyz0123456789", "runs of neighbouring characters"),
        ("aaaabbbbccccddddeeeeffffgggghhhhiiii", "runs of neighbouring characters"),
        ("aaaaaaaabbbbbbbbccccccccddddddddefghijklmn"[::-1], "runs of neighbouring"),
        ("acacaeacacgacaciacackacamcacoacqs", "75 bits of entropy"),
    ],
)
def test_a_long_but_guessable_secret_is_refused_naming_the_setting(secret, why, monkeypatch):
    """Length was the only check: "s" * 40 signed sessions."""
    with pytest.raises(ValidationError, match="session_secret") as refused:
        ApiSettings(session_secret=secret)
    assert why in str(refused.value)
    monkeypatch.setenv("PLANET_API_SESSION_SECRET", secret)
    env = {"PATH": "", "PYTHONPATH": ":".join(sys.path), "PLANET_API_SESSION_SECRET": secret}
    failed = subprocess.run(
        [sys.executable, "-m", "api", "migrate"], capture_output=True, text=True, env=env
    )
    assert failed.returncode == 1
    assert "PLANET_API_SESSION_SECRET" in failed.stderr and why in failed.stderr


def test_random_secrets_are_accepted():
    for _ in range(200):
        assert ApiSettings(session_secret=secrets.token_hex(16)).session_secret
        assert ApiSettings(session_secret=secrets.token_urlsafe(32)).session_secret


def test_the_sign_in_domain_is_required_outside_local_chains():
    """It defaulted to localhost:8000 on any chain, so a server on X Layer accepted messages
    meant for a local one."""
    with pytest.raises(ValidationError, match="PLANET_API_SIWE_DOMAIN is required on chain 196"):
        ApiSettings(session_secret=SECRET, chain_id=196)
    assert ApiSettings(session_secret=SECRET, chain_id=196, siwe_domain="planet.example")
    assert ApiSettings(session_secret=SECRET).siwe_domain == "localhost:8000"  # anvil
    with pytest.raises(ValidationError, match="siwe_domain"):
        ApiSettings(session_secret=SECRET, siwe_domain="https://planet.example/")


def test_cli_help_and_a_missing_secret():
    run = [sys.executable, "-m", "api"]
    assert "migrate" in subprocess.run([*run, "--help"], capture_output=True, text=True).stdout
    env = {"PATH": "", "PYTHONPATH": ":".join(sys.path)}
    failed = subprocess.run([*run, "migrate"], capture_output=True, text=True, env=env)
    assert failed.returncode == 1
    assert "PLANET_API_SESSION_SECRET" in failed.stderr and "Traceback" not in failed.stderr
