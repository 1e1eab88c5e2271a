"""Notifications: what each identity is told about, stored once per event and recipient.

Kinds, and who is told (never oneself):

* ``post``: a creator you follow published a post; ``live``: one went live (their followers).
* ``comment`` / ``like``: someone commented on, or liked, your post (the post's author).
* ``pass_expiring`` / ``pass_lapsed``: a subscription pass you hold lapses within
  :data:`EXPIRY_WARNING` seconds, or lapsed within the last :data:`LAPSED_LOOKBACK` (each once
  per expiry: a renewal moves the expiry, and its own lapse is told again).
* ``reward_claimable``: an epoch pays you and has become claimable (until you claim it).
* ``attestation_revoked``: an attestation crediting you was revoked on chain.

The first four are written in the transaction of what caused them; the chain's are found by
:func:`api.services.notification_scan.scan`, which reads the mirror tables and may run any
number of times, on any number of processes: every row's ``dedupe_key`` is unique per
recipient and every write is ``ON CONFLICT DO NOTHING``, so nothing is told twice.

Privacy: a notification's text is rendered when it is read (:func:`render`), from the rows it
points at. A private post's body, its comments' bodies and a private session's title are never
stored here and never rendered, whoever reads it: "@alice posted in their private community"
says only what the post's existence already says (ids are sequential anyway), and a follower
who may read it follows the link through the usual pass gate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    RowMapping,
    and_,
    bindparam,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from api.services.identities import Identity
from api.services.posts import NO_CURSOR, PUBLIC, decode_cursor, encode_cursor
from planet.store.mirror import identities as identity_rows
from planet.store.offchain import (
    comments,
    follows,
    live_sessions,
    notifications,
    posts,
)

POST = "post"
LIVE = "live"
COMMENT = "comment"
LIKE = "like"
PASS_EXPIRING = "pass_expiring"
PASS_LAPSED = "pass_lapsed"
REWARD_CLAIMABLE = "reward_claimable"
ATTESTATION_REVOKED = "attestation_revoked"
KINDS = (
    POST,
    LIVE,
    COMMENT,
    LIKE,
    PASS_EXPIRING,
    PASS_LAPSED,
    REWARD_CLAIMABLE,
    ATTESTATION_REVOKED,
)

EXPIRY_WARNING = 3 * 24 * 3600  # "your pass lapses in 3 days"
LAPSED_LOOKBACK = 7 * 24 * 3600  # lapses older than this are history, not news
EXCERPT = 140  # characters of public text a notification quotes


Row = Mapping[str, Any] | RowMapping  # a row as read, or a dict in its shape


@dataclass(frozen=True)
class Created:
    """A notification just written: what its live delivery needs."""

    id: int
    chain_id: int
    recipient_token_id: int


@dataclass(frozen=True)
class Page:
    rows: list[RowMapping]
    next_cursor: str | None
    unread: int


# ------------------------------------------------------------------------------- writing


def _insert(conn: Connection) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(notifications)


def _created(conn: Connection, statement: Any) -> list[Created]:
    returning = statement.on_conflict_do_nothing().returning(
        notifications.c.id, notifications.c.chain_id, notifications.c.recipient_token_id
    )
    return [Created(r.id, r.chain_id, r.recipient_token_id) for r in conn.execute(returning)]


def one(conn: Connection, **values: Any) -> list[Created]:
    """Writes one notification unless its recipient already has its ``dedupe_key``."""
    values.setdefault("data", {})
    return _created(conn, _insert(conn).values(**values))


def _to_followers(
    conn: Connection, chain_id: int, followee: int, kind: str, key: str, now: int, **refs: int
) -> list[Created]:
    """One notification to each follower of ``followee``, in one statement (a creator with
    many followers costs one INSERT ... SELECT, not a round trip each)."""
    columns = ["chain_id", "recipient_token_id", "kind", "dedupe_key", "actor_token_id"]
    values: list[Any] = [
        follows.c.chain_id,
        follows.c.follower_token_id,
        literal(kind),
        literal(key),
        literal(followee),
    ]
    for name, value in refs.items():
        columns.append(name)
        values.append(literal(value))
    columns += ["data", "created_at"]
    values += [literal({}, JSON), literal(now)]
    followers = select(*values).where(
        follows.c.chain_id == chain_id,
        follows.c.followee_token_id == followee,
        follows.c.follower_token_id != followee,
    )
    return _created(conn, _insert(conn).from_select(columns, followers))


def post_published(conn: Connection, post: Row) -> list[Created]:
    """Tells the author's followers about ``post`` (public or private: see the module)."""
    return _to_followers(
        conn,
        post["chain_id"],
        post["author_token_id"],
        POST,
        f"post:{post['id']}",
        post["created_at"],
        post_id=post["id"],
    )


