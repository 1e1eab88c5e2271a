"""Following creators: follow, unfollow, and the followers / following lists of an identity.

The feed of the identities one follows is ``GET /posts?following=true``."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import Chain, Conn, CurrentIdentity, Now
from api.errors import responses
from api.params import HandleOrAddress
from api.schemas import Cursor, Limit, utc
from api.services import follows, profiles
from api.services.identities import Identity

router = APIRouter(prefix="/profiles", tags=["follows"])


class FollowOut(BaseModel):
    handle: str
    following: bool = Field(description="Whether you follow this identity now")
    followers: int = Field(description="How many identities follow it")


class Follower(BaseModel):
    token_id: int
    handle: str
    address: str
    followed_at: datetime = Field(description="When the edge was made")


class FollowPage(BaseModel):
    items: list[Follower]
    next_cursor: str | None
    total: int = Field(description="All identities on this side, across pages")


def _state(conn: Conn, following: bool, whom: Identity) -> FollowOut:
    return FollowOut(
        handle=whom.handle, following=following, followers=follows.followers_of(conn, whom)
    )


@router.put(
    "/{handle_or_address}/follow", response_model=FollowOut, responses=responses(401, 403, 404, 422)
)
def follow(
    handle_or_address: HandleOrAddress,
    conn: Conn,
    chain: Chain,
    identity: CurrentIdentity,
    moment: Now,
) -> FollowOut:
    """You follow this identity (idempotent; 422 ``cannot_follow_self``; 403
    ``identity_required`` without an identity of your own)."""
    whom = profiles.find_identity(conn, chain.chain_id, handle_or_address)
    follows.follow(conn, identity, whom, moment)
    return _state(conn, True, whom)


@router.get(
    "/{handle_or_address}/follow", response_model=FollowOut, responses=responses(401, 403, 404)
)
def follow_state(
    handle_or_address: HandleOrAddress, conn: Conn, chain: Chain, identity: CurrentIdentity
) -> FollowOut:
    """Whether you follow this identity, and its follower count: one indexed lookup, so a
    client need not walk the follower pages to find itself."""
    whom = profiles.find_identity(conn, chain.chain_id, handle_or_address)
    return _state(conn, follows.is_following(conn, identity, whom), whom)


@router.delete(
    "/{handle_or_address}/follow", response_model=FollowOut, responses=responses(401, 403, 404)
)
def unfollow(
    handle_or_address: HandleOrAddress, conn: Conn, chain: Chain, identity: CurrentIdentity
) -> FollowOut:
    """You stop following this identity (idempotent)."""
    whom = profiles.find_identity(conn, chain.chain_id, handle_or_address)
    follows.unfollow(conn, identity, whom)
    return _state(conn, False, whom)


def _page(page: follows.Page, total: int) -> FollowPage:
    return FollowPage(
        items=[
            Follower(
                token_id=r["token_id"],
                handle=r["handle"],
                address=r["owner"],
                followed_at=utc(r["followed_at"]),
            )
            for r in page.rows
        ],
        next_cursor=page.next_cursor,
        total=total,
    )


@router.get(
    "/{handle_or_address}/followers", response_model=FollowPage, responses=responses(404, 422)
)
def followers(
    handle_or_address: HandleOrAddress,
    conn: Conn,
    chain: Chain,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> FollowPage:
    """Who follows this identity, by token id (422 ``invalid_cursor``)."""
    whom = profiles.find_identity(conn, chain.chain_id, handle_or_address)
    total = follows.followers_of(conn, whom)
    return _page(follows.followers(conn, whom, cursor, limit), total)


@router.get(
    "/{handle_or_address}/following", response_model=FollowPage, responses=responses(404, 422)
)
def following(
    handle_or_address: HandleOrAddress,
    conn: Conn,
    chain: Chain,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> FollowPage:
    """Whom this identity follows, by token id (422 ``invalid_cursor``)."""
    who = profiles.find_identity(conn, chain.chain_id, handle_or_address)
    total = follows.followed_by(conn, who)
    return _page(follows.following(conn, who, cursor, limit), total)
