"""Live sessions: scheduled by a host, started, ended; attendance and chat messages.

Rules (each is tested):

* Status is derived, never stored: ``scheduled`` until ``started_at`` is set, ``live`` until
  ``ended_at`` is set, then ``ended``. Only the host (by identity token, so a recovered identity
  keeps its sessions) starts a scheduled session and ends a live one; anyone else gets 403
  ``not_host``. Transitions are conditional updates, so two racing requests cannot both win;
  the loser gets 409 (``session_already_started``, ``session_not_live``, ``session_ended``).
  A host may start before ``scheduled_at`` (the schedule is an announcement).
* Visibility: ``public`` or ``private``. A private session belongs to the host's private
  community, gated exactly like private posts (:mod:`api.services.access`): every route that
  names it answers 401 without a session and 403 ``pass_required`` / ``pass_expired`` without
  access, before revealing anything (title, status, counts, messages). Listings skip private
  sessions the reader may not read, so their titles and counts never leak.
* Attendance: one row per distinct identified attendee, the first time they join the chat of a
  live session (or send a message to it); the host is never an attendee. Anonymous listeners
  are not counted.
* Messages: only while live, by an identity with access; 1-2000 characters after trimming.
* Pagination: sessions newest first by id, messages oldest first; opaque id cursors as posts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    BindParameter,
    Connection,
    RowMapping,
    Select,
    Table,
    and_,
    bindparam,
    func,
    insert,
    select,
    union_all,
    update,
)

from api.db import one_on_chain
from api.errors import ApiError, ErrorCode, Forbidden, NotAuthenticated, NotFound, Unprocessable
from api.services import identities
from api.services.access import AccessPolicy
from api.services.identities import Identity
from api.services.posts import (
    NO_CURSOR,
    PRIVATE,
    PUBLIC,
    VISIBILITIES,
    decode_cursor,
    encode_cursor,
    id_page,
)
from planet.store.mirror import identities as identity_rows
from planet.store.offchain import hidden, live_attendance, live_messages, live_sessions
from planet.store.sql import insert_ignore

Status = Literal["scheduled", "live", "ended"]
SCHEDULED: Status = "scheduled"
LIVE: Status = "live"
ENDED: Status = "ended"
STATUSES = (SCHEDULED, LIVE, ENDED)

MAX_MESSAGE = 2_000


class Conflict(ApiError):
    status, code = 409, ErrorCode.CONFLICT


@dataclass(frozen=True)
class Counts:
    attendees: int
    messages: int


@dataclass(frozen=True)
class SessionPage:
    rows: list[RowMapping]
    handles: dict[int, str]
    counts: dict[int, Counts]
    next_cursor: str | None


@dataclass(frozen=True)
class MessagePage:
    rows: list[RowMapping]
    handles: dict[int, str]
    next_cursor: str | None


def status(row: Mapping[str, Any] | RowMapping) -> Status:
    if row["ended_at"] is not None:
        return ENDED
    if row["started_at"] is not None:
        return LIVE
    return SCHEDULED


def create(
    conn: Connection,
    host: Identity,
    title: str,
    description: str,
    scheduled_at: int,
    visibility: str,
    now: int,
    max_open: int,
) -> RowMapping:
    """Schedules a session; 409 ``too_many_open_sessions`` when the host already holds
    ``max_open`` sessions not ended (scheduling costs nothing, so it is bounded)."""
    if visibility not in VISIBILITIES:
        raise Unprocessable(
            f"visibility must be one of {VISIBILITIES}", code=ErrorCode.INVALID_VISIBILITY
        )
    if scheduled_at < now:
        raise Unprocessable("scheduled_at is in the past", code=ErrorCode.SCHEDULED_IN_PAST)
    c = live_sessions.c
    open_count = conn.execute(
        select(func.count()).where(
            c.chain_id == host.chain_id, c.host_token_id == host.token_id, c.ended_at.is_(None)
        )
    ).scalar_one()
    if open_count >= max_open:
        raise Conflict(
            f"you already have {open_count} sessions scheduled or live (at most {max_open}); "
            "end one first",
            code=ErrorCode.TOO_MANY_OPEN_SESSIONS,
        )
    session_id = conn.execute(
        insert(live_sessions)
        .values(
            chain_id=host.chain_id,
            host_token_id=host.token_id,
            host_address=host.owner,
            title=title,
            description=description,
            visibility=visibility,
            scheduled_at=scheduled_at,
            started_at=None,
            ended_at=None,
            created_at=now,
        )
        .returning(live_sessions.c.id)
    ).scalar_one()
    return get(conn, host.chain_id, session_id)


def get(conn: Connection, chain_id: int, session_id: int) -> RowMapping:
    return one_on_chain(conn, live_sessions, chain_id, session_id, "live session")


def readable(
    conn: Connection,
    chain_id: int,
    session_id: int,
    reader: str | None,
    now: int,
    policy: AccessPolicy,
) -> RowMapping:
    """The session, if wallet ``reader`` (None: anonymous) may see it at ``now``: 404 when
    there is none, 401/403 when it is private and the reader has no access."""
    row = get(conn, chain_id, session_id)
    if row["visibility"] == PRIVATE:
        host = identities.by_token(conn, chain_id, row["host_token_id"])
        if host is None:  # cannot happen while the indexer mirrors the identity
            raise NotFound(f"no live session {session_id}")
        community_access(conn, host, reader, now, policy)
    return row


def _hosted(conn: Connection, host: Identity, session_id: int) -> RowMapping:
    row = get(conn, host.chain_id, session_id)
    if row["host_token_id"] != host.token_id:
        raise Forbidden("only the session's host may do this", code=ErrorCode.NOT_HOST)
    return row


def _refuse(row: RowMapping, wanted: Status) -> Conflict:
    """The 409 for acting on ``row`` when it is not ``wanted``."""
    current = status(row)
    if current == ENDED:
        return Conflict(f"live session {row['id']} has ended", code=ErrorCode.SESSION_ENDED)
    if wanted == SCHEDULED:
        return Conflict(
            f"live session {row['id']} already started", code=ErrorCode.SESSION_ALREADY_STARTED
        )
    return Conflict(f"live session {row['id']} is not live", code=ErrorCode.SESSION_NOT_LIVE)


def start(conn: Connection, host: Identity, session_id: int, now: int) -> RowMapping:
    row = _hosted(conn, host, session_id)
    started = conn.execute(
        update(live_sessions)
        .where(live_sessions.c.id == session_id, live_sessions.c.started_at.is_(None))
        .values(started_at=now)
    ).rowcount
    if not started:
        raise _refuse(get(conn, host.chain_id, session_id), SCHEDULED)
    return get(conn, row["chain_id"], session_id)


def end(conn: Connection, host: Identity, session_id: int, now: int) -> RowMapping:
    row = _hosted(conn, host, session_id)
    ended = conn.execute(
        update(live_sessions)
        .where(
            live_sessions.c.id == session_id,
            live_sessions.c.started_at.is_not(None),
            live_sessions.c.ended_at.is_(None),
        )
        .values(ended_at=now)
    ).rowcount
    if not ended:
        raise _refuse(get(conn, host.chain_id, session_id), LIVE)
    return get(conn, row["chain_id"], session_id)


def attend(conn: Connection, row: RowMapping, who: Identity, now: int) -> bool:
    """Records ``who`` as an attendee of live session ``row`` (once); whether it was new."""
    if who.token_id == row["host_token_id"] or status(row) != LIVE:
        return False
    return insert_ignore(
        conn,
        live_attendance,
        {"session_id": row["id"], "token_id": who.token_id, "joined_at": now},
    )


def clean_body(body: object) -> str:
    """The message text to store; 422 when it is not 1-2000 characters after trimming, or
    holds a NUL (PostgreSQL cannot store one; chat frames reach here without the HTTP model)."""
    if not isinstance(body, str):
        raise Unprocessable("body must be a string", code=ErrorCode.INVALID_MESSAGE)
    text = body.strip()
    if "\x00" in text:
        raise Unprocessable("the message contains a NUL character", code=ErrorCode.INVALID_MESSAGE)
    if not text:
        raise Unprocessable("the message is empty", code=ErrorCode.EMPTY_MESSAGE)
    if len(text) > MAX_MESSAGE:
        raise Unprocessable(
            f"the message is longer than {MAX_MESSAGE} characters", code=ErrorCode.MESSAGE_TOO_LONG
        )
    return text


def send(conn: Connection, row: RowMapping, who: Identity, body: object, now: int) -> RowMapping:
    """Stores a chat message in live session ``row`` (which the caller may read); the sender
    becomes an attendee. 409 ``session_not_live`` / ``session_ended`` outside the live window."""
    text = clean_body(body)
    if status(row) != LIVE:
        raise _refuse(row, LIVE)
    message_id = conn.execute(
        insert(live_messages)
        .values(
            session_id=row["id"],
            token_id=who.token_id,
            author_address=who.owner,
            body=text,
            created_at=now,
        )
        .returning(live_messages.c.id)
    ).scalar_one()
    attend(conn, row, who, now)
    return (
        conn.execute(select(live_messages).where(live_messages.c.id == message_id)).mappings().one()
    )


def _count_by_session(conn: Connection, table: Table, ids: list[int]) -> dict[int, int]:
    rows = conn.execute(
        select(table.c.session_id, func.count())
        .where(table.c.session_id.in_(ids))
        .group_by(table.c.session_id)
    )
    return {session_id: count for session_id, count in rows}


def counts(conn: Connection, session_ids: Iterable[int]) -> dict[int, Counts]:
    ids = list(session_ids)
    if not ids:
        return {}
    attendees = _count_by_session(conn, live_attendance, ids)
    messages = _count_by_session(conn, live_messages, ids)
    return {i: Counts(attendees.get(i, 0), messages.get(i, 0)) for i in ids}


def _status_filter(wanted: Status) -> object:
    c = live_sessions.c
    if wanted == SCHEDULED:
        return c.started_at.is_(None)
    if wanted == LIVE:
        return c.started_at.is_not(None) & c.ended_at.is_(None)
    return c.ended_at.is_not(None)


def _listed(ids: Select[Any]) -> Select[Any]:
    """The listing's rows of the sessions ``ids`` selects, newest first, each with its host's
    handle and its counts (correlated subqueries on the tables' session-leading keys)."""
    return (
        select(
            live_sessions,
            identity_rows.c.handle.label("host_handle"),
            select(func.count())
            .where(live_attendance.c.session_id == live_sessions.c.id)
            .scalar_subquery()
            .label("attendee_count"),
            select(func.count())
            .where(live_messages.c.session_id == live_sessions.c.id)
            .scalar_subquery()
            .label("message_count"),
        )
        .select_from(
            live_sessions.outerjoin(
                identity_rows,
                (identity_rows.c.chain_id == live_sessions.c.chain_id)
                & (identity_rows.c.token_id == live_sessions.c.host_token_id),
            )
        )
        .where(live_sessions.c.id.in_(ids))
        .order_by(live_sessions.c.id.desc())
    )


def page(
    conn: Connection,
    chain_id: int,
    reader: str | None,
    now: int,
    policy: AccessPolicy,
    wanted: Status | None,
    cursor: str | None,
    limit: int,
    host: Identity | None = None,
    visibility: str | None = None,
) -> SessionPage:
    """Sessions newest first, optionally of one ``host``, one status or one visibility;
    private ones only when ``reader`` may read their host's community.

    One statement whose cost does not depend on the private sessions the reader cannot read:
    the newest public sessions (index on visibility and id) and the newest private sessions of
    the hosts the reader's passes open (index on host and id; the hosts read first, in the same
    transaction), a page of each at most, merged. (It used to read every session newest first
    and ask about each private one's host in Python, so a reader without passes paid for every
    private session above the page.)"""
    public = visibility in (None, PUBLIC)
    private = visibility in (None, PRIVATE) and reader is not None
    if not (public or private):
        return SessionPage([], {}, {}, None)
    before = decode_cursor(cursor)
    params: dict[str, Any] = {
        "chain_id": chain_id,
        "before": NO_CURSOR if before is None else before,
        "limit": limit + 1,
    }
    if host is not None:
        params["host"] = host.token_id
    if private and reader is not None:
        params["readable"] = policy.readable_author_ids(conn, chain_id, reader, now)
    query = _shaped(wanted, host is not None, public, private)
    rows = list(conn.execute(query, params).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    return SessionPage(
        rows,
        {r["host_token_id"]: r["host_handle"] for r in rows if r["host_handle"]},
        {r["id"]: Counts(r["attendee_count"], r["message_count"]) for r in rows},
        encode_cursor(rows[-1]["id"]) if more and rows else None,
    )


@functools.cache
def _shaped(wanted: Status | None, host: bool, public: bool, private: bool) -> Select[Any]:
    """The statement of one shape of :func:`page`, built once with every value bound
    (``chain_id``, ``before``, ``limit``, ``host``, the ``readable`` hosts): the listing is
    read on every visit to the sessions page, and building it per request cost more than
    running it."""
    c = live_sessions.c
    common: list[Any] = [c.chain_id == bindparam("chain_id"), c.id < bindparam("before")]
    if wanted is not None:
        common.append(_status_filter(wanted))
    if host:
        common.append(c.host_token_id == bindparam("host"))
    branches: list[Select[Any]] = []
    if public:
        branches.append(select(c.id).where(*common, c.visibility == PUBLIC))
    if private:
        readable: BindParameter[int] = bindparam("readable", expanding=True)
        branches.append(
            select(c.id).where(*common, c.visibility == PRIVATE, c.host_token_id.in_(readable))
        )
    tops = [b.order_by(c.id.desc()).limit(bindparam("limit")).subquery() for b in branches]
    merged = union_all(*(select(t.c.id) for t in tops)).subquery()
    return _listed(select(merged.c.id)).limit(bindparam("limit"))


def community_access(
    conn: Connection, host: Identity, reader: str | None, now: int, policy: AccessPolicy
) -> None:
    """Raises 401/403 unless ``reader`` may read ``host``'s private sessions."""
    if reader is None:
        raise NotAuthenticated(
            "private live sessions: sign in with a wallet holding one of the host's passes"
        )
    policy.community_access(conn, host, reader, now).enforce(host)


def message_page(
    conn: Connection, chain_id: int, session_id: int, cursor: str | None, limit: int
) -> MessagePage:
    """Messages oldest first; the cursor is the last id seen (the caller checked access)."""
    shown = and_(  # a message the risk role hid answers with its label, not its text
        hidden.c.chain_id == chain_id,
        hidden.c.kind == "message",
        hidden.c.target_id == live_messages.c.id,
    )
    query = (
        select(live_messages, hidden.c.label.label("hidden_label"))
        .select_from(live_messages.outerjoin(hidden, shown))
        .where(live_messages.c.session_id == session_id)
    )
    rows, next_cursor = id_page(conn, query, live_messages, cursor, limit, newest_first=False)
    handles = identities.handles(conn, chain_id, {r["token_id"] for r in rows})
    return MessagePage(rows, handles, next_cursor)


def attestable(conn: Connection, row: Mapping[str, Any] | RowMapping) -> None:
    """A session earns its host points once it has ended with at least one attendee."""
    if status(row) != ENDED:
        raise Conflict(
            f"live session {row['id']} earns points once it has ended",
            code=ErrorCode.SESSION_NOT_ENDED,
        )
    if not counts(conn, [row["id"]])[row["id"]].attendees:
        raise Unprocessable(
            f"live session {row['id']} had no attendees", code=ErrorCode.SESSION_WITHOUT_ATTENDEES
        )
