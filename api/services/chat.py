"""The live chat protocol, apart from the WebSocket that carries it (:mod:`api.routes.chat`):
who a socket's listener is, what a client frame may say, what events and error frames look
like, and the checks each message goes through, both ways.

A socket signs in at its handshake with a single-use ticket (:mod:`api.services.chat_tickets`,
what browsers use) or an ``Authorization: Bearer`` session token (what other clients may use);
never with a session token in its URL. From then on it is re-checked, because a socket may
stay open for hours while the token expires, the wallet loses its pass (transferred, burnt,
a subscription lapsed) or the session ends:

* every message it sends goes through the checks an HTTP send does (:func:`store`);
* every event it is about to receive goes through :class:`DeliveryGate` first: the token's
  expiry, and for a private session the reader's access to the host's community, as the
  mirrored pass tables say at that moment (a decision is reused for at most
  ``chat_access_ttl`` seconds, and never past the token's or the granting subscription's
  expiry). A socket that fails is closed with 4401 / 4403 and the reason, before the event.

Events are what the broker carries to every socket of a session (and what HTTP routes publish
when they start or end a session, store a message, or the risk role hides or restores one);
frames are what one socket sends its own client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import anyio.from_thread
import anyio.to_thread
from sqlalchemy import Engine, RowMapping

from api.errors import (
    ApiError,
    ErrorCode,
    IdentityRequired,
    InvalidToken,
    NotAuthenticated,
    NotFound,
)
from api.json_depth import json_depth_exceeds
from api.services import auth, chat_tickets, identities, live
from api.services.access import AccessPolicy
from api.services.chat_broker import Broker, BrokerUnavailable, Event, channel_name
from api.services.identities import Identity
from api.services.posts import PRIVATE
from api.settings import ApiSettings

MAX_FRAME = 4 * live.MAX_MESSAGE + 1_024  # room for JSON escapes; parsed only below it
MAX_FRAME_DEPTH = 4  # {"body": ...} nests one level; a deep frame is refused unparsed


@dataclass(frozen=True)
class Server:
    """What the protocol reads of the serving app, taken from its state at each step."""

    engine: Engine
    settings: ApiSettings
    access: AccessPolicy
    now: int


@dataclass(frozen=True)
class Listener:
    """Who opened a chat socket, decided at the handshake; what may change later (the token's
    validity, access, the identity) is checked again on every message and every delivery."""

    session_id: int
    host_token_id: int
    private: bool
    address: str | None  # None: an anonymous listener (public sessions only)
    token_id: int | None
    expires_at: int | None  # when the session token it signed in with expires
    auth_session: str | None = None  # that token's session: signing it out closes the socket

    @property
    def can_send(self) -> bool:
        """Anyone may listen to a public session; only a wallet with an identity may speak."""
        return self.token_id is not None

    @property
    def attends_on_start(self) -> bool:
        """Whether the session going live makes this listener an attendee (never its host)."""
        return self.token_id is not None and self.token_id != self.host_token_id


def channel(settings: ApiSettings, session_id: int) -> str:
    return channel_name(settings.redis_channel_prefix, settings.chain_id, session_id)


def message_event(message: dict[str, Any]) -> Event:
    """A stored message as every socket of its session receives it (``message`` is the JSON
    form of :class:`api.schemas.MessageOut`, as the history lists it)."""
    return {"type": "message", **message}


def moderated_event(session_id: int, message_id: int, label: str | None, body: str) -> Event:
    """The risk role hid a message (``label``, e.g. ``scam``, and an empty ``body``, as the
    history shows it) or restored it (``label`` null, ``body`` its text again): every socket of
    its session receives it, so an open chat swaps the text without a reload."""
    return {
        "type": "moderated",
        "session_id": session_id,
        "message_id": message_id,
        "label": label,
        "body": "" if label else body,
    }


def status_event(row: RowMapping) -> Event:
    return {"type": "status", "session_id": row["id"], "status": live.status(row)}


def publish_from_thread(
    broker: Broker, settings: ApiSettings, session_id: int, event: Event
) -> bool:
    """Publishes from a sync route's worker thread to the session's chat sockets, on every
    API process; whether the broker took it (a broker outage loses the live delivery only:
    what was published is stored first)."""
    try:
        anyio.from_thread.run(broker.publish, channel(settings, session_id), event)
    except BrokerUnavailable:
        return False
    return True


def ready_event(listener: Listener, row: RowMapping) -> Event:
    """The first frame of an accepted socket, once it listens to the session's channel."""
    return {
        "type": "ready",
        "session_id": listener.session_id,
        "status": live.status(row),
        "can_send": listener.can_send,
    }


