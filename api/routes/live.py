"""Live sessions: schedule, list, start, end, chat history and the WebSocket chat.

Private sessions (``"visibility": "private"``) are gated like private posts: every route that
names one answers 401 without a session and 403 ``pass_required`` / ``pass_expired`` without
access to one of the host's passes, and listings leave them out for such readers.

Writes that others must hear about (start, end, a message) commit in their own transaction
and only then publish to the session's chat channel, so a listener never hears of a message
the database does not hold, and a broker outage loses the live delivery, never the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import anyio
import anyio.abc
import anyio.from_thread
from fastapi import APIRouter, Depends, FastAPI, Query, Request, WebSocket
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import Connection, Engine, RowMapping
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from api.db import in_transaction
from api.deps import Access, Chain, Conn, CurrentIdentity, Now, OptionalUser
from api.errors import (
    ApiError,
    IdentityRequired,
    NotAuthenticated,
    NotFound,
    Unprocessable,
    gated_responses,
    responses,
)
from api.params import SessionId, Text
from api.schemas import Author, Cursor, Limit, MessageOut, message_out, utc, utc_or_none
from api.services import identities, live, tokens
from api.services.chat_broker import (
    OVERFLOW,
    Broker,
    BrokerUnavailable,
    Subscription,
    channel_name,
)
from api.services.identities import Identity
from api.services.posts import PRIVATE
from planet.core import logs

log = logs.get("api.live")
router = APIRouter(prefix="/live", tags=["live"])

StatusFilter = Annotated[
    Literal["scheduled", "live", "ended"] | None,
    Query(description="Only sessions in this status"),
]

HostFilter = Annotated[
    Text | None, Query(min_length=1, max_length=64, description="Only this host's (handle)")
]
VisibilityFilter = Annotated[
    Literal["public", "private"] | None,
    Query(description="`private` needs `host` and access to the host's community"),
]


class LiveIn(BaseModel):
    title: Text = Field(min_length=1, max_length=200)
    description: Text = Field(default="", max_length=5_000)
    scheduled_at: AwareDatetime = Field(description="When it is announced to start; not past")
    visibility: Literal["public", "private"] = Field(
        default="public",
        description="`private`: only you and wallets with access to one of your community "
        "passes see it, its chat and its counts",
    )


class LiveOut(BaseModel):
    id: int
    host: Author
    title: str
    description: str
    visibility: Literal["public", "private"]
    status: live.Status
    scheduled_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    created_at: datetime
    attendee_count: int = Field(description="Distinct signed-in attendees (not the host)")
    message_count: int


class LivePage(BaseModel):
    items: list[LiveOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null: end")


class MessageIn(BaseModel):
    body: Text = Field(min_length=1, max_length=live.MAX_MESSAGE)


class SentMessageOut(MessageOut):
    delivered: bool = Field(
        description="Whether live listeners were sent it (false while the chat broker is "
        "unreachable; the message is stored either way)"
    )


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None


def _session(row: RowMapping, handle: str | None, counts: live.Counts) -> LiveOut:
    return LiveOut(
        id=row["id"],
        host=Author(token_id=row["host_token_id"], handle=handle, address=row["host_address"]),
        title=row["title"],
        description=row["description"],
        visibility=row["visibility"],
        status=live.status(row),
        scheduled_at=utc(row["scheduled_at"]),
        started_at=utc_or_none(row["started_at"]),
        ended_at=utc_or_none(row["ended_at"]),
        created_at=utc(row["created_at"]),
        attendee_count=counts.attendees,
        message_count=counts.messages,
    )


def _one(conn: Connection, row: RowMapping) -> LiveOut:
    handles = identities.handles(conn, row["chain_id"], {row["host_token_id"]})
    return _session(
        row, handles.get(row["host_token_id"]), live.counts(conn, [row["id"]])[row["id"]]
    )


def _message_event(message: MessageOut) -> dict[str, Any]:
    return {"type": "message", **message.model_dump(mode="json")}


def _status_event(row: RowMapping) -> dict[str, Any]:
    return {"type": "status", "session_id": row["id"], "status": live.status(row)}


def _channel(app: FastAPI, session_id: int) -> str:
    settings = app.state.settings
    return channel_name(settings.redis_channel_prefix, settings.chain_id, session_id)


def _engine(request: Request) -> Engine:
    return request.app.state.engine


EngineDep = Annotated[Engine, Depends(_engine)]


def _publish_from_thread(app: FastAPI, session_id: int, event: dict[str, Any]) -> bool:
    """Publishes from a sync route's worker thread; whether the broker took it."""
    broker: Broker = app.state.broker
    try:
        anyio.from_thread.run(broker.publish, _channel(app, session_id), event)
    except BrokerUnavailable:
        return False
    return True


