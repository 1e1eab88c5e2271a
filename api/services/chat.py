"""The live chat protocol, apart from the WebSocket that carries it (:mod:`api.routes.chat`):
who a socket's listener is, what a client frame may say, what events and error frames look
like, and the checks each message goes through.

A socket authenticates through :func:`api.services.auth.authenticate`, the check every HTTP
request's token goes through, once at the handshake and again for every message: a socket
may stay open for hours, and the token may expire, the wallet lose its identity or its pass,
or the session end in the meantime.

Events are what the broker carries to every socket of a session (and what HTTP routes publish
when they start or end a session or store a message); frames are what one socket sends its
own client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, RowMapping

from api.errors import ApiError, ErrorCode, NotAuthenticated
from api.json_depth import json_depth_exceeds
from api.services import auth, identities, live
from api.services.access import AccessPolicy
from api.services.chat_broker import Event, channel_name
from api.services.identities import Identity
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
    """Who opened a chat socket, decided once at the handshake."""

    session_id: int
    host_token_id: int
    token: str | None
    address: str | None
    token_id: int | None

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


def status_event(row: RowMapping) -> Event:
    return {"type": "status", "session_id": row["id"], "status": live.status(row)}


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


def admit(server: Server, session_id: int, token: str | None) -> tuple[Listener, RowMapping]:
    """Authenticates and gates a chat handshake; an identified listener of a live session
    becomes an attendee. Raises the :class:`ApiError` the socket is closed with."""
    with server.engine.begin() as conn:
        user = auth.authenticate(conn, server.settings, token, server.now) if token else None
        address = user.address if user is not None else None
        row = live.readable(
            conn, server.settings.chain_id, session_id, address, server.now, server.access
        )
        identity = auth.identity_of(conn, user) if user is not None else None
        if identity is not None:
            live.attend(conn, row, identity, server.now)
    listener = Listener(
        session_id,
        row["host_token_id"],
        token,
        address,
        identity.token_id if identity is not None else None,
    )
    return listener, row


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
    if listener.token is None or listener.address is None:
        raise NotAuthenticated("sign in to chat: connect with ?token=<session token>")
    with server.engine.begin() as conn:
        user = auth.authenticate(conn, server.settings, listener.token, server.now)
        identity = auth.require_identity(conn, user)
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