def error_frame(code: ErrorCode, message: str, **extra: Any) -> Event:
    return {"type": "error", "error": {"code": code, "message": message}, **extra}


def admit(
    server: Server, session_id: int, ticket: str | None, token: str | None
) -> tuple[Listener, RowMapping]:
    """Authenticates (a ticket, else a bearer token, else anonymous) and gates a chat
    handshake; an identified listener of a live session becomes an attendee. Raises the
    :class:`ApiError` the socket is closed with. A ticket is used up even when the gate then
    refuses the socket."""
    settings = server.settings
    address: str | None = None
    expires_at: int | None = None
    auth_session: str | None = None
    if ticket is not None:
        with server.engine.begin() as conn:
            redeemed = chat_tickets.redeem(conn, settings, session_id, ticket, server.now)
        if redeemed.token_expires_at <= server.now:
            raise InvalidToken("session token expired; sign in again", code=ErrorCode.TOKEN_EXPIRED)
        address, expires_at = redeemed.address, redeemed.token_expires_at
        auth_session = redeemed.auth_session
        if auth_session is not None:
            with server.engine.begin() as conn:
                auth.require_open(conn, auth_session)
    elif token is not None:
        with server.engine.begin() as conn:
            user = auth.authenticate(conn, settings, token, server.now)
        address, expires_at = user.address, user.expires_at
        auth_session = user.session_id
    with server.engine.begin() as conn:
        row = live.readable(conn, settings.chain_id, session_id, address, server.now, server.access)
        identity = (
            identities.by_owner(conn, settings.chain_id, address) if address is not None else None
        )
        if identity is not None:
            live.attend(conn, row, identity, server.now)
    listener = Listener(
        session_id,
        row["host_token_id"],
        row["visibility"] == PRIVATE,
        address,
        identity.token_id if identity is not None else None,
        expires_at,
        auth_session,
    )
    return listener, row


def token_check(listener: Listener, now: int) -> None:
    """401 ``token_expired`` once the session token the socket signed in with has expired."""
    if listener.expires_at is not None and listener.expires_at <= now:
        raise InvalidToken(
            "session token expired; sign in again and reconnect", code=ErrorCode.TOKEN_EXPIRED
        )


def body_of(text: str | None) -> object:
    """The ``body`` of a client frame's ``text`` (None for a binary frame); :class:`ApiError`
    ``invalid_frame`` if it is not a JSON object with one."""
    if text is None:
        raise ApiError('send JSON text frames: {"body": "..."}', code=ErrorCode.INVALID_FRAME)
    if len(text) > MAX_FRAME:
        raise ApiError(f"frames are at most {MAX_FRAME} characters", code=ErrorCode.FRAME_TOO_LARGE)
    if json_depth_exceeds(text, MAX_FRAME_DEPTH):  # before the parser recurses into it
        raise ApiError('send a flat JSON object: {"body": "..."}', code=ErrorCode.INVALID_FRAME)
    try:
        frame = json.loads(text)
    except ValueError:
        raise ApiError(
            'the frame is not JSON; send {"body": "..."}', code=ErrorCode.INVALID_FRAME
        ) from None
    if not isinstance(frame, dict) or "body" not in frame:
        raise ApiError('send a JSON object: {"body": "..."}', code=ErrorCode.INVALID_FRAME)
    return frame["body"]


def store(server: Server, listener: Listener, body: object) -> tuple[RowMapping, Identity]:
    """Stores one message sent on a socket, and who sent it, re-checking what may have changed
    since the handshake: the token's expiry, the identity, access to a private session, its
    status."""
    if listener.address is None:
        raise NotAuthenticated(
            "sign in to chat: connect with ?ticket= from POST /live/{id}/chat/ticket"
        )
    token_check(listener, server.now)
    with server.engine.begin() as conn:
        if listener.auth_session is not None:
            auth.require_open(conn, listener.auth_session)
        identity = identities.by_owner(conn, server.settings.chain_id, listener.address)
        if identity is None:
            raise IdentityRequired()
        row = live.readable(
            conn,
            server.settings.chain_id,
            listener.session_id,
            listener.address,
            server.now,
            server.access,
        )
        return live.send(conn, row, identity, body, server.now), identity


