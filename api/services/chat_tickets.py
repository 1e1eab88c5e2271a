"""Chat socket tickets: how a browser opens a signed-in chat socket without putting its session
token in a URL.

Browsers cannot set headers on a WebSocket, so whatever authenticates one travels in the URL,
and URLs end up in access logs, proxies and browser history. A session token there would be
usable for its whole lifetime (an hour by default) by anyone who reads the log. A ticket is
worth far less: it is random, bound to one live session and one wallet, usable once, and only
for ``chat_ticket_ttl`` seconds (30 by default). ``POST /live/{id}/chat/ticket`` issues one to a
signed-in wallet that may read the session; the socket's handshake redeems it with
``?ticket=``. The socket then lives as long as the session token that asked for the ticket
would have: the ticket records that token's expiry, and deliveries stop at it.

Only the ticket's SHA-256 is stored, and redeeming deletes the row in the statement that reads
it, so two handshakes racing with one ticket cannot both get in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from api.errors import ErrorCode, InvalidToken
from api.services import tokens
from api.settings import ApiSettings
from planet.store.offchain import chat_tickets


@dataclass(frozen=True)
class Ticket:
    """Who a redeemed ticket signs in, and until when their socket may hear anything."""

    address: str
    token_expires_at: int
    auth_session: str | None = None  # the session of the token that asked for the ticket


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def issue(
    conn: Connection, settings: ApiSettings, session_id: int, user: tokens.Session, now: int
) -> tuple[str, int]:
    """A fresh ticket for ``user`` on live session ``session_id`` (the caller checked that the
    wallet may read it), and when it expires: ``chat_ticket_ttl`` from now, never after the
    session token that asked for it."""
    ticket = secrets.token_urlsafe(32)
    expires_at = min(now + settings.chat_ticket_ttl, user.expires_at)
    conn.execute(
        insert(chat_tickets).values(
            ticket_hash=_digest(ticket),
            chain_id=settings.chain_id,
            session_id=session_id,
            address=user.address,
            token_expires_at=user.expires_at,
            expires_at=expires_at,
            auth_session=user.session_id,
        )
    )
    # Unused tickets are useless once expired; drop a few each time so the table stays small.
    stale = select(chat_tickets.c.ticket_hash).where(chat_tickets.c.expires_at < now).limit(100)
    conn.execute(
        delete(chat_tickets).where(chat_tickets.c.ticket_hash.in_(stale.scalar_subquery()))
    )
    return ticket, expires_at


def redeem(
    conn: Connection, settings: ApiSettings, session_id: int, ticket: str, now: int
) -> Ticket:
    """Uses ``ticket`` up for a socket on ``session_id``; 401 ``invalid_ticket`` if it was
    never issued, is already used, has expired, or names another session or chain. A ticket
    presented for the wrong session is used up too: it was leaked or misused either way."""
    row = conn.execute(
        delete(chat_tickets)
        .where(chat_tickets.c.ticket_hash == _digest(ticket))
        .returning(
            chat_tickets.c.chain_id,
            chat_tickets.c.session_id,
            chat_tickets.c.address,
            chat_tickets.c.token_expires_at,
            chat_tickets.c.expires_at,
            chat_tickets.c.auth_session,
        )
    ).one_or_none()
    if row is None:
        raise InvalidToken(
            "chat ticket unknown or already used; ask POST /live/{id}/chat/ticket for a new one",
            code=ErrorCode.INVALID_TICKET,
        )
    if row.expires_at <= now:
        raise InvalidToken(
            "chat ticket expired; ask for a new one just before connecting",
            code=ErrorCode.INVALID_TICKET,
        )
    if row.chain_id != settings.chain_id or row.session_id != session_id:
        raise InvalidToken(
            f"this chat ticket is for live session {row.session_id}, not {session_id}",
            code=ErrorCode.INVALID_TICKET,
        )
    return Ticket(row.address, row.token_expires_at, row.auth_session)
