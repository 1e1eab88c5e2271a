"""Session tokens: ``v2.<payload>.<mac>``, both parts base64url without padding.

The payload is JSON ``{"sub": address, "chain": chain id, "dom": sign-in domain, "iat": s,
"exp": s, "sid": session id}``; the mac is HMAC-SHA256 over ``v2.<payload>`` with the session
secret. :func:`verify` accepts a token only if the mac matches (constant-time compare), the
chain and the domain are this server's and ``exp`` is in the future. The domain is in the
token because two deployments may share a secret: a token one of them issued is refused by the
other unless it signs in users at the same domain too.

That is all a token proves on its own. Whether its session is still open (not signed out,
not revoked) is the database's answer: :func:`api.services.auth.authenticate` asks it for the
``sid`` every time, so a sign-out holds at once on every API process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from api.errors import ErrorCode, InvalidToken

_VERSION = "v2"


@dataclass(frozen=True)
class Session:
    address: str  # lowercase 0x-hex, as the mirrored tables store addresses
    chain_id: int
    issued_at: int
    expires_at: int
    session_id: str = ""
    domain: str = ""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, signed_part: str) -> str:
    return _b64(hmac.new(secret.encode(), signed_part.encode(), hashlib.sha256).digest())


def issue(
    secret: str, address: str, chain_id: int, domain: str, now: int, expires_at: int
) -> tuple[str, Session]:
    """A token for a new session of ``address`` that ends at ``expires_at``."""
    session = Session(address.lower(), chain_id, now, expires_at, secrets.token_hex(16), domain)
    payload = {
        "sub": session.address,
        "chain": chain_id,
        "dom": domain,
        "iat": now,
        "exp": expires_at,
        "sid": session.session_id,
    }
    signed_part = f"{_VERSION}.{_b64(json.dumps(payload, separators=(',', ':')).encode())}"
    return f"{signed_part}.{_mac(secret, signed_part)}", session


def verify(secret: str, token: str, chain_id: int, domain: str, now: int) -> Session:
    """The session ``token`` carries; :class:`InvalidToken` if forged, altered, for another
    chain or domain, or expired."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _VERSION:
        raise InvalidToken("malformed session token; sign in again")
    signed_part = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_mac(secret, signed_part), parts[2]):
        raise InvalidToken("session token signature does not match; sign in again")
    try:
        payload = json.loads(_unb64(parts[1]))
        session = Session(
            str(payload["sub"]),
            int(payload["chain"]),
            int(payload["iat"]),
            int(payload["exp"]),
            str(payload["sid"]),
            str(payload["dom"]),
        )
    except (ValueError, KeyError, TypeError):
        raise InvalidToken("malformed session token; sign in again") from None
    if session.chain_id != chain_id:
        raise InvalidToken("session token is for another chain; sign in again")
    if session.domain != domain:
        raise InvalidToken(
            f"session token was issued for {session.domain!r}, not {domain!r}; sign in here"
        )
    if session.expires_at <= now:
        raise InvalidToken("session token expired; sign in again", code=ErrorCode.TOKEN_EXPIRED)
    return session