def attend(server: Server, listener: Listener) -> None:
    """An identified listener who was waiting when the session started attends it."""
    chain_id = server.settings.chain_id
    with server.engine.begin() as conn:
        identity = identities.by_owner(conn, chain_id, listener.address or "")
        if identity is not None:
            live.attend(conn, live.get(conn, chain_id, listener.session_id), identity, server.now)


def session_row(server: Server, session_id: int) -> RowMapping:
    """The session as it stands now (read again once the socket listens, so an end that came
    between the handshake and the subscription is not missed)."""
    with server.engine.begin() as conn:
        return live.get(conn, server.settings.chain_id, session_id)


class DeliveryGate:
    """Decides, before each event reaches a socket, whether its listener may still hear it.

    One per process, shared by its sockets. The token's expiry is checked on every delivery (no
    database). A private session also needs the reader's access to the host's community, read
    from the mirrored pass tables; an allowed decision is kept for ``chat_access_ttl`` seconds
    per (host, reader) so a busy session does not ask the database once per message per
    socket, and never past the expiry of the subscription that granted it, so a lapse is exact
    to the second. A transfer the indexer mirrors is therefore seen by the next
    delivery at most ``chat_access_ttl`` seconds later (0: at once).

    The indexer's follow mode mirrors unfinal blocks up to the head (journaled, undone if a
    reorg drops them), so a pass transferred away at the head is revoked a poll later, not
    after the confirmation depth.
    """

    def __init__(self, engine: Engine, settings: ApiSettings, access: AccessPolicy) -> None:
        self.engine = engine
        self.settings = settings
        self.access = access
        self._allowed: dict[tuple[int, str], float] = {}  # (host token, reader) -> valid until
        self._open_sessions: dict[str, float] = {}  # sign-in session -> known open until

    async def check(self, listener: Listener, now: int) -> None:
        """Raises the :class:`ApiError` (401 / 403) the socket is closed with, if its listener
        may no longer hear the session."""
        token_check(listener, now)
        if listener.auth_session is not None:
            await self._session_check(listener.auth_session, now)
        if not listener.private:
            return
        if listener.address is None:  # cannot be: a private session admits no anonymous
            raise NotAuthenticated("private live sessions: sign in")
        key = (listener.host_token_id, listener.address)
        if self._allowed.get(key, 0.0) > now:
            return
        self._allowed.pop(key, None)
        until = await anyio.to_thread.run_sync(
            self._decide, listener.host_token_id, listener.address, now
        )
        limit = now + self.settings.chat_access_ttl
        if until is not None:
            limit = min(limit, until)
        if limit > now:
            if len(self._allowed) > 10_000:
                self._allowed = {k: v for k, v in self._allowed.items() if v > now}
            self._allowed[key] = limit

    async def _session_check(self, auth_session: str, now: float) -> None:
        """401 ``session_revoked`` once the socket's sign-in session was signed out; an open
        answer is reused for ``chat_access_ttl`` seconds, like an access decision."""
        if self._open_sessions.get(auth_session, 0.0) > now:
            return
        self._open_sessions.pop(auth_session, None)

        def ask() -> None:
            with self.engine.begin() as conn:
                auth.require_open(conn, auth_session)

        await anyio.to_thread.run_sync(ask)
        if self.settings.chat_access_ttl > 0:
            if len(self._open_sessions) > 10_000:
                self._open_sessions = {k: v for k, v in self._open_sessions.items() if v > now}
            self._open_sessions[auth_session] = now + self.settings.chat_access_ttl

    def _decide(self, host_token_id: int, reader: str, now: int) -> int | None:
        """Raises the refusal, or returns when the access granted lapses by time (None:
        never by time alone)."""
        chain_id = self.settings.chain_id
        with self.engine.begin() as conn:
            host = identities.by_token(conn, chain_id, host_token_id)
            if host is None:  # cannot happen while the indexer mirrors the identity
                raise NotFound("the session's host has no identity")
            decision = self.access.community_access(conn, host, reader, now)
        decision.enforce(host)
        return decision.until
