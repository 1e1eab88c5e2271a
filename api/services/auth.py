"""Sign-in: single-use nonces kept server side, the checks that turn a signed EIP-4361
message into a session, the one check of a session token presented afterwards, and sign-out.

Order of checks in :func:`sign_in`: the text parses (strictly, :mod:`api.services.siwe`); it
names this server's domain, and its scheme and URI this server's origin (https, or http on a
loopback host or a local chain: a ``javascript:`` or foreign URI is refused); it names this
chain; its nonce was issued here, is unused and unexpired; its Issued At is neither before the
nonce was issued nor in the future, so a message is at most a nonce's lifetime old; its
Expiration Time / Not Before hold; the signature is canonical and recovers to the address in
the message, or the address is a contract wallet that accepts it (ERC-1271, or ERC-6492 when
not deployed yet; asked of the chain at ``chain_rpc_url``, only when the key check fails).
Only then is the nonce consumed (a compare-and-set, so two concurrent sign-ins with one nonce
cannot both succeed) and a session row written. A failed attempt leaves the nonce usable until
it expires: without the key no one can use it anyway.

A session ends at the earliest of ``token_ttl`` after sign-in and the message's Expiration
Time (the wallet's user agreed to no longer), or when it is signed out (:func:`sign_out`, or
:func:`sign_out_everywhere` for every session of the wallet).

Every way in presents its token to :func:`authenticate` and finds its identity with
:func:`identity_of` / :func:`require_identity`: HTTP routes through :mod:`api.deps`, the chat
socket at its handshake and again for every message it sends. One check, so a token is never
accepted on one and refused on the other.
"""

from __future__ import annotations

import math
import secrets

from sqlalchemy import Connection, insert, select, update

from api.errors import ErrorCode, IdentityRequired, InvalidToken, SignInFailed
from api.services import identities, siwe, tokens
from api.services.identities import Identity
from api.settings import LOCAL_CHAIN_IDS, ApiSettings
from planet.store.offchain import sessions, siwe_nonces

_LOOPBACK = ("localhost", "127.0.0.1", "::1")


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
    _check_origin(settings, message)
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
    issued_at = message.issued_at.timestamp()
    if issued_at > now + settings.clock_skew:
        raise SignInFailed(
            "Issued At is in the future; check the clock", code=ErrorCode.ISSUED_IN_FUTURE
        )
    if issued_at < row.issued_at - settings.clock_skew:
        raise SignInFailed(
            "Issued At is before the nonce was issued; sign a new message with the current time",
            code=ErrorCode.MESSAGE_TOO_OLD,
        )
    if message.expiration_time is not None and message.expiration_time.timestamp() <= now:
        raise SignInFailed(
            "the message has expired; sign a new one", code=ErrorCode.MESSAGE_EXPIRED
        )
    if message.not_before is not None and message.not_before.timestamp() > now:
        raise SignInFailed(
            "the message is not valid yet (Not Before)", code=ErrorCode.NOT_YET_VALID
        )
    siwe.check_signature(text, signature, message.address, settings.chain_rpc_url)
    consumed = conn.execute(
        update(siwe_nonces)
        .where(siwe_nonces.c.nonce == message.nonce, siwe_nonces.c.used_at.is_(None))
        .values(used_at=now, used_by=message.address.lower())
    )
    if consumed.rowcount != 1:
        raise SignInFailed("nonce already used; ask for a new one", code=ErrorCode.INVALID_NONCE)
    expires_at = now + settings.token_ttl
    if message.expiration_time is not None:
        expires_at = min(expires_at, math.floor(message.expiration_time.timestamp()))
    return open_session(conn, settings, message.address, now, expires_at)