def went_live(conn: Connection, session: Row) -> list[Created]:
    """Tells the host's followers that live session ``session`` started."""
    return _to_followers(
        conn,
        session["chain_id"],
        session["host_token_id"],
        LIVE,
        f"live:{session['id']}",
        session["started_at"],
        session_id=session["id"],
    )


def commented(conn: Connection, post: Row, comment: Row) -> list[Created]:
    """Tells the post's author about ``comment`` (not their own)."""
    if comment["author_token_id"] == post["author_token_id"]:
        return []
    return one(
        conn,
        chain_id=post["chain_id"],
        recipient_token_id=post["author_token_id"],
        kind=COMMENT,
        dedupe_key=f"comment:{comment['id']}",
        actor_token_id=comment["author_token_id"],
        post_id=post["id"],
        comment_id=comment["id"],
        created_at=comment["created_at"],
    )


def liked(conn: Connection, post: Row, who: Identity, now: int) -> list[Created]:
    """Tells the post's author that ``who`` liked it: once per liker and post, so unliking and
    liking again is not news twice."""
    if who.token_id == post["author_token_id"]:
        return []
    return one(
        conn,
        chain_id=post["chain_id"],
        recipient_token_id=post["author_token_id"],
        kind=LIKE,
        dedupe_key=f"like:{post['id']}:{who.token_id}",
        actor_token_id=who.token_id,
        post_id=post["id"],
        created_at=now,
    )


# ------------------------------------------------------------------------------- reading

_actor = identity_rows.alias("actor")
_LISTED = select(
    notifications,
    _actor.c.handle.label("actor_handle"),
    _actor.c.owner.label("actor_address"),
    posts.c.visibility.label("post_visibility"),
    posts.c.body.label("post_body"),
    comments.c.body.label("comment_body"),
    live_sessions.c.visibility.label("session_visibility"),
    live_sessions.c.title.label("session_title"),
).select_from(
    notifications.outerjoin(
        _actor,
        and_(
            _actor.c.chain_id == notifications.c.chain_id,
            _actor.c.token_id == notifications.c.actor_token_id,
        ),
    )
    .outerjoin(posts, posts.c.id == notifications.c.post_id)
    .outerjoin(comments, comments.c.id == notifications.c.comment_id)
    .outerjoin(live_sessions, live_sessions.c.id == notifications.c.session_id)
)


def _mine(who: Identity) -> list[Any]:
    return [
        notifications.c.chain_id == who.chain_id,
        notifications.c.recipient_token_id == who.token_id,
    ]


# The list's reads with every value bound, built once: a signed-in client reads the list on
# every page load, and building them per request cost more than running them.
_BOUND_MINE = (
    notifications.c.chain_id == bindparam("chain_id"),
    notifications.c.recipient_token_id == bindparam("recipient"),
)
_UNREAD = select(func.count()).where(*_BOUND_MINE, notifications.c.read_at.is_(None))
_PAGES = {
    unread_only: _LISTED.where(
        *_BOUND_MINE,
        notifications.c.id < bindparam("before"),
        *([notifications.c.read_at.is_(None)] if unread_only else []),
    )
    .order_by(notifications.c.id.desc())
    .limit(bindparam("limit"))
    for unread_only in (False, True)
}


def _bound(who: Identity) -> dict[str, int]:
    return {"chain_id": who.chain_id, "recipient": who.token_id}


def unread_count(conn: Connection, who: Identity) -> int:
    return conn.execute(_UNREAD, _bound(who)).scalar_one()


def page(
    conn: Connection, who: Identity, cursor: str | None, limit: int, unread_only: bool
) -> Page:
    """``who``'s notifications newest first (keyset pages by id), only the unread ones when
    asked, and how many are unread in all."""
    before = decode_cursor(cursor)
    params = {**_bound(who), "before": NO_CURSOR if before is None else before, "limit": limit + 1}
    rows = list(conn.execute(_PAGES[unread_only], params).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1]["id"]) if more and rows else None
    return Page(rows, next_cursor, unread_count(conn, who))


