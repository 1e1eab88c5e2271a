"""Posts: feed, create, read, edit, delete, edit history, and interactions (views, likes,
comments, reports).

A post is ``public`` or ``private`` (``visibility`` on create). Private posts form the author's
private community: every route here that names one first checks, through
:func:`api.deps.readable_post`, that the reader is its author or has access to one of the author's
community passes (401 without a session; 403 ``pass_required`` / ``pass_expired``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection, RowMapping

from api.db import in_transaction
from api.deps import (
    Access,
    Chain,
    Conn,
    CurrentIdentity,
    NotifierDep,
    Now,
    OptionalUser,
    ReadablePost,
    Settings,
    bearer_token,
    reader_of,
    signed_in,
)
from api.errors import NotAuthenticated, gated_responses, responses
from api.params import PostId, SearchText, Text
from api.schemas import (
    CommentIn,
    CommentOut,
    Cursor,
    Disclosure,
    HistoryOut,
    Instrument,
    Limit,
    PostOut,
    PostPage,
    comment_out,
    history_out,
    post_out,
)
from api.services import (
    auth,
    editing,
    identities,
    moderation,
    notifications,
    posts,
    profiles,
    search,
)

router = APIRouter(prefix="/posts", tags=["posts"])


class PostIn(BaseModel):
    body: Text = Field(min_length=1, max_length=10_000)
    instruments: list[Instrument] = Field(default_factory=list, max_length=10)
    disclosure: Disclosure | None = Field(
        default=None, description="Required (both fields) when instruments are named"
    )
    visibility: Literal["public", "private"] = Field(
        default="public",
        description="`private`: only you and wallets with access to one of your community "
        "passes read it (and its comments, likes, views); it stays out of the public feed and "
        "is listed at GET /communities/{handle}/posts",
    )


class PostEdit(BaseModel):
    """What an author may change: the text, and the disclosure labels of a post naming
    instruments (the instruments themselves never change: orders name them)."""

    body: Text | None = Field(default=None, min_length=1, max_length=10_000)
    disclosure: Disclosure | None = None


class CommentPage(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None


class ReportIn(BaseModel):
    reason: Literal[posts.REPORT_REASONS]  # type: ignore[valid-type]
    note: Text | None = Field(default=None, max_length=1_000)


class ReportOut(BaseModel):
    post_id: int
    reason: str = Field(description="The reason on record (your first report's)")


class LikeOut(BaseModel):
    post_id: int
    liked: bool
    like_count: int


class ViewOut(BaseModel):
    post_id: int
    view_count: int


@router.get("", response_model=PostPage, responses=responses(401, 403, 404, 422))
async def list_posts(
    request: Request,
    chain: Chain,
    settings: Settings,
    moment: Now,
    token: Annotated[str | None, Depends(bearer_token)],
    cursor: Cursor = None,
    limit: Limit = 20,
    author: Annotated[
        Text | None,
        Query(max_length=42, description="Only this identity's posts (a handle or an address)"),
    ] = None,
    following: Annotated[
        bool,
        Query(description="Only posts of the identities you follow (needs a session)"),
    ] = False,
    q: SearchText | None = None,
) -> PostPage:
    """The public feed, newest first (422 ``invalid_cursor``; 404 for an unknown ``author``;
    ``following`` without a session: 401; ``q``: only posts holding its words, 422
    ``invalid_query`` when it has none). Private posts never appear here, not even for their
    readers: see GET /communities/{handle}/posts, and GET /search."""
    words = None if q is None else search.terms(q)

    def read(conn: Connection) -> posts.Page:
        follower = None
        if following:
            if token is None:
                raise NotAuthenticated("following=true is your feed: sign in first")
            follower = auth.require_identity(
                conn, signed_in(request, conn, settings, token, moment)
            )
        whom = None if author is None else profiles.find_identity(conn, chain.chain_id, author)
        return posts.page(conn, chain.chain_id, cursor, limit, whom, follower, words)

    page = await in_transaction(request, read)
    return PostPage(
        items=[post_out(r, page.handles.get(r["author_token_id"])) for r in page.rows],
        next_cursor=page.next_cursor,
    )


@router.post("", status_code=201, response_model=PostOut, responses=responses(401, 403, 422))
def create_post(
    body: PostIn, conn: Conn, identity: CurrentIdentity, moment: Now, notifier: NotifierDep
) -> PostOut:
    """Publishes a post, public or private to your community (403 ``identity_required``;
    422 ``disclosure_required``); your followers are notified."""
    disclosure = body.disclosure or Disclosure()
    row = posts.create(
        conn,
        identity,
        body.body,
        body.instruments,
        disclosure.holds_position,
        disclosure.sponsored,
        moment,
        body.visibility,
    )
    notifier.after_commit(conn, notifications.post_published(conn, row))
    return post_out(row, identity.handle)


@router.get("/{post_id}", response_model=PostOut, responses=gated_responses(401, 403, 404))
async def get_post(
    post_id: PostId,
    request: Request,
    chain: Chain,
    settings: Settings,
    moment: Now,
    access: Access,
    token: Annotated[str | None, Depends(bearer_token)],
) -> PostOut:
    """A post; a private one only for its author and its community's pass holders. A deleted
    post answers ``deleted: true`` without its text; a hidden one its ``moderation_label``.
    The session is checked in the read's own transaction, as the feed does."""

    def read(conn: Connection) -> RowMapping:
        reader = reader_of(request, conn, settings, token, moment)
        return posts.readable(conn, chain.chain_id, post_id, reader, moment, access)

    row = await in_transaction(request, read)
    return post_out(row, row["author_handle"])


