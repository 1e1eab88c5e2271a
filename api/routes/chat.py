"""The WebSocket chat of a live session, ``/live/{session_id}/chat``: the socket itself (the
handshake, both directions at once, close codes), and the ticket that opens it signed in;
what is said on it is :mod:`api.services.chat`'s.

Signing in: ``POST /live/{id}/chat/ticket`` (signed in, with access) answers a single-use
ticket valid for seconds, and the socket is opened with ``?ticket=``; clients that can set
headers may send ``Authorization: Bearer <session token>`` instead. A session token in the URL
(``?token=``) is refused (4401 ``token_in_url``): URLs are written to access logs.

Close codes: a refused handshake, or a socket whose listener may no longer hear the session
(checked before every delivery, and on an idle socket when its token expires or every
:data:`IDLE_RECHECK` seconds on a private session), closes with 4000 + the HTTP status the
same refusal answers over HTTP (4401, 4403, 4404, and 4429 for too many sockets from one IP
or a frame flood) after one error frame, its close reason carrying the code as JSON too;
1013 when the broker is unreachable or the socket fell too far behind (try again later); 1011
on an unexpected failure; 1000 when the session ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable
from datetime import datetime

import anyio
import anyio.abc
from fastapi import APIRouter, FastAPI, Query, WebSocket
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from api.deps import Conn, CurrentUser, Now, ReadableSession, Settings, bearer_token
from api.errors import ApiError, ErrorCode, InvalidToken, gated_responses
from api.params import SessionId
from api.schemas import message_out, utc
from api.services import chat, chat_tickets, live
from api.services.chat import Listener
from api.services.chat_broker import OVERFLOW, Broker, BrokerUnavailable, Event, Subscription
from planet.core import logs

log = logs.get("api.live")
router = APIRouter(prefix="/live", tags=["live"])


class TicketOut(BaseModel):
    ticket: str = Field(description="Open the socket with ?ticket=<ticket>; usable once")
    expires_at: datetime = Field(description="Unusable after this (seconds from now)")
    url: str = Field(description="The socket's path with the ticket, to append to ws(s)://host")


@router.post(
    "/{session_id}/chat/ticket",
    status_code=201,
    response_model=TicketOut,
    responses=gated_responses(401, 403, 404, 429),
)
def chat_ticket(
    row: ReadableSession, conn: Conn, settings: Settings, user: CurrentUser, moment: Now
) -> TicketOut:
    """A single-use ticket that opens this session's chat socket signed in as you, valid for
    ``chat_ticket_ttl`` seconds (30 by default): ``/live/{id}/chat?ticket=<ticket>``. Bound to
    this session and your wallet; the socket then lives until your session token expires.
    401 without a session; 403 ``pass_required`` / ``pass_expired`` for a private session you
    may not read."""
    ticket, expires_at = chat_tickets.issue(conn, settings, row["id"], user, moment)
    return TicketOut(
        ticket=ticket,
        expires_at=utc(expires_at),
        url=f"/live/{row['id']}/chat?ticket={ticket}",
    )


def _server(app: FastAPI) -> chat.Server:
    state = app.state
    return chat.Server(state.engine, state.settings, state.access, int(state.clock()))


class _Socket:
    """One chat socket: sends serialised (two tasks write to it), errors never escape."""

    def __init__(self, websocket: WebSocket) -> None:
        self.ws = websocket
        self._lock = asyncio.Lock()

    async def send(self, event: Event) -> None:
        async with self._lock:
            await self.ws.send_json(event)

    async def close(self, code: int, reason: str = "") -> None:
        async with self._lock:
            if self.ws.application_state == WebSocketState.DISCONNECTED:
                return
            with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
                await self.ws.close(code=code, reason=reason)

    async def shut(self, err: ApiError) -> None:
        """Closes with 4000 + the HTTP status (4401, 4403, 4404, 4429) after one error frame;
        the close reason carries the code as JSON too."""
        with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
            if self.ws.application_state == WebSocketState.CONNECTING:
                await self.ws.accept()
            await self.send(chat.error_frame(err.code, err.message))
        await self.close(4000 + err.status, _reason(err.code))


def _reason(code: ErrorCode) -> str:
    return json.dumps({"code": code})


class _Flood(ApiError):
    status, code = 429, ErrorCode.CHAT_FLOOD


class _TooManySockets(ApiError):
    status, code = 429, ErrorCode.TOO_MANY_SOCKETS


def _flood_key(listener: Listener, socket: _Socket) -> str:
    """A wallet's frames count together over all its sockets; an anonymous socket's alone."""
    return f"wallet:{listener.address}" if listener.address else f"socket:{id(socket)}"


async def _receive(app: FastAPI, socket: _Socket, listener: Listener) -> None:
    broker: Broker = app.state.broker
    flood = app.state.chat_flood
    key = _flood_key(listener, socket)
    settings = app.state.settings
    while True:
        message = await socket.ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        if not flood.hit(key):
            await socket.shut(
                _Flood(
                    f"more than {settings.chat_flood_frames} frames in "
                    f"{settings.chat_flood_window:g} s; slow down and reconnect"
                )
            )
            return
        try:
            body = chat.body_of(message.get("text"))
            if listener.address is not None:
                app.state.identity_limiter.take(f"wallet:{listener.address}")
            row, sender = await run_in_threadpool(chat.store, _server(app), listener, body)
        except ApiError as err:
            await socket.send(chat.error_frame(err.code, err.message))
            continue
        stored = message_out(row, sender.handle)
        event = chat.message_event(stored.model_dump(mode="json"))
        try:
            await broker.publish(chat.channel(app.state.settings, listener.session_id), event)
        except BrokerUnavailable as err:
            await socket.send(
                chat.error_frame(
                    ErrorCode.CHAT_UNAVAILABLE,
                    f"{err}; your message {stored.id} was saved and is in the history",
                    id=stored.id,
                )
            )


def _ended(event: Event) -> bool:
    return event.get("type") == "status" and event.get("status") == live.ENDED


IDLE_RECHECK = 30.0  # seconds an idle socket of a private session goes unchecked, at most


def _idle_wait(listener: Listener, now: int) -> float | None:
    """How long a socket may wait for its next event before the gate looks at it anyway: until
    its token expires, and at most :data:`IDLE_RECHECK` on a private session, so a socket that
    hears nothing does not outlive its token or its access (None: an anonymous listener of a
    public session, which nothing ends but the session)."""
    waits = []
    if listener.expires_at is not None:
        waits.append(float(max(1, listener.expires_at - now)))
    if listener.private:
        waits.append(IDLE_RECHECK)
    return min(waits) if waits else None


async def _forward(app: FastAPI, socket: _Socket, listener: Listener, sub: Subscription) -> None:
    gate: chat.DeliveryGate = app.state.chat_gate
    while True:
        try:
            event = await asyncio.wait_for(sub.get(), _idle_wait(listener, int(app.state.clock())))
        except TimeoutError:
            try:
                await gate.check(listener, int(app.state.clock()))
            except ApiError as err:
                await socket.shut(err)
                return
            continue
        if event == OVERFLOW:
            await socket.send(
                chat.error_frame(
                    ErrorCode.CHAT_OVERFLOW, "too far behind; reconnect and read the history"
                )
            )
            await socket.close(1013)
            return
        # Every delivery is gated: whoever lost access (or whose token expired) since the
        # handshake is closed before hearing another word.
        try:
            await gate.check(listener, int(app.state.clock()))
        except ApiError as err:
            await socket.shut(err)
            return
        await socket.send(event)
        if _ended(event):
            await socket.close(1000, _reason(ErrorCode.SESSION_ENDED))
            return
        if event.get("type") == "status" and event.get("status") == live.LIVE:
            if listener.attends_on_start:
                await run_in_threadpool(chat.attend, _server(app), listener)


async def _until_done(group: anyio.abc.TaskGroup, direction: Awaitable[None]) -> None:
    """Runs one direction of a socket, then ends the other; a closed socket just ends it."""
    with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
        await direction
    group.cancel_scope.cancel()


def _client_ip(websocket: WebSocket) -> str:
    return websocket.client.host if websocket.client else "unknown"


@router.websocket("/{session_id}/chat")
async def chat_socket(
    websocket: WebSocket,
    session_id: SessionId,
    ticket: str | None = Query(default=None, max_length=200),
    token: str | None = Query(default=None, include_in_schema=False),
) -> None:
    """Real-time chat of a session. Sign in with ``?ticket=`` (from ``POST
    /live/{id}/chat/ticket``) or ``Authorization: Bearer``, never a session token in the URL
    (4401 ``token_in_url``); anonymous sockets may listen to public sessions. Send ``{"body":
    "..."}``; every socket of the session, on any API process, receives ``{"type": "message",
    ...}``. Also sent: ``{"type": "ready", ...}`` once subscribed, ``{"type": "status", ...}``
    on start and end (then the socket closes, 1000), ``{"type": "moderated", "session_id",
    "message_id", "label", "body"}`` when the risk role hides a message (``label`` e.g.
    ``"scam"``, ``body`` empty) or restores it (``label`` null, ``body`` its text), and
    ``{"type": "error", "error": {"code", "message"}}`` for a refused frame. Closes with
    4401 / 4403 when the token expires or access is lost (checked before every delivery), 4404
    for no such session, 4429 for too many sockets from one IP or too many frames."""
    app: FastAPI = websocket.app
    socket = _Socket(websocket)
    settings = app.state.settings
    if token is not None:
        await socket.shut(
            InvalidToken(
                "session tokens are not taken in the URL (it ends up in logs): open the socket "
                "with ?ticket= from POST /live/{id}/chat/ticket, or send Authorization: Bearer",
                code=ErrorCode.TOKEN_IN_URL,
            )
        )
        return
    ip = _client_ip(websocket)
    sockets = app.state.chat_sockets
    if not sockets.acquire(ip):
        await socket.shut(
            _TooManySockets(
                f"this address already holds {settings.chat_sockets_per_ip} chat sockets; "
                "close one first"
            )
        )
        return
    try:
        await _serve(app, socket, session_id, ticket)
    finally:
        sockets.release(ip)


async def _serve(app: FastAPI, socket: _Socket, session_id: int, ticket: str | None) -> None:
    websocket = socket.ws
    header_token = await bearer_token(websocket) if ticket is None else None
    try:
        listener, _ = await run_in_threadpool(
            chat.admit, _server(app), session_id, ticket, header_token
        )
    except ApiError as err:
        await socket.shut(err)
        return
    broker: Broker = app.state.broker
    try:
        await websocket.accept()
        async with broker.subscribe(chat.channel(app.state.settings, session_id)) as sub:
            # read again now that the socket listens: an end in between is not missed
            row = await run_in_threadpool(chat.session_row, _server(app), session_id)
            await socket.send(chat.ready_event(listener, row))
            if live.status(row) == live.ENDED:
                await socket.close(1000, _reason(ErrorCode.SESSION_ENDED))
                return
            # Both directions at once; when one ends (the client left, it fell behind, or it
            # may no longer listen) the task group cancels the other.
            async with anyio.create_task_group() as group:
                group.start_soon(_until_done, group, _receive(app, socket, listener))
                group.start_soon(_until_done, group, _forward(app, socket, listener, sub))
    except BrokerUnavailable as err:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
            await socket.send(chat.error_frame(ErrorCode.CHAT_UNAVAILABLE, str(err)))
        await socket.close(1013)
        return
    except (WebSocketDisconnect, OSError):
        return
    except Exception as err:  # never a stack trace to the client; the socket just closes
        log.error("chat socket failed", session_id=session_id, error=type(err).__name__)
        await socket.close(1011)
        return
    finally:
        app.state.chat_flood.forget(f"socket:{id(socket)}")
    await socket.close(1000)
