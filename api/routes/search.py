"""Search over posts (public, and private ones the reader may read) and profiles."""

from __future__ import annotations

from typing import Annotated, Literal

from eth_utils import to_checksum_address
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from api.db import in_transaction
from api.deps import Access, Chain, Now, Settings, bearer_token, reader_of
from api.errors import ErrorCode, Unprocessable, responses
from api.params import SearchText
from api.schemas import Cursor, PostOut, post_out
from api.services import search
from api.services.posts import Page

router = APIRouter(prefix="/search", tags=["search"])


class ProfileHitOut(BaseModel):
    handle: str
    address: str = Field(description="The identity's wallet (checksummed)")
    token_id: int
    verified: bool
    labels: list[str]
    bio: str | None = Field(description="The persona's bio; null when it has no persona")


class SearchOut(BaseModel):
    q: str
    words: list[str] = Field(description="The words searched for, as the query was read")
    posts: list[PostOut] = Field(
        description="Newest first: public posts, and private ones you may read (signed in "
        "with one of their creator's passes, or their author). Empty when type=profiles"
    )
    posts_next_cursor: str | None = Field(
        description="Pass as ?cursor= with type=posts for more posts; null: no more"
    )
    profiles: list[ProfileHitOut] = Field(description="By handle. Empty when type=posts")
    profiles_next_cursor: str | None = Field(
        description="Pass as ?cursor= with type=profiles for more profiles; null: no more"
    )


@router.get("", response_model=SearchOut, responses=responses(401, 422))
async def search_all(
    q: SearchText,
    request: Request,
    chain: Chain,
    settings: Settings,
    moment: Now,
    access: Access,
    token: Annotated[str | None, Depends(bearer_token)],
    type: Annotated[
        Literal["all", "posts", "profiles"],
        Query(description="`all`: the first page of each; `posts` or `profiles` to page one"),
    ] = "all",
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=50, description="Items per page (of each type)")] = 20,
) -> SearchOut:
    """Searches posts and profiles (422 ``invalid_query`` when q holds no letter or digit or
    too many words; 422 ``cursor_needs_type`` for a cursor with type=all; 401 for a bad
    token). Anonymous readers search public posts only. The session is checked in the
    search's own transaction, as the feed does: a search per keystroke should not pay a
    second transaction and its thread hops."""
    if cursor is not None and type == "all":
        raise Unprocessable(
            "a cursor pages one list: pass type=posts or type=profiles with it",
            code=ErrorCode.CURSOR_NEEDS_TYPE,
        )
    words = search.terms(q)
    after = search.decode_handle_cursor(cursor) if type == "profiles" else None

    def read(conn: Connection) -> tuple[Page | None, search.ProfilePage | None]:
        reader = reader_of(request, conn, settings, token, moment)
        found_posts = found_profiles = None
        if type in ("all", "posts"):
            found_posts = search.post_page(
                conn, chain.chain_id, words, reader, moment, access, cursor, limit
            )
        if type in ("all", "profiles"):
            found_profiles = search.profile_page(conn, chain.chain_id, words, after, limit)
        return found_posts, found_profiles

    found_posts, found_profiles = await in_transaction(request, read)
    return SearchOut(
        q=q,
        words=words,
        posts=[]
        if found_posts is None
        else [post_out(r, found_posts.handles.get(r["author_token_id"])) for r in found_posts.rows],
        posts_next_cursor=None if found_posts is None else found_posts.next_cursor,
        profiles=[]
        if found_profiles is None
        else [
            ProfileHitOut(
                handle=h.identity.handle,
                address=to_checksum_address(h.identity.owner),
                token_id=h.identity.token_id,
                verified=h.identity.verified,
                labels=h.identity.label_names,
                bio=h.bio,
            )
            for h in found_profiles.items
        ],
        profiles_next_cursor=None
        if found_profiles is None or found_profiles.next_handle is None
        else search.encode_handle_cursor(found_profiles.next_handle),
    )
