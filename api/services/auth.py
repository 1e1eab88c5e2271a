"""Sign-in: single-use nonces kept server side, the checks that turn a signed EIP-4361
message into a session token, and the one check of a session token presented afterwards.

Order of checks in :func:`sign_in`: the text parses; it names this server's domain and chain;
its nonce was issued here, is unused and unexpired; its Issued At is not in the future and its
Expiration Time / Not Before hold; the signature recovers to the address in the message. Only
then is the nonce consumed (a compare-and-set, so two concurrent sign-ins with one nonce cannot
both succeed). A failed attempt leaves the nonce usable until it expires: without the key no
one can use it anyway.

Every way in presents its token to :func:`authenticate` and finds its identity with
:func:`identity_of` / :func:`require_identity`: HTTP routes through :mod:`api.deps`, the chat
socket at its handshake and again for every message it sends. One check, so a token is never
accepted on one and refused on the other.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, insert, select, update

from api.errors import ErrorCode, IdentityRequired, SignInFailed
from api.services import identities, siwe, tokens
from api.services.identities import Identity
from api.settings import ApiSettings
from planet.store.offchain import siwe_nonces


def issue_nonce(conn: Connection, now: int, ttl: int) -> tuple[str, int]:
    """A fresh nonce (16 alphanumerics) and when it expires."""
    nonce = secrets.token_hex(8)
    conn.execute(insert(siwe_nonces).values(nonce=nonce, issued_at=now, expires_at=now + ttl))
    # Old nonces are useless; drop a few each time so the table stays small.
    expired = select(siwe_nonces.c.nonce).where(siwe_nonces.c.expires_at < now - ttl).limit(100)
    conn.execute(siwe_nonces.delete().where(siwe_nonces.c.nonce.in_(expired.scalar_subquery())))
    return nonce, now + ttl


def sign_in(
    conn: Connection, settings: ApiSettings, text: str, signature: str, now: int
) -> tuple[str, tokens.Session]:
    message = siwe.parse(text)
    if message.domain != settings.siwe_domain:
        raise SignInFailed(
            f"message is for {message.domain!r}, this server is {settings.siwe_domain!r}",
            code=ErrorCode.WRONG_DOMAIN,
        )
    if message.chain_id != settings.chain_id:
        raise SignInFailed(
            f"message is for chain {message.chain_id}, this server is chain {settings.chain_id}",
            code=ErrorCode.WRONG_CHAIN,
        )
    row = conn.execute(
        select(siwe_nonces).where(siwe_nonces.c.nonce == message.nonce)
    ).one_or_none()
    if row is None or row.used_at is not None:
        raise SignInFailed(
            "nonce unknown or already used; ask for a new one", code=ErrorCode.INVALID_NONCE
        )
    if row.expires_at <= now:
        raise SignInFailed("nonce expired; ask for a new one", code=ErrorCode.NONCE_EXPIRED)
    if message.issued_at.timestamp() > now + settings.clock_skew:
        raise SignInFailed(
            "Issued At is in the future; check the clock", code=ErrorCode.ISSUED_IN_FUTURE
        )
    if message.expiration_time is not None and message.expiration_time.timestamp() <= now:
        raise SignInFailed(
            "the message has expired; sign a new one", code=ErrorCode.MESSAGE_EXPIRED
        )
    if message.not_before is not None and message.not_before.timestamp() > now:
        raise SignInFailed(
            "the message is not valid yet (Not Before)", code=ErrorCode.NOT_YET_VALID
        )
    signer = siwe.recover_signer(text, signature)
    if signer is None or signer != message.address:
        raise SignInFailed(
            "signature was not made by the address in the message", code=ErrorCode.INVALID_SIGNATURE
        )
    consumed = conn.execute(
        update(siwe_nonces)
        .where(siwe_nonces.c.nonce == message.nonce, siwe_nonces.c.used_at.is_(None))
        .values(used_at=now, used_by=message.address.lower())
    )
    if consumed.rowcount != 1:
        raise SignInFailed("nonce already used; ask for a new one", code=ErrorCode.INVALID_NONCE)
    secret = settings.session_secret.get_secret_value()
    return tokens.issue(secret, message.address, settings.chain_id, now, settings.token_ttl)


def authenticate(settings: ApiSettings, token: str, now: int) -> tokens.Session:
    """The wallet ``token`` signs in at ``now``: 401 ``invalid_token`` if it is forged, altered
    or for another chain, ``token_expired`` once it has expired."""
    secret = settings.session_secret.get_secret_value()
    return tokens.verify(secret, token, settings.chain_id, now)


def identity_of(conn: Connection, user: tokens.Session) -> Identity | None:
    """The signed-in wallet's on-chain identity, as the indexer mirrored it, if it has one."""
    return identities.by_owner(conn, user.chain_id, user.address)


def require_identity(conn: Connection, user: tokens.Session) -> Identity:
    """:func:`identity_of`, for what only an identity may do (403 ``identity_required``)."""
    identity = identity_of(conn, user)
    if identity is None:
        raise IdentityRequired()
    return identity