def readable_session(
    session_id: SessionId, conn: Conn, chain: Chain, user: OptionalUser, moment: Now, access: Access
) -> RowMapping:
    """The session named by the path, if the (optional) signed-in wallet may see it."""
    reader = user.address if user is not None else None
    return live.readable(conn, chain.chain_id, session_id, reader, moment, access)


ReadableSession = Annotated[RowMapping, Depends(readable_session)]


@router.post("", status_code=201, response_model=LiveOut, responses=responses(401, 403, 422))
def schedule(body: LiveIn, conn: Conn, identity: CurrentIdentity, moment: Now) -> LiveOut:
    """Schedules a live session you host (403 ``identity_required``; 422
    ``scheduled_in_past``)."""
    row = live.create(
        conn,
        identity,
        body.title,
        body.description,
        int(body.scheduled_at.timestamp()),
        body.visibility,
        moment,
    )
    return _session(row, identity.handle, live.Counts(0, 0))


@router.get("", response_model=LivePage, responses=gated_responses(401, 403, 404, 422))
async def list_sessions(
    request: Request,
    chain: Chain,
    user: OptionalUser,
    moment: Now,
    access: Access,
    status: StatusFilter = None,
    host: HostFilter = None,
    visibility: VisibilityFilter = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> LivePage:
    """Sessions newest first. Private sessions appear only for their host and wallets with
    access to one of the host's passes; others never see them, nor their titles or counts.
    ``visibility=private`` lists one host's private sessions (with ``host``; 422
    ``host_required``) and answers 401 / 403 ``pass_required`` / ``pass_expired`` like the
    sessions themselves. 404: no such host; 422 ``invalid_cursor``."""
    reader = user.address if user is not None else None

    def read(conn: Connection) -> live.SessionPage:
        host_identity = None
        if host is not None:
            host_identity = identities.by_handle(conn, chain.chain_id, host)
            if host_identity is None:
                raise NotFound(f"no identity with handle {host!r}")
        if visibility == PRIVATE:
            if host_identity is None:
                raise Unprocessable(
                    "visibility=private lists one host's community: add ?host=<handle>",
                    code="host_required",
                )
            live.community_access(conn, host_identity, reader, moment, access)
        return live.page(
            conn,
            chain.chain_id,
            reader,
            moment,
            access,
            status,
            cursor,
            limit,
            host=host_identity,
            visibility=visibility,
        )

    page = await in_transaction(request, read)
    return LivePage(
        items=[
            _session(r, page.handles.get(r["host_token_id"]), page.counts[r["id"]])
            for r in page.rows
        ],
        next_cursor=page.next_cursor,
    )


@router.get("/{session_id}", response_model=LiveOut, responses=gated_responses(401, 403, 404))
def get_session(row: ReadableSession, conn: Conn) -> LiveOut:
    return _one(conn, row)


def _transition(
    request: Request, engine: Engine, identity: Identity, session_id: int, moment: int, to: str
) -> LiveOut:
    with engine.begin() as conn:
        if to == live.LIVE:
            row = live.start(conn, identity, session_id, moment)
        else:
            row = live.end(conn, identity, session_id, moment)
        out = _one(conn, row)
    _publish_from_thread(request.app, session_id, _status_event(row))
    return out


@router.post("/{session_id}/start", response_model=LiveOut, responses=responses(401, 403, 404, 409))
def start(
    session_id: SessionId,
    request: Request,
    engine: EngineDep,
    identity: CurrentIdentity,
    moment: Now,
) -> LiveOut:
    """Starts your scheduled session; chat opens (403 ``not_host``; 409
    ``session_already_started`` / ``session_ended``)."""
    return _transition(request, engine, identity, session_id, moment, live.LIVE)


@router.post("/{session_id}/end", response_model=LiveOut, responses=responses(401, 403, 404, 409))
def end(
    session_id: SessionId,
    request: Request,
    engine: EngineDep,
    identity: CurrentIdentity,
    moment: Now,
) -> LiveOut:
    """Ends your live session; chat closes to new messages (403 ``not_host``; 409
    ``session_not_live`` / ``session_ended``)."""
    return _transition(request, engine, identity, session_id, moment, live.ENDED)


@router.get(
    "/{session_id}/messages",
    response_model=MessagePage,
    responses=gated_responses(401, 403, 404, 422),
)
def list_messages(
    row: ReadableSession, conn: Conn, chain: Chain, cursor: Cursor = None, limit: Limit = 50
) -> MessagePage:
    """The chat history, oldest first."""
    page = live.message_page(conn, chain.chain_id, row["id"], cursor, limit)
    return MessagePage(
        items=[message_out(r, page.handles.get(r["token_id"])) for r in page.rows],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/{session_id}/messages",
    status_code=201,
    response_model=SentMessageOut,
    responses=gated_responses(401, 403, 404, 409, 422, 429),
)
def send_message(
    session_id: SessionId,
    body: MessageIn,
    request: Request,
    engine: EngineDep,
    chain: Chain,
    identity: CurrentIdentity,
    moment: Now,
    access: Access,
) -> SentMessageOut:
    """Sends a chat message while the session is live (409 ``session_not_live`` /
    ``session_ended``; 422 ``empty_message``); every chat socket receives it."""
    with engine.begin() as conn:
        row = live.readable(conn, chain.chain_id, session_id, identity.owner, moment, access)
        message = message_out(live.send(conn, row, identity, body.body, moment), identity.handle)
    delivered = _publish_from_thread(request.app, session_id, _message_event(message))
    return SentMessageOut(**message.model_dump(), delivered=delivered)


# --- WebSocket chat -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Listener:
    """Who opened a chat socket, decided once at the handshake."""

    session_id: int
    host_token_id: int
    token: str | None
    address: str | None
    token_id: int | None


def _error_frame(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "error": {"code": code, "message": message}, **extra}


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def _verify(app: FastAPI, token: str, now: int) -> tokens.Session:
    settings = app.state.settings
    return tokens.verify(settings.session_secret.get_secret_value(), token, settings.chain_id, now)


def _open(app: FastAPI, session_id: int, token: str | None) -> tuple[_Listener, RowMapping]:
    """Authenticates and gates a chat handshake; an identified listener of a live session
    becomes an attendee. Raises the :class:`ApiError` the socket is closed with."""
    now = int(app.state.clock())
    chain_id = app.state.settings.chain_id
    user = _verify(app, token, now) if token else None
    address = user.address if user is not None else None
    with app.state.engine.begin() as conn:
        row = live.readable(conn, chain_id, session_id, address, now, app.state.access)
        identity = identities.by_owner(conn, chain_id, address) if address else None
        if identity is not None:
            live.attend(conn, row, identity, now)
    listener = _Listener(
        session_id,
        row["host_token_id"],
        token,
        address,
        identity.token_id if identity is not None else None,
    )
    return listener, row


def _store(app: FastAPI, listener: _Listener, body: object) -> MessageOut:
    """Stores one message sent on a socket, re-checking what may have changed since the
    handshake: the token's expiry, the identity, access to a private session, its status."""
    if listener.token is None or listener.address is None:
        raise NotAuthenticated("sign in to chat: connect with ?token=<session token>")
    now = int(app.state.clock())
    chain_id = app.state.settings.chain_id
    _verify(app, listener.token, now)
    with app.state.engine.begin() as conn:
        identity = identities.by_owner(conn, chain_id, listener.address)
        if identity is None:
            raise IdentityRequired()
        row = live.readable(
            conn, chain_id, listener.session_id, listener.address, now, app.state.access
        )
        return message_out(live.send(conn, row, identity, body, now), identity.handle)


def _attend(app: FastAPI, listener: _Listener) -> None:
    """An identified listener who was waiting when the session started attends it."""
    now = int(app.state.clock())
    chain_id = app.state.settings.chain_id
    with app.state.engine.begin() as conn:
        identity = identities.by_owner(conn, chain_id, listener.address or "")
        if identity is not None:
            live.attend(conn, live.get(conn, chain_id, listener.session_id), identity, now)


_MAX_FRAME = 4 * live.MAX_MESSAGE + 1_024  # room for JSON escapes; parsed only below it


def _body_of(message: dict[str, Any]) -> object:
    """The ``body`` of a client frame; :class:`ApiError` ``invalid_frame`` if it is not
    a JSON object with one."""
    text = message.get("text")
    if text is None:
        raise ApiError('send JSON text frames: {"body": "..."}', code="invalid_frame")
    if len(text) > _MAX_FRAME:
        raise ApiError(f"frames are at most {_MAX_FRAME} characters", code="frame_too_large")
    try:
        frame = json.loads(text)
    except ValueError:
        raise ApiError(
            'the frame is not JSON; send {"body": "..."}', code="invalid_frame"
        ) from None
    if not isinstance(frame, dict) or "body" not in frame:
        raise ApiError('send a JSON object: {"body": "..."}', code="invalid_frame")
    return frame["body"]


class _Socket:
    """One chat socket: sends serialised (two tasks write to it), errors never escape."""

    def __init__(self, websocket: WebSocket) -> None:
        self.ws = websocket
        self._lock = asyncio.Lock()

    async def send(self, event: dict[str, Any]) -> None:
        async with self._lock:
            await self.ws.send_json(event)

    async def close(self, code: int, reason: str = "") -> None:
        if self.ws.application_state == WebSocketState.DISCONNECTED:
            return
        with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
            await self.ws.close(code=code, reason=reason)


async def _refuse(socket: _Socket, err: ApiError) -> None:
    """Policy refusals close with 4000 + the HTTP status (4401, 4403, 4404) after one error
    frame; the close reason carries the code as JSON too."""
    with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
        await socket.ws.accept()
        await socket.send(_error_frame(err.code, err.message))
    await socket.close(4000 + err.status, json.dumps({"code": err.code}))


async def _receive(app: FastAPI, socket: _Socket, listener: _Listener) -> None:
    broker: Broker = app.state.broker
    while True:
        message = await socket.ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        try:
            body = _body_of(message)
            if listener.address is not None:
                app.state.identity_limiter.take(f"wallet:{listener.address}")
            stored = await run_in_threadpool(_store, app, listener, body)
        except ApiError as err:
            await socket.send(_error_frame(err.code, err.message))
            continue
        try:
            await broker.publish(_channel(app, listener.session_id), _message_event(stored))
        except BrokerUnavailable as err:
            await socket.send(
                _error_frame(
                    "chat_unavailable",
                    f"{err}; your message {stored.id} was saved and is in the history",
                    id=stored.id,
                )
            )


async def _forward(app: FastAPI, socket: _Socket, listener: _Listener, sub: Subscription) -> None:
    while True:
        event = await sub.get()
        if event == OVERFLOW:
            await socket.send(
                _error_frame("chat_overflow", "too far behind; reconnect and read the history")
            )
            await socket.close(1013)
            return
        await socket.send(event)
        if event.get("type") == "status" and event.get("status") == live.LIVE:
            if listener.token_id is not None and listener.token_id != listener.host_token_id:
                await run_in_threadpool(_attend, app, listener)


async def _until_done(group: anyio.abc.TaskGroup, direction: Awaitable[None]) -> None:
    """Runs one direction of a socket, then ends the other; a closed socket just ends it."""
    with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
        await direction
    group.cancel_scope.cancel()


@router.websocket("/{session_id}/chat")
async def chat(websocket: WebSocket, session_id: SessionId, token: str | None = None) -> None:
    """Real-time chat of a session. Authenticate with ``?token=`` (or ``Authorization:
    Bearer``); anonymous sockets may listen to public sessions. Send ``{"body": "..."}``;
    every socket of the session, on any API process, receives ``{"type": "message", ...}``.
    Also sent: ``{"type": "ready", ...}`` once subscribed, ``{"type": "status", ...}`` on
    start and end, and ``{"type": "error", "error": {"code", "message"}}`` for a refused
    frame. A refused handshake closes with 4401 / 4403 / 4404."""
    app: FastAPI = websocket.app
    socket = _Socket(websocket)
    token = token or _bearer(websocket.headers.get("authorization"))
    try:
        listener, row = await run_in_threadpool(_open, app, session_id, token)
    except ApiError as err:
        await _refuse(socket, err)
        return
    broker: Broker = app.state.broker
    try:
        await websocket.accept()
        async with broker.subscribe(_channel(app, session_id)) as sub:
            await socket.send(
                {
                    "type": "ready",
                    "session_id": session_id,
                    "status": live.status(row),
                    "can_send": listener.token_id is not None,
                }
            )
            # Both directions at once; when one ends (the client left, or it fell behind)
            # the task group cancels the other.
            async with anyio.create_task_group() as group:
                group.start_soon(_until_done, group, _receive(app, socket, listener))
                group.start_soon(_until_done, group, _forward(app, socket, listener, sub))
    except BrokerUnavailable as err:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
            await socket.send(_error_frame("chat_unavailable", str(err)))
        await socket.close(1013)
        return
    except (WebSocketDisconnect, OSError):
        return
    except Exception as err:  # never a stack trace to the client; the socket just closes
        log.error("chat socket failed", session_id=session_id, error=type(err).__name__)
        await socket.close(1011)
        return
    await socket.close(1000)
