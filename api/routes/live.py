"""Live sessions: schedule, list, start, end and the chat history. The WebSocket chat of a
session is :mod:`api.routes.chat`.

Private sessions (``"visibility": "private"``) are gated like private posts: every route that
names one answers 401 without a session and 403 ``pass_required`` / ``pass_expired`` without
access to one of the host's passes, and listings leave them out for such readers.

Writes that others must hear about (start, end, a message) commit in their own transaction
and only then publish to the session's chat channel, so a listener never hears of a message
the database does not hold, and a broker outage loses the live delivery, never the message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import Connection, Engine, RowMapping

from api.db import in_transaction, transaction
from api.deps import (
    Access,
    Chain,
    Conn,
    CurrentIdentity,
    Now,
    ReadableSession,
    Settings,
    bearer_token,
    reader_of,
)
from api.errors import ErrorCode, NotFound, Unprocessable, gated_responses, responses
from api.params import SessionId, Text
from api.schemas import Author, Cursor, Limit, MessageOut, message_out, utc, utc_or_none
from api.services import chat, identities, live, notifications
from api.services.chat_broker import Event
from api.services.identities import Identity
from api.services.notifier import Notifier
from api.services.posts import PRIVATE

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


def _engine(request: Request) -> Engine:
    return request.app.state.engine


EngineDep = Annotated[Engine, Depends(_engine)]


def _publish_from_thread(app: FastAPI, session_id: int, event: Event) -> bool:
    """Publishes from a sync route's worker thread to the session's chat sockets; whether the
    broker took it."""
    return chat.publish_from_thread(app.state.broker, app.state.settings, session_id, event)


@router.post("", status_code=201, response_model=LiveOut, responses=responses(401, 403, 409, 422))
def schedule(
    body: LiveIn, conn: Conn, identity: CurrentIdentity, moment: Now, settings: Settings
) -> LiveOut:
    """Schedules a live session you host (403 ``identity_required``; 422
    ``scheduled_in_past``; 409 ``too_many_open_sessions`` when you already hold
    ``live_open_sessions`` sessions not ended)."""
    row = live.create(
        conn,
        identity,
        body.title,
        body.description,
        int(body.scheduled_at.timestamp()),
        body.visibility,
        moment,
        settings.live_open_sessions,
    )
    return _session(row, identity.handle, live.Counts(0, 0))


@router.get("", response_model=LivePage, responses=gated_responses(401, 403, 404, 422))
async def list_sessions(
    request: Request,
    chain: Chain,
    settings: Settings,
    moment: Now,
    access: Access,
    token: Annotated[str | None, Depends(bearer_token)],
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
    sessions themselves. 404: no such host; 422 ``invalid_cursor``. The session is checked
    in the listing's own transaction, as the feed does."""

    def read(conn: Connection) -> live.SessionPage:
        reader = reader_of(request, conn, settings, token, moment)
        host_identity = None
        if host is not None:
            host_identity = identities.by_handle(conn, chain.chain_id, host)
            if host_identity is None:
                raise NotFound(f"no identity with handle {host!r}")
        if visibility == PRIVATE:
            if host_identity is None:
                raise Unprocessable(
                    "visibility=private lists one host's community: add ?host=<handle>",
                    code=ErrorCode.HOST_REQUIRED,
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
    notifier: Notifier = request.app.state.notifier
    with transaction(engine) as conn:
        if to == live.LIVE:
            row = live.start(conn, identity, session_id, moment)
            notifier.after_commit(conn, notifications.went_live(conn, row))
        else:
            row = live.end(conn, identity, session_id, moment)
        out = _one(conn, row)
    _publish_from_thread(request.app, session_id, chat.status_event(row))
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
    event = chat.message_event(message.model_dump(mode="json"))
    delivered = _publish_from_thread(request.app, session_id, event)
    return SentMessageOut(**message.model_dump(), delivered=delivered)
