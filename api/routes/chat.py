"""The WebSocket chat of a live session, ``/live/{session_id}/chat``: the socket itself (the
handshake, both directions at once, close codes); what is said on it is
:mod:`api.services.chat`'s.

Close codes: a refused handshake closes with 4000 + the HTTP status the same refusal answers
over HTTP (4401, 4403, 4404) after one error frame, its close reason carrying the code as JSON
too; 1013 when the broker is unreachable or the socket fell too far behind (try again later);
1011 on an unexpected failure; 1000 when the session's chat ends normally.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable

import anyio
import anyio.abc
from fastapi import APIRouter, FastAPI, WebSocket
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from api.deps import bearer_token
from api.errors import ApiError, ErrorCode
from api.params import SessionId
from api.schemas import message_out
from api.services import chat, live
from api.services.chat import Listener
from api.services.chat_broker import OVERFLOW, Broker, BrokerUnavailable, Event, Subscription
from planet.core import logs

log = logs.get("api.live")
router = APIRouter(prefix="/live", tags=["live"])


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
        if self.ws.application_state == WebSocketState.DISCONNECTED:
            return
        with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
            await self.ws.close(code=code, reason=reason)


async def _refuse(socket: _Socket, err: ApiError) -> None:
    """Policy refusals close with 4000 + the HTTP status (4401, 4403, 4404) after one error
    frame; the close reason carries the code as JSON too."""
    with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
        await socket.ws.accept()
        await socket.send(chat.error_frame(err.code, err.message))
    await socket.close(4000 + err.status, json.dumps({"code": err.code}))


async def _receive(app: FastAPI, socket: _Socket, listener: Listener) -> None:
    broker: Broker = app.state.broker
    while True:
        message = await socket.ws.receive()
        if message["type"] == "websocket.disconnect":
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


async def _forward(app: FastAPI, socket: _Socket, listener: Listener, sub: Subscription) -> None:
    while True:
        event = await sub.get()
        if event == OVERFLOW:
            await socket.send(
                chat.error_frame(
                    ErrorCode.CHAT_OVERFLOW, "too far behind; reconnect and read the history"
                )
            )
            await socket.close(1013)
            return
        await socket.send(event)
        if event.get("type") == "status" and event.get("status") == live.LIVE:
            if listener.attends_on_start:
                await run_in_threadpool(chat.attend, _server(app), listener)


async def _until_done(group: anyio.abc.TaskGroup, direction: Awaitable[None]) -> None:
    """Runs one direction of a socket, then ends the other; a closed socket just ends it."""
    with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
        await direction
    group.cancel_scope.cancel()


@router.websocket("/{session_id}/chat")
async def chat_socket(
    websocket: WebSocket, session_id: SessionId, token: str | None = None
) -> None:
    """Real-time chat of a session. Authenticate with ``?token=`` (or ``Authorization:
    Bearer``); anonymous sockets may listen to public sessions. Send ``{"body": "..."}``;
    every socket of the session, on any API process, receives ``{"type": "message", ...}``.
    Also sent: ``{"type": "ready", ...}`` once subscribed, ``{"type": "status", ...}`` on
    start and end, and ``{"type": "error", "error": {"code", "message"}}`` for a refused
    frame. A refused handshake closes with 4401 / 4403 / 4404."""
    app: FastAPI = websocket.app
    socket = _Socket(websocket)
    token = token or await bearer_token(websocket)
    try:
        listener, row = await run_in_threadpool(chat.admit, _server(app), session_id, token)
    except ApiError as err:
        await _refuse(socket, err)
        return
    broker: Broker = app.state.broker
    try:
        await websocket.accept()
        async with broker.subscribe(chat.channel(app.state.settings, session_id)) as sub:
            await socket.send(chat.ready_event(listener, row))
            # Both directions at once; when one ends (the client left, or it fell behind)
            # the task group cancels the other.
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
    await socket.close(1000)
