"""The creator directory (``GET /profiles``): every mirrored identity, newest registration
first, ranked by the latest closed week, by followers, or by latest public post.

``followers`` orders by how many identities follow each (then newest registration first) and
``active`` by each identity's latest public post (identities that never posted last, newest
registration first among them); both count in one grouped statement over an index and page
by position (LIMIT/OFFSET): they cost the same on the tenth page as on the first, the
directory being thousands of rows. Private posts do not count as activity here: the
directory is public.

``recent`` pages by token id (identities are numbered in registration order), so a page costs
one indexed range read however long the directory. ``rank`` orders by what the latest closed
week paid each identity's wallet (its published distribution, where the API serves it), then by
the points the wallet earned that week, then by token id: a week whose root is not proposed yet
still ranks by its points. Ranking needs every identity's standing, so it reads them all and
pages by position; directories of this product's size (thousands) take milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, Select, and_, case, func, select

from api.services import identities as identity_rows
from api.services.chain import ChainContext
from api.services.identities import Identity
from api.services.rewards import DistributionUnavailable, Rewards
from planet.store.mirror import epoch_point_balances, identities
from planet.store.offchain import follows, hidden, personas, posts

Sort = Literal["recent", "rank", "followers", "active"]


@dataclass(frozen=True)
class Listed:
    identity: Identity
    bio: str | None  # the persona's, None when it has none
    week_points: int  # points in the ranked week (0 when that week is unknown)
    week_allocation: int | None  # what the ranked week paid; None: not published here
    followers: int  # identities following it


@dataclass(frozen=True)
class Directory:
    week: int | None  # the latest closed week, None before the first closes
    items: list[Listed]
    next_position: int | None  # token id (recent) or position (rank) after this page


def _follower_counts(chain_id: int) -> Any:
    return (
        select(
            follows.c.followee_token_id.label("token_id"),
            func.count().label("followers"),
        )
        .where(follows.c.chain_id == chain_id)
        .group_by(follows.c.followee_token_id)
        .subquery("follower_counts")
    )


def _latest_posts(chain_id: int) -> Any:
    return (
        select(posts.c.author_token_id.label("token_id"), func.max(posts.c.id).label("latest"))
        .where(posts.c.chain_id == chain_id, posts.c.visibility == "public")
        .group_by(posts.c.author_token_id)
        .subquery("latest_posts")
    )


def _query(chain_id: int, week: int | None) -> Select[Any]:
    points = epoch_point_balances
    counts = _follower_counts(chain_id)
    return (
        select(
            *identity_rows.joined_columns(""),
            # a persona the risk role hid is listed without its bio
            case((hidden.c.label.is_(None), personas.c.bio), else_=None).label("bio"),
            points.c.balance.label("week_points"),
            func.coalesce(counts.c.followers, 0).label("followers"),
        )
        .select_from(identities)
        .outerjoin(
            personas,
            and_(
                personas.c.chain_id == identities.c.chain_id,
                personas.c.token_id == identities.c.token_id,
            ),
        )
        .outerjoin(
            hidden,
            and_(
                hidden.c.chain_id == identities.c.chain_id,
                hidden.c.kind == "identity",
                hidden.c.target_id == identities.c.token_id,
            ),
        )
        .outerjoin(
            points,
            and_(
                points.c.chain_id == identities.c.chain_id,
                points.c.account == identities.c.owner,
                points.c.epoch == (-1 if week is None else week),
            ),
        )
        .outerjoin(counts, counts.c.token_id == identities.c.token_id)
        .where(identities.c.chain_id == chain_id)
    )


def _allocations(
    conn: Connection, chain_id: int, rewards: Rewards, week: int | None
) -> dict[str, int]:
    """The ranked week's amounts by lowercase account; empty when it is not served here."""
    if week is None or rewards.store is None:
        return {}
    published = {p.epoch: p for p in rewards.published(conn, chain_id)}
    if week not in published:
        return {}
    try:
        file = rewards.store.get(published[week])
    except DistributionUnavailable:
        return {}
    return {account: entry.amount for account, entry in file.by_account.items()}


def listing(
    conn: Connection,
    chain: ChainContext,
    rewards: Rewards,
    sort: Sort,
    after: int | None,
    limit: int,
    now: int,
) -> Directory:
    """One page of the directory; ``after`` is the previous page's ``next_position``."""
    current = chain.current_epoch(now)
    week = current - 1 if current else None
    amounts = _allocations(conn, chain.chain_id, rewards, week)
    query = _query(chain.chain_id, week)
    if sort == "recent":
        if after is not None:
            query = query.where(identities.c.token_id < after)
        rows = conn.execute(query.order_by(identities.c.token_id.desc()).limit(limit + 1))
        found = list(rows.mappings())
        more = len(found) > limit
        found = found[:limit]
        following = found[-1]["token_id"] if more and found else None
    elif sort in ("followers", "active"):
        if sort == "followers":
            order = [func.coalesce(query.selected_columns.followers, 0).desc()]
        else:
            latest = _latest_posts(chain.chain_id)
            query = query.outerjoin(latest, latest.c.token_id == identities.c.token_id)
            # NULLs (never posted) last on both engines: coalesce to 0, below every post id
            order = [func.coalesce(latest.c.latest, 0).desc()]
        start = after or 0
        rows = conn.execute(
            query.order_by(*order, identities.c.token_id.desc()).offset(start).limit(limit + 1)
        )
        found = list(rows.mappings())
        more = len(found) > limit
        found = found[:limit]
        following = start + limit if more else None
    else:
        everyone = list(conn.execute(query).mappings())
        everyone.sort(
            key=lambda r: (
                -amounts.get(r["owner"], 0),
                -int(r["week_points"] or 0),
                r["token_id"],
            )
        )
        start = after or 0
        found = everyone[start : start + limit]
        following = start + limit if start + limit < len(everyone) else None
    items = [
        Listed(
            identity=identity_rows.from_row(r),
            bio=r["bio"],
            week_points=int(r["week_points"] or 0),
            week_allocation=(amounts.get(r["owner"], 0) if amounts else None),
            followers=int(r["followers"]),
        )
        for r in found
    ]
    return Directory(week=week, items=items, next_position=following)
