"""The community passes a wallet holds and the ones it created, as the indexer mirrored them,
for profiles: what a reader can see of a member's place in the communities."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from api.services.access import grants, holdings
from planet.store.mirror import pass_holdings, passes


@dataclass(frozen=True)
class Held:
    pass_id: int
    creator: str
    balance: int
    expiry: int  # 0 for a lifetime pass
    active: bool  # CommunityPass.hasAccess now


@dataclass(frozen=True)
class Created:
    pass_id: int
    currency: str
    price: int
    duration: int  # 0: lifetime
    minted: int
    max_supply: int
    paused: bool


def held(conn: Connection, chain_id: int, holder: str, now: int) -> list[Held]:
    """Passes ``holder`` holds or held (a lapsed subscription stays, inactive), by pass id."""
    rows = conn.execute(
        holdings(passes.c.pass_id, passes.c.creator)
        .where(passes.c.chain_id == chain_id, pass_holdings.c.holder == holder.lower())
        .order_by(passes.c.pass_id)
    ).all()
    return [
        Held(
            int(r.pass_id),
            r.creator,
            int(r.balance),
            int(r.expiry),
            grants(int(r.duration), int(r.balance), int(r.expiry), now),
        )
        for r in rows
        if int(r.balance) > 0 or int(r.expiry) > 0
    ]


def created(conn: Connection, chain_id: int, creator: str) -> list[Created]:
    rows = conn.execute(
        select(passes)
        .where(passes.c.chain_id == chain_id, passes.c.creator == creator.lower())
        .order_by(passes.c.pass_id)
    ).all()
    return [
        Created(
            int(r.pass_id),
            r.currency,
            int(r.price),
            int(r.duration),
            int(r.minted),
            int(r.max_supply),
            bool(r.paused),
        )
        for r in rows
    ]
