"""Session tokens: ``v1.<payload>.<mac>``, both parts base64url without padding.

The payload is JSON ``{"sub": address, "chain": chain id, "iat": s, "exp": s, "sid": random}``;
the mac is HMAC-SHA256 over ``v1.<payload>`` with the session secret. A token is accepted only
if the mac matches (constant-time compare), the chain is this server's and ``exp`` is in the
future. Tokens are stateless: they end at ``exp`` (rotate the secret to end all of them).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from api.errors import ErrorCode, InvalidToken

_VERSION = "v1"


@dataclass(frozen=True)
class Session:
    address: str  # lowercase 0x-hex, as the mirrored tables store addresses
    chain_id: int
    issued_at: int
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, signed_part: str) -> str:
    return _b64(hmac.new(secret.encode(), signed_part.encode(), hashlib.sha256).digest())


def issue(secret: str, address: str, chain_id: int, now: int, ttl: int) -> tuple[str, Session]:
    session = Session(address.lower(), chain_id, now, now + ttl)
    payload = {
        "sub": session.address,
        "chain": chain_id,
        "iat": now,
        "exp": session.expires_at,
        "sid": secrets.token_hex(8),
    }
    signed_part = f"{_VERSION}.{_b64(json.dumps(payload, separators=(',', ':')).encode())}"
    return f"{signed_part}.{_mac(secret, signed_part)}", session


def verify(secret: str, token: str, chain_id: int, now: int) -> Session:
    """The session ``token`` carries; :class:`InvalidToken` if forged, altered or expired."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _VERSION:
        raise InvalidToken("malformed session token; sign in again")
    signed_part = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_mac(secret, signed_part), parts[2]):
        raise InvalidToken("session token signature does not match; sign in again")
    try:
        payload = json.loads(_unb64(parts[1]))
        session = Session(
            str(payload["sub"]), int(payload["chain"]), int(payload["iat"]), int(payload["exp"])
        )
    except (ValueError, KeyError, TypeError):
        raise InvalidToken("malformed session token; sign in again") from None
    if session.chain_id != chain_id:
        raise InvalidToken("session token is for another chain; sign in again")
    if session.expires_at <= now:
        raise InvalidToken("session token expired; sign in again", code=ErrorCode.TOKEN_EXPIRED)
    return session