def since(conn: Connection, who: Identity, after: int, limit: int) -> list[RowMapping]:
    """``who``'s notifications with ids above ``after``, oldest first: what a stream has not
    sent yet."""
    query = _LISTED.where(*_mine(who), notifications.c.id > after)
    return list(conn.execute(query.order_by(notifications.c.id).limit(limit)).mappings())


def latest_id(conn: Connection, who: Identity) -> int:
    return conn.execute(
        select(func.coalesce(func.max(notifications.c.id), 0)).where(*_mine(who))
    ).scalar_one()


def mark_read(
    conn: Connection, who: Identity, up_to: int | None, ids: Iterable[int] | None, now: int
) -> int:
    """Marks ``who``'s unread notifications read: every one up to id ``up_to``, or those in
    ``ids`` (others' ids are silently not ``who``'s); how many changed."""
    where = [*_mine(who), notifications.c.read_at.is_(None)]
    if up_to is not None:
        where.append(notifications.c.id <= up_to)
    if ids is not None:
        where.append(notifications.c.id.in_(list(ids)))
    return conn.execute(update(notifications).where(*where).values(read_at=now)).rowcount


@dataclass(frozen=True)
class Rendered:
    text: str
    excerpt: str | None
    link: str | None


def _excerpt(text: str | None) -> str | None:
    if text is None:
        return None
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def _day(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


# what a notification about a post says once the post is gone (no text, no link)
_GONE = {
    POST: "{who} posted (since deleted)",
    COMMENT: "{who} commented on your post (since deleted)",
    LIKE: "{who} liked your post (since deleted)",
}


def render(row: Row) -> Rendered:
    """The sentence a notification shows, from its row and the rows it points at (as
    :func:`page` and :func:`since` read them). Text of a post, comment or session title is
    quoted only while the post or session is public."""
    kind = row["kind"]
    who = f"@{row['actor_handle']}" if row.get("actor_handle") else "someone"
    data = row["data"] or {}
    public_post = row.get("post_visibility") == PUBLIC
    post_link = f"/post/{row['post_id']}" if row.get("post_id") else None
    if row.get("post_id") and row.get("post_visibility") is None:  # the post is gone
        return Rendered(
            _GONE.get(kind, "{who}: about a post since deleted").format(who=who), None, None
        )
    if kind == POST:
        if public_post:
            return Rendered(f"{who} posted", _excerpt(row.get("post_body")), post_link)
        return Rendered(f"{who} posted in their private community", None, post_link)
    if kind == LIVE:
        link = f"/session/{row['session_id']}"
        if row.get("session_visibility") == PUBLIC and row.get("session_title"):
            return Rendered(f"{who} went live: {row['session_title']}", None, link)
        return Rendered(f"{who} went live in their private community", None, link)
    if kind == COMMENT:
        if public_post:
            return Rendered(
                f"{who} commented on your post", _excerpt(row.get("comment_body")), post_link
            )
        return Rendered(f"{who} commented on your private post", None, post_link)
    if kind == LIKE:
        if public_post:
            return Rendered(f"{who} liked your post", _excerpt(row.get("post_body")), post_link)
        return Rendered(f"{who} liked your private post", None, post_link)
    creator = data.get("creator")
    creator_link = f"/creator/{creator}" if creator else None
    of = f" of @{creator}" if creator else ""
    if kind == PASS_EXPIRING:
        return Rendered(
            f"Your pass #{data.get('pass_id')}{of} lapses on {_day(int(data.get('expiry', 0)))}: "
            "renew it to keep your access",
            None,
            creator_link,
        )
    if kind == PASS_LAPSED:
        return Rendered(
            f"Your pass #{data.get('pass_id')}{of} lapsed on {_day(int(data.get('expiry', 0)))}",
            None,
            creator_link,
        )
    if kind == REWARD_CLAIMABLE:
        return Rendered(
            f"Your reward for epoch {data.get('epoch')} is claimable: {data.get('amount')} "
            "(in the vault's token's smallest unit)",
            None,
            "/my-rewards",
        )
    if kind == ATTESTATION_REVOKED:
        reason = data.get("reason") or "no reason given"
        return Rendered(
            f"An attestation of {data.get('amount')} points for epoch {data.get('epoch')} "
            f"was revoked: {reason}",
            None,
            None,
        )
    return Rendered(kind, None, None)
