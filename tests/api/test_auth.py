"""Sign-In with Ethereum and session tokens, end to end over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from eth_account import Account
from starlette.websockets import WebSocketDisconnect

from api.services import siwe
from tests.api.test_live import schedule
from tests.support.api import CHAIN_ID, DOMAIN, SECRET, chat_url, error, sign, siwe_text


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


# ------------------------------------------------------ sessions: sign-out, binding, expiry


def me(client, token: str):
    return client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_signing_out_ends_the_token_at_once(client, token):
    assert me(client, token).status_code == 200
    reply = client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200 and reply.json() == {"signed_out": 1}
    assert error(me(client, token)) == (401, "session_revoked")
    again = client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert error(again) == (401, "session_revoked")


def test_signing_out_everywhere_ends_every_session_of_the_wallet(client, wallet):
    sessions = []
    for _ in range(3):
        text = siwe_text(wallet.address, nonce(client), now(client))
        sessions.append(verify(client, wallet, text).json()["token"])
    other = Account.create(extra_entropy="bystander")
    text = siwe_text(other.address, nonce(client), now(client))
    bystander = verify(client, other, text).json()["token"]
    reply = client.post(
        "/auth/logout",
        json={"everywhere": True},
        headers={"Authorization": f"Bearer {sessions[0]}"},
    )
    assert reply.json() == {"signed_out": 3}
    for token in sessions:
        assert error(me(client, token)) == (401, "session_revoked")
    assert me(client, bystander).status_code == 200


def test_a_signed_out_token_is_refused_by_every_api_process(make_client, token):
    """Two apps on one database stand for two workers: the sign-out is in the database."""
    first, second = make_client(), make_client()
    assert me(second, token).status_code == 200
    first.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert error(me(second, token)) == (401, "session_revoked")


def test_a_token_from_a_deployment_with_another_domain_is_refused(make_client, token):
    """Same secret, same chain, same database even: the token names the domain it was issued
    for, and a server for another domain refuses it."""
    other = make_client(siwe_domain="other.example")
    assert error(me(other, token)) == (401, "invalid_token")
    assert "planet.test" in me(other, token).json()["error"]["message"]


def test_a_token_whose_session_this_server_never_opened_is_refused(
    make_client, token, tmp_path, new_database
):
    """Another deployment with the same secret and domain but its own database."""
    elsewhere = make_client(database_url=new_database("sqlite", migrated=True))
    assert error(me(elsewhere, token)) == (401, "invalid_token")


def test_the_session_ends_at_the_message_expiration_time(client, wallet, clock):
    ends = now(client) + 120
    text = siwe_text(
        wallet.address,
        nonce(client),
        now(client),
        expiration_time=datetime.fromtimestamp(ends, tz=UTC),
    )
    reply = verify(client, wallet, text)
    assert reply.status_code == 200, reply.text
    assert reply.json()["expires_at"] == datetime.fromtimestamp(ends, tz=UTC).isoformat().replace(
        "+00:00", "Z"
    )
    token = reply.json()["token"]
    clock.advance(119)
    assert me(client, token).status_code == 200
    clock.advance(1)
    assert error(me(client, token)) == (401, "token_expired")


def test_a_message_issued_before_its_nonce_is_refused(client, wallet):
    """Issued At of any age was accepted; now it cannot predate the nonce it carries."""
    fresh = nonce(client)
    text = siwe_text(wallet.address, fresh, now(client) - 3 * 3600)
    assert error(verify(client, wallet, text)) == (401, "message_too_old")


@pytest.mark.parametrize(
    "uri",
    [
        "javascript://planet.test/%0Aalert(1)",
        "https://evil.example/login",
        "https://planet.test.evil.example/",
        "https://user@planet.test/",
        "ftp://planet.test/",
        "urn:planet.test",
    ],
)
def test_a_uri_off_this_servers_origin_is_refused(client, wallet, uri):
    message = siwe.SiweMessage(
        domain=DOMAIN,
        address=wallet.address,
        statement="Sign in to Planet.",
        uri=uri,
        version="1",
        chain_id=CHAIN_ID,
        nonce=nonce(client),
        issued_at=datetime.fromtimestamp(now(client), tz=UTC),
    )
    assert error(verify(client, wallet, siwe.compose(message))) == (401, "wrong_uri")


def test_http_is_refused_outside_local_chains_and_hosts(make_client, wallet):
    client = make_client(chain_id=196, siwe_domain="planet.example")

    def attempt(uri: str, scheme: str | None = None):
        message = siwe.SiweMessage(
            domain="planet.example",
            scheme=scheme,
            address=wallet.address,
            uri=uri,
            version="1",
            chain_id=196,
            nonce=nonce_of(client),
            issued_at=datetime.fromtimestamp(now(client), tz=UTC),
        )
        return verify(client, wallet, siwe.compose(message))

    assert error(attempt("http://planet.example/")) == (401, "wrong_uri")
    assert error(attempt("https://planet.example/", scheme="http")) == (401, "wrong_uri")
    assert attempt("https://planet.example/", scheme="https").status_code == 200


def nonce_of(client) -> str:
    return client.post("/auth/nonce").json()["nonce"]


SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def test_a_high_s_signature_is_refused(client, wallet):
    """The mirrored twin of a valid signature (s -> n - s, v flipped) recovers the same
    address; EIP-2 wallets never make it, so it is refused rather than accepted twice."""
    text = siwe_text(wallet.address, nonce(client), now(client))
    raw = bytes.fromhex(sign(wallet, text)[2:])
    r, s, v = raw[:32], int.from_bytes(raw[32:64]), raw[64]
    twin = r + (SECP256K1_N - s).to_bytes(32) + bytes([55 - v])  # 27 <-> 28
    reply = client.post("/auth/verify", json={"message": text, "signature": "0x" + twin.hex()})
    assert error(reply) == (401, "invalid_signature")
    assert "high-s" in reply.json()["error"]["message"]
    assert verify(client, wallet, text).status_code == 200  # the canonical one still works


@pytest.mark.parametrize(
    "bad",
    ["0x" + "00" * 65, "0x" + "11" * 64 + "1d", "0x" + "ab" * 64, "ab" * 65, "0x" + "zz" * 65],
)
def test_malformed_signatures_are_refused(client, wallet, bad):
    text = siwe_text(wallet.address, nonce(client), now(client))
    reply = client.post("/auth/verify", json={"message": text, "signature": bad})
    assert error(reply) == (401, "invalid_signature")


def test_signing_out_closes_the_chat_sockets_the_session_opened(client, member, clock):
    """A socket outlived its token's sign-out: the ticket now records the session, and the
    first delivery after the open answer's cache (chat_access_ttl) closes it with 4401."""
    host, fan = member("host"), member("fan")
    sid = schedule(client, host)["id"]
    client.post(f"/live/{sid}/start", headers=host.headers)
    with client.websocket_connect(chat_url(client, sid, fan)) as ws:
        assert ws.receive_json()["type"] == "ready"
        said = client.post(f"/live/{sid}/messages", json={"body": "one"}, headers=host.headers)
        assert said.status_code == 201 and ws.receive_json()["body"] == "one"
        assert client.post("/auth/logout", headers=fan.headers).status_code == 200
        clock.advance(client.app.state.settings.chat_access_ttl)
        client.post(f"/live/{sid}/messages", json={"body": "two"}, headers=host.headers)
        frame = ws.receive_json()
        assert frame["type"] == "error" and frame["error"]["code"] == "session_revoked"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401
    again = client.post(f"/live/{sid}/chat/ticket", headers=fan.headers)
    assert error(again) == (401, "session_revoked")
