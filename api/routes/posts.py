"""Posts: feed, create, read, and interactions (views, likes, comments, reports).

A post is ``public`` or ``private`` (``visibility`` on create). Private posts form the author's
private community: every route here that names one first checks, through
:func:`api.deps.readable_post`, that the reader is its author or has access to one of the author's
community passes (401 without a session; 403 ``pass_required`` / ``pass_expired``).
"""

from __future__ import annotations

from datetime import datetime
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
)
from api.errors import NotAuthenticated, gated_responses, responses
from api.params import PostId, SearchText, Text
from api.schemas import (
    Author,
    Cursor,
    Disclosure,
    Instrument,
    Limit,
    PostOut,
    PostPage,
    post_out,
    utc,
)
from api.services import auth, identities, notifications, posts, profiles, search

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


class CommentIn(BaseModel):
    body: Text = Field(min_length=1, max_length=2_000)


class CommentOut(BaseModel):
    id: int
    post_id: int
    author: Author
    body: str
    created_at: datetime


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


def _comment(row: RowMapping, handle: str | None) -> CommentOut:
    return CommentOut(
        id=row["id"],
        post_id=row["post_id"],
        author=Author(
            token_id=row["author_token_id"], handle=handle, address=row["author_address"]
        ),
        body=row["body"],
        created_at=utc(row["created_at"]),
    )


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
            session = auth.authenticate(conn, settings, token, moment)
            follower = auth.require_identity(conn, session)
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
    post_id: PostId, request: Request, chain: Chain, user: OptionalUser, moment: Now, access: Access
) -> PostOut:
    """A post; a private one only for its author and its community's pass holders."""
    reader = user.address if user is not None else None
    row = await in_transaction(
        request, lambda conn: posts.readable(conn, chain.chain_id, post_id, reader, moment, access)
    )
    return post_out(row, row["author_handle"])


@router.post("/{post_id}/views", response_model=ViewOut, responses=gated_responses(401, 403, 404))
def add_view(
    post_id: PostId, _post: ReadablePost, conn: Conn, chain: Chain, user: OptionalUser, moment: Now
) -> ViewOut:
    """Counts one view (anonymous allowed on public posts; the per-IP rate limit applies). A
    signed-in viewer with an identity is also recorded once per post, for weekly rewards."""
    viewer = identities.by_owner(conn, chain.chain_id, user.address) if user else None
    count = posts.view(conn, chain.chain_id, post_id, viewer, moment)
    return ViewOut(post_id=post_id, view_count=count)


@router.put("/{post_id}/like", response_model=LikeOut, responses=gated_responses(401, 403, 404))
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
        items=[_comment(r, page.handles.get(r["author_token_id"])) for r in page.rows],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/{post_id}/comments",
    status_code=201,
    response_model=CommentOut,
    responses=gated_responses(401, 403, 404, 422),
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
    return _comment(row, identity.handle)


@router.post(
    "/{post_id}/reports", response_model=ReportOut, responses=gated_responses(401, 403, 404, 422)
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
    reason = posts.report(conn, identity, post_id, body.reason, body.note, moment)
    return ReportOut(post_id=post_id, reason=reason)
