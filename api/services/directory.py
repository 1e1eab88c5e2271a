"""The creator directory (``GET /profiles``): every mirrored identity, newest registration
first or ranked by the latest closed week.

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

from sqlalchemy import Connection, Select, and_, case, select

from api.services import identities as identity_rows
from api.services.chain import ChainContext
from api.services.identities import Identity
from api.services.rewards import DistributionUnavailable, Rewards
from planet.store.mirror import epoch_point_balances, identities
from planet.store.offchain import hidden, personas

Sort = Literal["recent", "rank"]


@dataclass(frozen=True)
class Listed:
    identity: Identity
    bio: str | None  # the persona's, None when it has none
    week_points: int  # points in the ranked week (0 when that week is unknown)
    week_allocation: int | None  # what the ranked week paid; None: not published here


@dataclass(frozen=True)
class Directory:
    week: int | None  # the latest closed week, None before the first closes
    items: list[Listed]
    next_position: int | None  # token id (recent) or position (rank) after this page


def _query(chain_id: int, week: int | None) -> Select[Any]:
    points = epoch_point_balances
    return (
        select(
            *identity_rows.joined_columns(""),
            # a persona the risk role hid is listed without its bio
            case((hidden.c.label.is_(None), personas.c.bio), else_=None).label("bio"),
            points.c.balance.label("week_points"),
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
        )
        for r in found
    ]
    return Directory(week=week, items=items, next_position=following)
