"""Comments by id: their author edits or deletes them; anyone who may read their post reads
their edit history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import Access, Chain, Conn, CurrentIdentity, Now, OptionalUser
from api.errors import gated_responses, responses
from api.params import MAX_ID
from api.schemas import CommentIn, CommentOut, HistoryOut, comment_out, history_out
from api.services import editing, posts

router = APIRouter(prefix="/comments", tags=["posts"])

CommentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The comment's id")]


@router.patch(
    "/{comment_id}", response_model=CommentOut, responses=responses(401, 403, 404, 409, 410, 422)
)
def edit_comment(
    comment_id: CommentId, body: CommentIn, conn: Conn, identity: CurrentIdentity, moment: Now
) -> CommentOut:
    """Edits your comment; the replaced text stays in its history (403 ``not_author``; 410
    ``content_deleted``; 409 ``content_hidden``)."""
    row = editing.edit_comment(conn, identity, comment_id, body.body, moment)
    return comment_out(row, identity.handle)


@router.delete("/{comment_id}", response_model=CommentOut, responses=responses(401, 403, 404, 410))
def delete_comment(
    comment_id: CommentId, conn: Conn, identity: CurrentIdentity, moment: Now
) -> CommentOut:
    """Deletes your comment: its text and history are erased and it leaves the post's
    comments (403 ``not_author``; 410 if already deleted)."""
    return comment_out(editing.delete_comment(conn, identity, comment_id, moment), identity.handle)


@router.get(
    "/{comment_id}/history", response_model=HistoryOut, responses=gated_responses(401, 403, 404)
)
def comment_history(
    comment_id: CommentId, conn: Conn, chain: Chain, user: OptionalUser, moment: Now, access: Access
) -> HistoryOut:
    """Every version of the comment, the current first, under its post's gate."""
    row = posts.get_comment(conn, chain.chain_id, comment_id)
    reader = user.address if user is not None else None
    posts.readable(conn, chain.chain_id, row["post_id"], reader, moment, access)
    return history_out(conn, chain.chain_id, "comment", row)