def open_session(
    conn: Connection, settings: ApiSettings, address: str, now: int, expires_at: int
) -> tuple[str, tokens.Session]:
    """A new session of ``address`` until ``expires_at``: its row and its token. Only
    :func:`sign_in` opens one for a client (benchmarks seed theirs with it)."""
    secret = settings.session_secret.get_secret_value()
    token, session = tokens.issue(
        secret, address, settings.chain_id, settings.siwe_domain, now, expires_at
    )
    conn.execute(
        insert(sessions).values(
            id=session.session_id,
            chain_id=session.chain_id,
            address=session.address,
            domain=session.domain,
            issued_at=now,
            expires_at=expires_at,
        )
    )
    # Expired sessions prove nothing any more; drop a few each time so the table stays small.
    old = select(sessions.c.id).where(sessions.c.expires_at < now).limit(100)
    conn.execute(sessions.delete().where(sessions.c.id.in_(old.scalar_subquery())))
    return token, session


def _check_origin(settings: ApiSettings, message: siwe.SiweMessage) -> None:
    """The message's scheme (if any) and URI must be this server's origin: https, or http where
    there is no TLS to expect (a loopback host, a local chain)."""
    domain = settings.siwe_domain
    host = domain[1 : domain.index("]")] if domain.startswith("[") else domain.split(":")[0]
    local = host in _LOOPBACK or settings.chain_id in LOCAL_CHAIN_IDS
    schemes = ("https", "http") if local else ("https",)
    if message.scheme is not None and message.scheme.lower() not in schemes:
        raise SignInFailed(
            f"the message's scheme is {message.scheme!r}; sign in over {schemes[0]}",
            code=ErrorCode.WRONG_URI,
        )
    match = siwe.URI.fullmatch(message.uri)
    if (
        match is None
        or match["scheme"].lower() not in schemes
        or match["authority"] != settings.siwe_domain
    ):
        raise SignInFailed(
            f"URI {message.uri!r} is not on this server's origin "
            f"({schemes[0]}://{settings.siwe_domain})",
            code=ErrorCode.WRONG_URI,
        )


def authenticate(conn: Connection, settings: ApiSettings, token: str, now: int) -> tokens.Session:
    """The wallet ``token`` signs in at ``now``: 401 ``invalid_token`` if it is forged, altered,
    for another chain or domain, or its session is unknown here; ``token_expired`` once it has
    expired; ``session_revoked`` once it was signed out."""
    secret = settings.session_secret.get_secret_value()
    session = tokens.verify(secret, token, settings.chain_id, settings.siwe_domain, now)
    require_open(conn, session.session_id, session.address)
    return session


def require_open(conn: Connection, session_id: str, address: str | None = None) -> None:
    """401 unless the session ``session_id`` (of ``address``, if given) exists here and was not
    signed out: ``invalid_token`` / ``session_revoked``. Chat sockets ask it again while open."""
    row = conn.execute(
        select(sessions.c.address, sessions.c.revoked_at).where(sessions.c.id == session_id)
    ).one_or_none()
    if row is None or (address is not None and row.address != address):
        raise InvalidToken("this server has no such session; sign in again")
    if row.revoked_at is not None:
        raise InvalidToken(
            "this session was signed out; sign in again", code=ErrorCode.SESSION_REVOKED
        )


def sign_out(conn: Connection, session: tokens.Session, now: int) -> None:
    """Ends ``session``: its token is refused from now on, on every API process."""
    conn.execute(
        update(sessions)
        .where(sessions.c.id == session.session_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def sign_out_everywhere(conn: Connection, session: tokens.Session, now: int) -> int:
    """Ends every open session of the wallet ``session`` belongs to (a token was lost or
    leaked); how many were open."""
    ended = conn.execute(
        update(sessions)
        .where(
            sessions.c.chain_id == session.chain_id,
            sessions.c.address == session.address,
            sessions.c.revoked_at.is_(None),
            sessions.c.expires_at > now,
        )
        .values(revoked_at=now)
    )
    return ended.rowcount


def identity_of(conn: Connection, user: tokens.Session) -> Identity | None:
    """The signed-in wallet's on-chain identity, as the indexer mirrored it, if it has one."""
    return identities.by_owner(conn, user.chain_id, user.address)


def require_identity(conn: Connection, user: tokens.Session) -> Identity:
    """:func:`identity_of`, for what only an identity may do (403 ``identity_required``)."""
    identity = identity_of(conn, user)
    if identity is None:
        raise IdentityRequired()
    return identity
