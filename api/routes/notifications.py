"""Your notifications: the paged list with read markers, and the live stream (Server-Sent
Events) that delivers new ones as they are written, on whichever API process.

What is notified, and what a notification may say, is :mod:`api.services.notifications`'s;
the live delivery is :mod:`api.services.notifier`'s.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import Connection, RowMapping
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from api.db import in_transaction, transaction
from api.deps import Conn, CurrentIdentity, NotifierDep, Now, Settings, bearer_token, signed_in
from api.errors import ApiError, ErrorCode, NotAuthenticated, responses
from api.params import MAX_ID, BodyId
from api.schemas import Author, Cursor, Limit, utc, utc_or_none
from api.services import auth, notifications
from api.services.chat_broker import Broker, BrokerUnavailable, Subscription
from api.services.identities import Identity
from api.services.notifier import Notifier

router = APIRouter(prefix="/notifications", tags=["notifications"])

Kind = Literal[
    "post",
    "live",
    "comment",
    "like",
    "pass_expiring",
    "pass_lapsed",
    "reward_claimable",
    "attestation_revoked",
]

HEARTBEAT = 15.0  # seconds between a stream's checks (and keep-alive comments) when idle
BACKLOG = 100  # notifications a stream sends at once when it catches up


class NotificationOut(BaseModel):
    id: int
    kind: Kind
    text: str = Field(description="What happened, in one sentence")
    excerpt: str | None = Field(
        description="The start of the public post or comment it is about; null for private "
        "content, whoever reads it"
    )
    link: str | None = Field(description="The web app's page about it (e.g. /post/7)")
    actor: Author | None = Field(description="Who did it (posts, live, comments, likes)")
    post_id: int | None
    comment_id: int | None
    session_id: int | None
    created_at: datetime
    read: bool
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null: end")
    unread: int = Field(description="Your unread notifications in all, across pages")


class ReadIn(BaseModel):
    """Exactly one of ``up_to`` (every notification with an id up to it) or ``ids``."""

    up_to: BodyId | None = Field(default=None, description="Mark every one up to this id read")
    ids: list[BodyId] | None = Field(
        default=None, min_length=1, max_length=100, description="Mark these read"
    )

    @model_validator(mode="after")
    def _one_of(self) -> ReadIn:
        if (self.up_to is None) == (self.ids is None):
            raise ValueError("send exactly one of up_to or ids")
        return self


class ReadOut(BaseModel):
    marked: int = Field(description="How many changed from unread to read")
    unread: int = Field(description="Your unread notifications left")


def notification_out(row: RowMapping) -> NotificationOut:
    shown = notifications.render(row)
    actor = None
    if row["actor_token_id"] is not None and row["actor_address"] is not None:
        actor = Author(
            token_id=row["actor_token_id"],
            handle=row["actor_handle"],
            address=row["actor_address"],
        )
    return NotificationOut(
        id=row["id"],
        kind=row["kind"],
        text=shown.text,
        excerpt=shown.excerpt,
        link=shown.link,
        actor=actor,
        post_id=row["post_id"],
        comment_id=row["comment_id"],
        session_id=row["session_id"],
        created_at=utc(row["created_at"]),
        read=row["read_at"] is not None,
        read_at=utc_or_none(row["read_at"]),
    )


@router.get("", response_model=NotificationPage, responses=responses(401, 403, 422))
async def list_notifications(
    request: Request,
    settings: Settings,
    moment: Now,
    notifier: NotifierDep,
    token: Annotated[str | None, Depends(bearer_token)],
    cursor: Cursor = None,
    limit: Limit = 20,
    unread: Annotated[bool, Query(description="Only the ones not yet read")] = False,
) -> NotificationPage:
    """Your notifications, newest first (needs ``Authorization: Bearer``; 403
    ``identity_required``; 422 ``invalid_cursor``). Reading first looks for what the chain has
    for you (passes, rewards, revocations), so those are here without waiting for the server's
    scheduled scan. One transaction on one worker thread, as the feed's: a read this frequent
    (every page load of a signed-in client) should not pay a thread hop per dependency."""

    def read(conn: Connection) -> notifications.Page:
        identity = auth.require_identity(conn, signed_in(request, conn, settings, token, moment))
        notifier.scan_for(conn, identity.token_id, identity.owner)
        return notifications.page(conn, identity, cursor, limit, unread)

    page = await in_transaction(request, read)
    return NotificationPage(
        items=[notification_out(r) for r in page.rows],
        next_cursor=page.next_cursor,
        unread=page.unread,
    )


@router.post("/read", response_model=ReadOut, responses=responses(401, 403, 422))
def mark_read(body: ReadIn, conn: Conn, identity: CurrentIdentity, moment: Now) -> ReadOut:
    """Marks your notifications read: every one up to ``up_to``, or those in ``ids``
    (idempotent; ids that are not yours change nothing)."""
    marked = notifications.mark_read(conn, identity, body.up_to, body.ids, moment)
    return ReadOut(marked=marked, unread=notifications.unread_count(conn, identity))


_STREAM_DOC = (
    "A `text/event-stream` (Server-Sent Events): `event: ready` first (`data`: your unread "
    "count and the last id), then one `event: notification` per new notification (`id`: its "
    "id, `data`: the same object as in the list), `: keep-alive` comments while idle, and "
    '`event: error` (`data`: `{"error": {code, message}}`) before it closes when your '
    "session expires or is signed out."
)


class _Polling:
    """A subscription that never hears anything: while the broker is down, a stream checks
    the database every :data:`HEARTBEAT` seconds instead."""

    async def get(self) -> dict[str, Any]:
        await asyncio.Event().wait()
        return {}


@asynccontextmanager
async def _subscribed(broker: Broker, channel: str) -> AsyncIterator[Subscription | _Polling]:
    listening: AbstractAsyncContextManager[Subscription] | None = None
    try:
        listening = broker.subscribe(channel)
        sub = await listening.__aenter__()
    except BrokerUnavailable:
        listening = None
        yield _Polling()
        return
    try:
        yield sub
    finally:
        await listening.__aexit__(None, None, None)


def _frame(event: str, data: Any, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


class _Stream(StreamingResponse):
    """A streaming answer that runs ``on_close`` however it ends (finished, the client gone,
    or cancelled before its first byte, when the body's own ``finally`` would never run)."""

    def __init__(
        self, content: AsyncIterator[str], on_close: Callable[[], None], **kw: Any
    ) -> None:
        super().__init__(content, **kw)
        self._on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._on_close()


class _TooManyStreams(ApiError):
    status, code = 429, ErrorCode.TOO_MANY_STREAMS


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": _STREAM_DOC,
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **responses(401, 403, 422),
    },
)
async def stream(
    request: Request,
    settings: Settings,
    token: Annotated[str | None, Depends(bearer_token)],
    last_event_id: Annotated[
        int | None,
        Header(
            ge=0,
            le=MAX_ID,
            description="The id of the last notification you received: the stream first "
            "sends the ones after it (what you missed while disconnected)",
        ),
    ] = None,
) -> StreamingResponse:
    """Your new notifications as they are written, on any API process (needs
    ``Authorization: Bearer``; 403 ``identity_required``; 429 ``too_many_streams``). It
    closes after ``notification_stream_seconds`` (300 by default): reconnect with
    ``Last-Event-ID`` and nothing is missed."""
    app = request.app
    moment = int(app.state.clock())

    def admit() -> tuple[Identity, int, int, int]:
        if token is None:
            raise NotAuthenticated("sign in: send 'Authorization: Bearer <token>'")
        with transaction(app.state.engine) as conn:
            session = auth.authenticate(conn, settings, token, moment)
            identity = auth.require_identity(conn, session)
            latest = notifications.latest_id(conn, identity)
            unread = notifications.unread_count(conn, identity)
        return identity, latest, unread, session.expires_at

    identity, latest, unread, expires_at = await run_in_threadpool(admit)
    host = request.client.host if request.client else "unknown"
    streams = app.state.notification_streams
    if not streams.acquire(host):
        raise _TooManyStreams(
            f"this address already holds {settings.notification_streams_per_ip} notification "
            "streams; close one first"
        )
    start = last_event_id if last_event_id is not None else latest
    notifier: Notifier = app.state.notifier

    def read_new(after: int) -> list[NotificationOut] | ApiError:
        now = int(app.state.clock())
        with transaction(app.state.engine) as conn:
            try:
                auth.authenticate(conn, settings, token or "", now)
            except ApiError as err:
                return err
            rows = notifications.since(conn, identity, after, BACKLOG)
        return [notification_out(r) for r in rows]

    async def events() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + settings.notification_stream_seconds
        last = start
        channel = notifier.channel(identity.chain_id, identity.token_id)
        async with _subscribed(notifier.broker, channel) as sub:
            yield "retry: 1000\n\n"
            yield _frame("ready", {"unread": unread, "last_id": latest})
            # subscribed first, then read: nothing written in between is missed
            while True:
                fresh = await run_in_threadpool(read_new, last)
                if isinstance(fresh, ApiError):
                    yield _frame("error", {"error": {"code": fresh.code, "message": fresh.message}})
                    return
                for item in fresh:
                    last = max(last, item.id)
                    yield _frame("notification", item.model_dump(mode="json"), item.id)
                if len(fresh) == BACKLOG:
                    continue  # more to catch up on
                left = deadline - loop.time()
                if left <= 0:
                    return
                # wake on a poke, or after HEARTBEAT anyway (a lost poke, a token expiring)
                wait = min(HEARTBEAT, left, max(1.0, expires_at - app.state.clock()))
                try:
                    await asyncio.wait_for(sub.get(), wait)
                except TimeoutError:
                    yield ": keep-alive\n\n"

    return _Stream(
        events(),
        on_close=lambda: streams.release(host),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
