"""Posts (public, or private to a creator's pass holders) and their interactions.

Rules (each is tested):

* Visibility: ``public`` (the default) or ``private``. A private post belongs to its author's
  private community: only the author and wallets with access to one of the author's community
  passes read it (:mod:`api.services.access`). The post's *existence* is not secret (ids are
  sequential anyway); its content and its interactions are. Every route naming a private post
  (read, views, likes, comments, reports) answers 401 ``not_authenticated`` without a session
  and 403 ``pass_required`` / ``pass_expired`` without access, before doing anything. Private
  posts never appear in the public feed; ``community_page`` lists them for those with access.

* A post naming instruments (e.g. ``BTC-USDT``) must state both disclosure labels,
  ``holds_position`` and ``sponsored``, as true or false; otherwise 422 ``disclosure_required``.
  Without instruments the labels are not asked and stored as null.
* Likes: one per identity per post. Liking again is idempotent (200, the count does not move);
  unliking what was not liked is idempotent too.
* Reports: one per identity per post; the first reason stands, repeats are idempotent
  (:mod:`api.services.moderation` keeps them, for posts and every other kind of content).
* Editing and deletion (:mod:`api.services.editing`): a deleted post keeps its row (orders and
  fills name it) but loses its text; it leaves the feeds, answers ``deleted: true`` when named,
  and takes no new interaction (410 ``content_deleted``). A post the risk role hid answers with
  its label instead of its text (``moderation_label``) and takes no new interaction (409
  ``content_hidden``). Every post or comment written, edited, deleted, hidden or restored goes
  through :func:`content_changed`, the one place a search index hooks in.
* Views: counted on ``POST /posts/{id}/views`` (reading a post never counts), anonymous allowed,
  limited only by the per-IP rate limit. A signed-in viewer with an identity is also recorded
  in ``api_post_views`` once per post (first view): the distinct viewers rewards count.
* Pagination: newest first, by id; the cursor is opaque (base64url of the last id seen).

The reads on the hot paths (the feed, a community's page, one post, search) are single
statements built once (at import, or once per shape of :func:`page`), each post joined with its
author's handle: building a statement per request and a second query for the handles cost more
than the SQL itself.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    insert,
    or_,
    select,
    update,
)

from api.errors import ApiError, ErrorCode, NotAuthenticated, NotFound, Unprocessable
from api.params import MAX_ID
from api.services import identities
from api.services.access import AccessPolicy, Decision
from api.services.identities import Identity
from planet.store import fulltext
from planet.store.mirror import identities as identity_rows
from planet.store.offchain import (
    comments,
    follows,
    hidden,
    post_likes,
    post_view_hours,
    post_views,
    posts,
)
from planet.store.sql import increment, insert_ignore

HOUR = 3600  # views are totalled per hour (api_post_view_hours)

PUBLIC = "public"
PRIVATE = "private"
VISIBILITIES = (PUBLIC, PRIVATE)

REPORT_REASONS = ("spam", "scam", "undisclosed_promotion", "harassment", "other")

ContentKind = Literal["post", "comment", "message", "identity"]
Change = Literal["created", "edited", "deleted", "hidden", "restored"]


@dataclass(frozen=True)
class ContentChange:
    """What happened to one piece of content: a search index drops ``deleted`` and ``hidden``
    content, re-reads ``edited`` and ``restored`` content, and adds ``created`` content."""

    chain_id: int
    kind: ContentKind
    target_id: int
    change: Change


def content_changed(conn: Connection, change: ContentChange) -> None:
    """The one hook for what mirrors content text (the full-text index): writing, editing,
    deleting, hiding and restoring all call it, inside the transaction that made the change,
    so the index never disagrees with the content. A post is re-read into the index (a deleted
    one's erased body leaves nothing to match); a hidden one keeps its words there, and search
    leaves hidden posts out of its matches (:func:`page`), so restoring needs no re-index."""
    if change.kind == "post" and change.change in ("created", "edited", "deleted"):
        fulltext.index_post(conn, change.target_id)


def hidden_join(table: Table, kind: str) -> ColumnElement[bool]:
    """The outer-join condition from ``table`` (posts, comments, messages) to its moderation
    label, if the risk role hid it."""
    return and_(
        hidden.c.chain_id == table.c.chain_id,
        hidden.c.kind == kind,
        hidden.c.target_id == table.c.id,
    )


# Posts with their author's handle (``author_handle``; an outer join, so a post whose identity
# the indexer has not mirrored still reads, with no handle) and moderation label
# (``hidden_label``, null unless the risk role hid it).
_WITH_AUTHOR = posts.outerjoin(
    identity_rows,
    (identity_rows.c.chain_id == posts.c.chain_id)
    & (identity_rows.c.token_id == posts.c.author_token_id),
).outerjoin(hidden, hidden_join(posts, "post"))
NO_CURSOR = 2**63 - 1  # "below" every id: the first page


_COLUMNS = (
    posts,
    identity_rows.c.handle.label("author_handle"),
    hidden.c.label.label("hidden_label"),
)


def _with_handle() -> Select[tuple[object, ...]]:
    return select(*_COLUMNS).select_from(_WITH_AUTHOR)


def _newest_first(*where: ColumnElement[bool]) -> Select[tuple[object, ...]]:
    return (
        _with_handle()
        .where(
            posts.c.chain_id == bindparam("chain_id"),
            posts.c.id < bindparam("before"),
            posts.c.deleted_at.is_(None),
            *where,
        )
        .order_by(posts.c.id.desc())
        .limit(bindparam("limit"))
    )


# PostgreSQL search: how many of the newest readable posts a first try matches one by one
RECENT_WINDOW = 1000


def _matching(dialect: str, *where: ColumnElement[bool], recent: bool = False) -> Select[Any]:
    """As :func:`_newest_first`, only posts whose body holds every one of the words
    (:func:`planet.store.fulltext.match_params` binds them), never a deleted post nor one the
    risk role hid (its text is withheld from everyone, so it must not be found by it either).

    On SQLite the page is read from the FTS5 index outward, newest match first, so a word in
    every post costs what a rare one does (the index stops at the page's end). PostgreSQL's GIN
    index cannot give its matches in order: a common word's every match was fetched, joined
    and sorted to keep a page (35 ms for a word in a tenth of 100,000 posts). So the page's ids
    come first, from ``api_posts`` alone, then only those rows are joined; and ``recent`` is the
    first try :func:`page` makes, matching the newest :data:`RECENT_WINDOW` readable posts one
    by one along the id index, which fills a page of a common word after a few hundred rows.
    A page it cannot fill is read through the index instead (a rare word: few matches)."""
    if fulltext.fts_driven(dialect):
        fts = fulltext.posts_fts
        return (
            select(*_COLUMNS)
            .select_from(fts.join(_WITH_AUTHOR, posts.c.id == fts.c.rowid))
            .where(
                fulltext.fts5_match(),
                fts.c.rowid < bindparam("before"),
                posts.c.chain_id == bindparam("chain_id"),
                posts.c.deleted_at.is_(None),
                hidden.c.label.is_(None),
                *where,
            )
            .order_by(fts.c.rowid.desc())
            .limit(bindparam("limit"))
        )
    readable = [
        posts.c.chain_id == bindparam("chain_id"),
        posts.c.id < bindparam("before"),
        posts.c.deleted_at.is_(None),
        ~exists().where(hidden_join(posts, "post")),
        *where,
    ]
    if recent:
        window = (
            select(posts.c.id, fulltext.post_matches().label("hit"))
            .where(*readable)
            .order_by(posts.c.id.desc())
            .limit(RECENT_WINDOW)
            .subquery()
        )
        ids = select(window.c.id).where(window.c.hit).order_by(window.c.id.desc())
    else:
        ids = select(posts.c.id).where(fulltext.post_matches(), *readable)
        ids = ids.order_by(posts.c.id.desc()).correlate(None)
    return (
        _with_handle()
        .where(posts.c.id.in_(ids.limit(bindparam("limit"))))
        .order_by(posts.c.id.desc())
    )


# One post with its author's whole identity (``creator_*``): a private post's gate needs it.
_ONE = (
    _with_handle()
    .add_columns(*identities.joined_columns("creator_"))
    .where(posts.c.id == bindparam("post_id"), posts.c.chain_id == bindparam("chain_id"))
)
_FEED = _newest_first(posts.c.visibility == PUBLIC)
_COMMUNITY = _newest_first(
    posts.c.author_token_id == bindparam("author"), posts.c.visibility == PRIVATE
)


@dataclass(frozen=True)
class Page:
    rows: list[RowMapping]
    handles: dict[int, str]
    next_cursor: str | None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        value = int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, UnicodeDecodeError):
        raise Unprocessable(
            "cursor is not one this API returned", code=ErrorCode.INVALID_CURSOR
        ) from None
    if not 1 <= value <= MAX_ID:
        raise Unprocessable("cursor is not one this API returned", code=ErrorCode.INVALID_CURSOR)
    return value


def id_page(
    conn: Connection, query: Select[Any], table: Table, cursor: str | None, limit: int,
    newest_first: bool,
) -> tuple[list[RowMapping], str | None]:  # fmt: skip
    """One page of ``query`` (rows of ``table``) by id, and the cursor of the next page (the
    last id seen; None on the last page). Keyset, not offset: a row added meanwhile never
    shifts a page, and a deep page costs what the first does."""
    last = decode_cursor(cursor)
    id_ = table.c.id
    if last is not None:
        query = query.where(id_ < last if newest_first else id_ > last)
    order = id_.desc() if newest_first else id_.asc()
    rows = list(conn.execute(query.order_by(order).limit(limit + 1)).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]["id"]) if more and rows else None


def create(
    conn: Connection,
    author: Identity,
    body: str,
    instruments: list[str],
    holds_position: bool | None,
    sponsored: bool | None,
    now: int,
    visibility: str = PUBLIC,
) -> RowMapping:
    if visibility not in VISIBILITIES:
        raise Unprocessable(
            f"visibility must be one of {VISIBILITIES}", code=ErrorCode.INVALID_VISIBILITY
        )
    if instruments and (holds_position is None or sponsored is None):
        raise Unprocessable(
            "a post naming instruments must state disclosure.holds_position and "
            "disclosure.sponsored (true or false)",
            code=ErrorCode.DISCLOSURE_REQUIRED,
        )
    if not instruments:
        holds_position = sponsored = None
    post_id = conn.execute(
        insert(posts)
        .values(
            chain_id=author.chain_id,
            author_token_id=author.token_id,
            author_address=author.owner,
            body=body,
            instruments=sorted(set(instruments)),
            holds_position=holds_position,
            sponsored=sponsored,
            created_at=now,
            view_count=0,
            like_count=0,
            comment_count=0,
            visibility=visibility,
        )
        .returning(posts.c.id)
    ).scalar_one()
    content_changed(conn, ContentChange(author.chain_id, "post", post_id, "created"))
    return get(conn, author.chain_id, post_id)


def get(conn: Connection, chain_id: int, post_id: int) -> RowMapping:
    """The post, with its author's handle (``author_handle``) and identity (``creator_*``
    columns, null if not mirrored); 404 if there is none."""
    row = conn.execute(_ONE, {"post_id": post_id, "chain_id": chain_id}).mappings().one_or_none()
    if row is None:
        raise NotFound(f"no post {post_id}")
    return row


class ContentDeleted(ApiError):
    status, code = 410, ErrorCode.CONTENT_DELETED


class ContentHidden(ApiError):
    status, code = 409, ErrorCode.CONTENT_HIDDEN


def interactable(row: RowMapping, noun: str = "post") -> RowMapping:
    """``row`` (a post or comment as read here) if it may take a new interaction or edit:
    410 once deleted, 409 while hidden by the risk role."""
    if row["deleted_at"] is not None:
        raise ContentDeleted(f"{noun} {row['id']} was deleted by its author")
    if row.get("hidden_label") is not None:
        raise ContentHidden(f"{noun} {row['id']} is hidden by moderation ({row['hidden_label']})")
    return row


def readable(
    conn: Connection,
    chain_id: int,
    post_id: int,
    reader: str | None,
    now: int,
    policy: AccessPolicy,
) -> RowMapping:
    """The post, if ``reader`` (a wallet, None when anonymous) may see it at ``now``: 404
    when there is no such post, 401/403 when it is private and the reader has no access."""
    row = get(conn, chain_id, post_id)
    if row["visibility"] == PRIVATE:
        if row["creator_token_id"] is None:  # cannot happen while the indexer mirrors it
            raise NotFound(f"no post {post_id}")
        community_access(conn, identities.from_row(row, "creator_"), reader, now, policy)
    return row


def community_access(
    conn: Connection, creator: Identity, reader: str | None, now: int, policy: AccessPolicy
) -> Decision:
    """Whether ``reader`` may read ``creator``'s private community; raises 401/403 if not."""
    if reader is None:
        raise NotAuthenticated(
            "private community post: sign in with a wallet holding one of the creator's passes"
        )
    decision = policy.community_access(conn, creator, reader, now)
    decision.enforce(creator)
    return decision


def page(
    conn: Connection,
    chain_id: int,
    cursor: str | None,
    limit: int,
    author: Identity | None = None,
    follower: Identity | None = None,
    terms: list[str] | None = None,
    readable: Sequence[int] | None = None,
) -> Page:
    """The public feed: public posts only, newest first; only ``author``'s, or only those of
    the identities ``follower`` follows, when given (both: the author, if followed); only those
    holding every word of ``terms`` when given (:mod:`planet.store.fulltext`).

    ``readable`` (identity token ids) adds those authors' private posts: search passes the
    communities its reader may read (:meth:`api.services.access.AccessPolicy.readable_author_ids`,
    read in the same transaction), so no other private post is ever matched, counted or
    ordered against."""
    key = (
        conn.dialect.name,
        author is not None,
        follower is not None,
        terms is not None,
        readable is not None,
    )
    params: dict[str, object] = {"chain_id": chain_id}
    if author is not None:
        params["author"] = author.token_id
    if follower is not None:
        params["follower"] = follower.token_id
    if terms is not None:
        params.update(fulltext.match_params(terms))
    if readable is not None:
        params["readable"] = list(readable)
    if terms is not None and not fulltext.fts_driven(conn.dialect.name):
        recent = _page(conn, _shaped(*key, recent=True), params, cursor, limit)
        if recent.next_cursor is not None:  # a full page, and more: the newest matches
            return recent
    return _page(conn, _shaped(*key), params, cursor, limit)


@functools.cache
def _shaped(
    dialect: str, author: bool, follower: bool, terms: bool, readable: bool, recent: bool = False
) -> Select[Any]:
    """The statement of one shape of :func:`page`, built once: every value is a bound
    parameter (``author``, ``follower``, the words, the ``readable`` list). Built per request,
    the search statement cost three times what running it did."""
    public = posts.c.visibility == PUBLIC
    if readable:
        where = [or_(public, posts.c.author_token_id.in_(bindparam("readable", expanding=True)))]
    else:
        where = [public]
    if author:
        where.append(posts.c.author_token_id == bindparam("author"))
    if follower:
        followed = select(follows.c.followee_token_id).where(
            follows.c.chain_id == bindparam("chain_id"),
            follows.c.follower_token_id == bindparam("follower"),
        )
        where.append(posts.c.author_token_id.in_(followed))
    if terms:
        return _matching(dialect, *where, recent=recent)
    if follower:
        return _followed_first(*where)
    return _newest_first(*where)


def _followed_first(*where: ColumnElement[bool]) -> Select[Any]:
    """As :func:`_newest_first`, in two steps: the page's ids from the index on (chain,
    author, visibility, id) alone, each followed author's posts a range of it, then only those
    rows. Read in one step, every post of every followed author was fetched before the sort
    kept a page of them (SQLite: 19 ms for 200 followed creators at 100k posts)."""
    ids = (
        select(posts.c.id)
        .where(posts.c.chain_id == bindparam("chain_id"), posts.c.id < bindparam("before"), *where)
        .order_by(posts.c.id.desc())
        .limit(bindparam("limit"))
        .correlate(None)  # its own api_posts, not the outer statement's
    )
    return _with_handle().where(posts.c.id.in_(ids)).order_by(posts.c.id.desc())


def community_page(conn: Connection, creator: Identity, cursor: str | None, limit: int) -> Page:
    """``creator``'s private posts, newest first (the caller checked access)."""
    return _page(
        conn, _COMMUNITY, {"chain_id": creator.chain_id, "author": creator.token_id}, cursor, limit
    )


def _page(
    conn: Connection,
    query: Select[tuple[object, ...]],
    params: dict[str, object],
    cursor: str | None,
    limit: int,
) -> Page:
    before = decode_cursor(cursor)
    params = {**params, "before": NO_CURSOR if before is None else before, "limit": limit + 1}
    rows = list(conn.execute(query, params).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    handles = {r["author_token_id"]: r["author_handle"] for r in rows if r["author_handle"]}
    return Page(rows, handles, encode_cursor(rows[-1]["id"]) if more and rows else None)


def view(
    conn: Connection, chain_id: int, post_id: int, viewer: Identity | None = None, now: int = 0
) -> int:
    """Counts a view; a viewer with an identity is also recorded once per post (its first
    view), since rewards count distinct identified viewers, not raw hits."""
    interactable(get(conn, chain_id, post_id))
    conn.execute(
        update(posts).where(posts.c.id == post_id).values(view_count=posts.c.view_count + 1)
    )
    increment(conn, post_view_hours, {"post_id": post_id, "hour": now // HOUR}, "views")
    if viewer is not None:
        insert_ignore(
            conn,
            post_views,
            {"post_id": post_id, "token_id": viewer.token_id, "first_viewed_at": now},
        )
    return get(conn, chain_id, post_id)["view_count"]


def like(conn: Connection, who: Identity, post_id: int, now: int) -> int:
    interactable(get(conn, who.chain_id, post_id))
    added = insert_ignore(
        conn, post_likes, {"post_id": post_id, "token_id": who.token_id, "created_at": now}
    )
    if added:
        conn.execute(
            update(posts).where(posts.c.id == post_id).values(like_count=posts.c.like_count + 1)
        )
    return get(conn, who.chain_id, post_id)["like_count"]


def unlike(conn: Connection, who: Identity, post_id: int) -> int:
    get(conn, who.chain_id, post_id)
    removed = conn.execute(
        delete(post_likes).where(
            post_likes.c.post_id == post_id, post_likes.c.token_id == who.token_id
        )
    ).rowcount
    if removed:
        conn.execute(
            update(posts).where(posts.c.id == post_id).values(like_count=posts.c.like_count - 1)
        )
    return get(conn, who.chain_id, post_id)["like_count"]


def comment(conn: Connection, who: Identity, post_id: int, body: str, now: int) -> RowMapping:
    interactable(get(conn, who.chain_id, post_id))
    comment_id = conn.execute(
        insert(comments)
        .values(
            post_id=post_id,
            chain_id=who.chain_id,
            author_token_id=who.token_id,
            author_address=who.owner,
            body=body,
            created_at=now,
        )
        .returning(comments.c.id)
    ).scalar_one()
    conn.execute(
        update(posts).where(posts.c.id == post_id).values(comment_count=posts.c.comment_count + 1)
    )
    content_changed(conn, ContentChange(who.chain_id, "comment", comment_id, "created"))
    return get_comment(conn, who.chain_id, comment_id)


_COMMENTS = select(comments, hidden.c.label.label("hidden_label")).select_from(
    comments.outerjoin(hidden, hidden_join(comments, "comment"))
)


def get_comment(conn: Connection, chain_id: int, comment_id: int) -> RowMapping:
    """The comment with its moderation label (``hidden_label``); 404 if there is none."""
    row = (
        conn.execute(_COMMENTS.where(comments.c.id == comment_id, comments.c.chain_id == chain_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"no comment {comment_id}")
    return row


def comment_page(
    conn: Connection, chain_id: int, post_id: int, cursor: str | None, limit: int
) -> Page:
    """Comments oldest first, deleted ones left out; the cursor is the last id seen."""
    get(conn, chain_id, post_id)
    query = _COMMENTS.where(comments.c.post_id == post_id, comments.c.deleted_at.is_(None))
    rows, next_cursor = id_page(conn, query, comments, cursor, limit, newest_first=False)
    handles = identities.handles(conn, chain_id, {r["author_token_id"] for r in rows})
    return Page(rows, handles, next_cursor)
