"""Private communities: a creator's private posts, for the creator and their pass holders.

Private posts are written with ``POST /posts`` and ``"visibility": "private"``; they are read,
liked and commented through the ``/posts/{id}`` routes, which apply the same gate.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import Access, Chain, Conn, Now, OptionalUser
from api.errors import NotFound, gated_responses
from api.params import Text
from api.schemas import Cursor, Limit, PostPage, post_out
from api.services import identities, posts

router = APIRouter(prefix="/communities", tags=["communities"])

Handle = Annotated[
    Text, Path(min_length=1, max_length=64, description="The creator's Planet handle")
]


@router.get(
    "/{handle}/posts", response_model=PostPage, responses=gated_responses(401, 403, 404, 422)
)
def community_posts(
    conn: Conn,
    chain: Chain,
    user: OptionalUser,
    moment: Now,
    access: Access,
    handle: Handle,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> PostPage:
    """The creator's private posts, newest first: for the creator and wallets with access to
    one of the creator's community passes (401 without a session; 403 ``pass_required`` or
    ``pass_expired``; 404 no such creator)."""
    creator = identities.by_handle(conn, chain.chain_id, handle)
    if creator is None:
        raise NotFound(f"no identity with handle {handle!r}")
    reader = user.address if user is not None else None
    posts.community_access(conn, creator, reader, moment, access)
    page = posts.community_page(conn, creator, cursor, limit)
    return PostPage(
        items=[post_out(r, page.handles.get(r["author_token_id"])) for r in page.rows],
        next_cursor=page.next_cursor,
    )