@router.patch(
    "/{post_id}", response_model=PostOut, responses=responses(401, 403, 404, 409, 410, 422)
)
def edit_post(
    post_id: PostId, body: PostEdit, conn: Conn, identity: CurrentIdentity, moment: Now
) -> PostOut:
    """Edits your post's text and/or disclosure labels; the replaced version stays in its
    history (403 ``not_author``; 410 ``content_deleted``; 409 ``content_hidden``)."""
    disclosure = body.disclosure or Disclosure()
    row = editing.edit_post(
        conn, identity, post_id, body.body, disclosure.holds_position, disclosure.sponsored, moment
    )
    return post_out(row, identity.handle)


@router.delete("/{post_id}", response_model=PostOut, responses=responses(401, 403, 404, 410))
def delete_post(post_id: PostId, conn: Conn, identity: CurrentIdentity, moment: Now) -> PostOut:
    """Deletes your post: its text and history are erased, it leaves the feeds and stops
    counting for the week's rewards (403 ``not_author``; 410 if already deleted)."""
    return post_out(editing.delete_post(conn, identity, post_id, moment), identity.handle)


@router.get(
    "/{post_id}/history", response_model=HistoryOut, responses=gated_responses(401, 403, 404)
)
def post_history(post_id: PostId, post: ReadablePost, conn: Conn, chain: Chain) -> HistoryOut:
    """Every version of the post, the current first (its text withheld while hidden; none
    once deleted)."""
    return history_out(conn, chain.chain_id, "post", post)


@router.post(
    "/{post_id}/views", response_model=ViewOut, responses=gated_responses(401, 403, 404, 409, 410)
)
def add_view(
    post_id: PostId, _post: ReadablePost, conn: Conn, chain: Chain, user: OptionalUser, moment: Now
) -> ViewOut:
    """Counts one view (anonymous allowed on public posts; the per-IP rate limit applies). A
    signed-in viewer with an identity is also recorded once per post, for weekly rewards."""
    viewer = identities.by_owner(conn, chain.chain_id, user.address) if user else None
    count = posts.view(conn, chain.chain_id, post_id, viewer, moment)
    return ViewOut(post_id=post_id, view_count=count)


@router.put(
    "/{post_id}/like", response_model=LikeOut, responses=gated_responses(401, 403, 404, 409, 410)
)
def like(
    post_id: PostId,
    post: ReadablePost,
    conn: Conn,
    identity: CurrentIdentity,
    moment: Now,
    notifier: NotifierDep,
) -> LikeOut:
    """Likes the post; idempotent: liking again answers 200 and the count stays (its author
    is notified once per liker)."""
    count = posts.like(conn, identity, post_id, moment)
    notifier.after_commit(conn, notifications.liked(conn, post, identity, moment))
    return LikeOut(post_id=post_id, liked=True, like_count=count)


@router.delete("/{post_id}/like", response_model=LikeOut, responses=gated_responses(401, 403, 404))
def unlike(post_id: PostId, _post: ReadablePost, conn: Conn, identity: CurrentIdentity) -> LikeOut:
    """Removes your like; idempotent."""
    return LikeOut(post_id=post_id, liked=False, like_count=posts.unlike(conn, identity, post_id))


@router.get(
    "/{post_id}/comments", response_model=CommentPage, responses=gated_responses(401, 403, 404, 422)
)
def list_comments(
    post_id: PostId,
    _post: ReadablePost,
    conn: Conn,
    chain: Chain,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> CommentPage:
    """Oldest first."""
    page = posts.comment_page(conn, chain.chain_id, post_id, cursor, limit)
    return CommentPage(
        items=[comment_out(r, page.handles.get(r["author_token_id"])) for r in page.rows],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/{post_id}/comments",
    status_code=201,
    response_model=CommentOut,
    responses=gated_responses(401, 403, 404, 409, 410, 422),
)
def add_comment(
    post_id: PostId,
    body: CommentIn,
    post: ReadablePost,
    conn: Conn,
    identity: CurrentIdentity,
    moment: Now,
    notifier: NotifierDep,
) -> CommentOut:
    """Comments on the post; its author is notified."""
    row = posts.comment(conn, identity, post_id, body.body, moment)
    notifier.after_commit(conn, notifications.commented(conn, post, row))
    return comment_out(row, identity.handle)


@router.post(
    "/{post_id}/reports",
    response_model=ReportOut,
    responses=gated_responses(401, 403, 404, 409, 410, 422),
)
def report(
    post_id: PostId,
    body: ReportIn,
    _post: ReadablePost,
    conn: Conn,
    identity: CurrentIdentity,
    moment: Now,
) -> ReportOut:
    """Reports the post to moderators; one report per identity per post (repeats: 200)."""
    posts.interactable(_post)  # hidden or deleted content is past reporting
    reason = moderation.report(conn, identity, "post", post_id, body.reason, body.note, moment)
    return ReportOut(post_id=post_id, reason=reason)
