"""Sign-In with Ethereum and session tokens, end to end over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from eth_account import Account

from api.services import siwe
from tests.support.api import CHAIN_ID, DOMAIN, SECRET, error, sign, siwe_text


@pytest.fixture
def wallet():
    return Account.create(extra_entropy="auth")


def nonce(client) -> str:
    reply = client.post("/auth/nonce")
    assert reply.status_code == 200
    body = reply.json()
    assert body["domain"] == DOMAIN and body["chain_id"] == CHAIN_ID
    return body["nonce"]


def verify(client, wallet, text: str, signer=None):
    return client.post(
        "/auth/verify", json={"message": text, "signature": sign(signer or wallet, text)}
    )


def now(client) -> int:
    return int(client.app.state.clock())


def test_a_signed_message_gives_a_token_for_that_address(client, wallet):
    text = siwe_text(wallet.address, nonce(client), now(client))
    reply = verify(client, wallet, text)
    assert reply.status_code == 200, reply.text
    token = reply.json()["token"]
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["address"] == wallet.address.lower()


def test_a_signature_by_another_key_is_rejected(client, wallet):
    text = siwe_text(wallet.address, nonce(client), now(client))
    other = Account.create(extra_entropy="other")
    assert error(verify(client, wallet, text, signer=other)) == (401, "invalid_signature")


def test_a_garbage_signature_is_rejected(client, wallet):
    text = siwe_text(wallet.address, nonce(client), now(client))
    reply = client.post("/auth/verify", json={"message": text, "signature": "0x1234"})
    assert error(reply) == (401, "invalid_signature")


def test_another_domain_is_rejected(client, wallet):
    text = siwe_text(wallet.address, nonce(client), now(client), domain="evil.example")
    assert error(verify(client, wallet, text)) == (401, "wrong_domain")


def test_another_chain_is_rejected(client, wallet):
    text = siwe_text(wallet.address, nonce(client), now(client), chain_id=196)
    assert error(verify(client, wallet, text)) == (401, "wrong_chain")


def test_a_nonce_works_once(client, wallet):
    text = siwe_text(wallet.address, nonce(client), now(client))
    assert verify(client, wallet, text).status_code == 200
    assert error(verify(client, wallet, text)) == (401, "invalid_nonce")


def test_a_nonce_not_issued_here_is_rejected(client, wallet):
    text = siwe_text(wallet.address, "deadbeefcafe0000", now(client))
    assert error(verify(client, wallet, text)) == (401, "invalid_nonce")


def test_an_expired_nonce_is_rejected(client, wallet, clock):
    fresh = nonce(client)
    clock.advance(client.app.state.settings.nonce_ttl + 1)
    text = siwe_text(wallet.address, fresh, now(client))
    assert error(verify(client, wallet, text)) == (401, "nonce_expired")


def test_an_expired_message_is_rejected(client, wallet):
    past = datetime.fromtimestamp(now(client) - 1, tz=UTC)
    text = siwe_text(wallet.address, nonce(client), now(client) - 60, expiration_time=past)
    assert error(verify(client, wallet, text)) == (401, "message_expired")


def test_a_message_issued_in_the_future_is_rejected(client, wallet):
    text = siwe_text(wallet.address, nonce(client), now(client) + 3600)
    assert error(verify(client, wallet, text)) == (401, "issued_in_future")


def test_a_failed_attempt_does_not_burn_the_nonce(client, wallet):
    text = siwe_text(wallet.address, nonce(client), now(client))
    verify(client, wallet, text, signer=Account.create())
    assert verify(client, wallet, text).status_code == 200


def test_text_that_is_not_eip4361_is_422(client, wallet):
    reply = client.post("/auth/verify", json={"message": "hello", "signature": "0x00"})
    assert error(reply) == (422, "invalid_message")


@pytest.fixture
def token(client, wallet) -> str:
    text = siwe_text(wallet.address, nonce(client), now(client))
    return verify(client, wallet, text).json()["token"]


def test_a_tampered_token_is_rejected(client, token):
    version, payload, mac = token.split(".")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    for bad in (f"{version}.{flipped}.{mac}", f"{version}.{payload}.{mac[:-1]}x", "v1.abc"):
        reply = client.get("/auth/me", headers={"Authorization": f"Bearer {bad}"})
        assert error(reply) == (401, "invalid_token")


def test_a_token_signed_with_another_secret_is_rejected(make_client, token):
    other = make_client(session_secret=SECRET[::-1])
    reply = other.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert error(reply) == (401, "invalid_token")


def test_an_expired_token_is_rejected(client, token, clock):
    clock.advance(client.app.state.settings.token_ttl)
    reply = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert error(reply) == (401, "token_expired")


def test_no_token_is_401(client):
    assert error(client.get("/auth/me")) == (401, "not_authenticated")


# ---------------------------------------------------------------- the EIP-4361 text itself


def test_compose_and_parse_round_trip_every_field():
    message = siwe.SiweMessage(
        domain="planet.test:8443",
        scheme="https",
        address=Account.create().address,
        statement="I accept the terms.",
        uri="https://planet.test/login",
        version="1",
        chain_id=1952,
        nonce="abcdef123456",
        issued_at=datetime(2026, 1, 24, 12, 0, tzinfo=UTC),
        expiration_time=datetime(2026, 1, 24, 13, 0, tzinfo=UTC),
        not_before=datetime(2026, 1, 24, 11, 0, tzinfo=UTC),
        request_id="req-1",
        resources=("ipfs://a", "https://planet.test/b"),
    )
    assert siwe.parse(siwe.compose(message)) == message


def test_a_message_without_statement_has_two_empty_lines():
    address = Account.create().address
    text = (
        f"planet.test wants you to sign in with your Ethereum account:\n{address}\n\n\n"
        "URI: https://planet.test\nVersion: 1\nChain ID: 1\nNonce: 12345678\n"
        "Issued At: 2026-01-24T12:00:00Z"
    )
    parsed = siwe.parse(text)
    assert parsed.statement is None and parsed.chain_id == 1
    assert siwe.compose(parsed) == text


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("Version: 1", "Version: 2"),
        lambda t: t.replace("Chain ID: 1952", "Chain ID: x"),
        lambda t: t.replace("Nonce: abcdef123456", "Nonce: short"),
        lambda t: t.replace("Issued At: 2026-01-24T12:00:00Z", "Issued At: yesterday"),
        lambda t: t.replace("Issued At: 2026-01-24T12:00:00Z", "Issued At: 2026-01-24T12:00:00"),
        lambda t: t + "\nextra",
        lambda t: t.replace("\nURI:", "\nuri:"),
        lambda t: t.lower(),  # the address is no longer EIP-55 checksummed
    ],
)
def test_malformed_messages_are_refused(change):
    text = (
        "planet.test wants you to sign in with your Ethereum account:\n"
        f"{Account.create().address}\n\nHi\n\nURI: https://planet.test\nVersion: 1\n"
        "Chain ID: 1952\nNonce: abcdef123456\nIssued At: 2026-01-24T12:00:00Z"
    )
    siwe.parse(text)
    with pytest.raises(siwe.InvalidMessage):
        siwe.parse(change(text))
