"""The follow graph: identities follow creators' identities.

Edges are keyed by token ids, not wallets, so a recovered identity keeps whom it follows and
who follows it. Following is idempotent (a second follow changes nothing, not even the time),
and following oneself is refused: it would only inflate one's own follower count.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, delete, func, select

from api.errors import ErrorCode, Unprocessable
from api.services.identities import Identity
from api.services.posts import decode_cursor, encode_cursor
from planet.store.mirror import identities as identity_rows
from planet.store.offchain import follows
from planet.store.sql import insert_ignore


@dataclass(frozen=True)
class Page:
    rows: list[RowMapping]  # token_id, handle, owner, followed_at
    next_cursor: str | None


def follow(conn: Connection, who: Identity, whom: Identity, now: int) -> bool:
    """``who`` follows ``whom``; True if the edge is new."""
    if who.token_id == whom.token_id:
        raise Unprocessable("you cannot follow yourself", code=ErrorCode.CANNOT_FOLLOW_SELF)
    return insert_ignore(
        conn,
        follows,
        {
            "chain_id": who.chain_id,
            "follower_token_id": who.token_id,
            "followee_token_id": whom.token_id,
            "created_at": now,
        },
    )


def unfollow(conn: Connection, who: Identity, whom: Identity) -> bool:
    """``who`` stops following ``whom``; True if there was an edge."""
    removed = conn.execute(
        delete(follows).where(
            follows.c.chain_id == who.chain_id,
            follows.c.follower_token_id == who.token_id,
            follows.c.followee_token_id == whom.token_id,
        )
    )
    return bool(removed.rowcount)


def is_following(conn: Connection, who: Identity, whom: Identity) -> bool:
    found = conn.execute(
        select(follows.c.created_at).where(
            follows.c.chain_id == who.chain_id,
            follows.c.follower_token_id == who.token_id,
            follows.c.followee_token_id == whom.token_id,
        )
    ).first()
    return found is not None


def followers_of(conn: Connection, identity: Identity) -> int:
    """How many identities follow ``identity``."""
    return _count(conn, identity, "followee_token_id")


def followed_by(conn: Connection, identity: Identity) -> int:
    """How many identities ``identity`` follows."""
    return _count(conn, identity, "follower_token_id")


def _count(conn: Connection, identity: Identity, column: str) -> int:
    return conn.execute(
        select(func.count()).where(
            follows.c.chain_id == identity.chain_id, follows.c[column] == identity.token_id
        )
    ).scalar_one()


def _page(conn: Connection, identity: Identity, side: str, cursor: str | None, limit: int) -> Page:
    """Identities on the ``side`` of ``identity``'s edges (``followers`` or ``following``),
    by token id: keyset pages, so a follow meanwhile never shifts one."""
    mine, theirs = (
        ("followee_token_id", "follower_token_id")
        if side == "followers"
        else ("follower_token_id", "followee_token_id")
    )
    other = follows.c[theirs]
    query = (
        select(
            other.label("token_id"),
            identity_rows.c.handle,
            identity_rows.c.owner,
            follows.c.created_at.label("followed_at"),
        )
        .select_from(
            follows.join(
                identity_rows,
                (identity_rows.c.chain_id == follows.c.chain_id)
                & (identity_rows.c.token_id == other),
            )
        )
        .where(follows.c.chain_id == identity.chain_id, follows.c[mine] == identity.token_id)
    )
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(other > after)
    rows = list(conn.execute(query.order_by(other).limit(limit + 1)).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1]["token_id"]) if more and rows else None)


def followers(conn: Connection, identity: Identity, cursor: str | None, limit: int) -> Page:
    return _page(conn, identity, "followers", cursor, limit)


def following(conn: Connection, identity: Identity, cursor: str | None, limit: int) -> Page:
    return _page(conn, identity, "following", cursor, limit)
