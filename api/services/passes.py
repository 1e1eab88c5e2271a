"""Community passes as the indexer mirrored them: the ones a wallet holds and the ones it
created (for profiles), the catalogue with holder counts (``GET /passes``) and the proceeds
of sales per payee and currency."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, case, func, select

from api.errors import NotFound
from api.services.access import grants, holdings
from planet.store.mirror import identities, pass_holdings, pass_proceeds, passes


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


# ---------------------------------------------------------------- the pass catalogue

UNLIMITED = 2**64 - 1
"""A ``maxSupply`` or ``walletLimit`` of ``type(uint64).max`` puts no limit in practice."""


@dataclass(frozen=True)
class Listed:
    """A pass as ``GET /passes`` answers it: its mirrored row, its creator's identity (if the
    creator's wallet still owns one) and how many wallets hold it."""

    row: RowMapping
    creator_handle: str | None
    creator_token_id: int | None
    holders: int  # wallets with a balance
    active_holders: int  # wallets CommunityPass.hasAccess grants now


def _holder_counts(
    conn: Connection, chain_id: int, pass_ids: list[int], now: int
) -> dict[int, tuple[int, int]]:
    """(holders, active holders) by pass id. Expiries are Uint256: on SQLite a large one is
    text, which sorts after every integer, so ``expiry > now`` holds for it as it should."""
    if not pass_ids:
        return {}
    h = pass_holdings.c
    held = h.balance > 0
    active = ((passes.c.duration == 0) & held) | ((passes.c.duration != 0) & (h.expiry > now))
    rows = conn.execute(
        select(
            h.pass_id,
            func.sum(case((held, 1), else_=0)).label("holders"),
            func.sum(case((active, 1), else_=0)).label("active"),
        )
        .select_from(
            pass_holdings.join(
                passes, (passes.c.chain_id == h.chain_id) & (passes.c.pass_id == h.pass_id)
            )
        )
        .where(h.chain_id == chain_id, h.pass_id.in_(pass_ids))
        .group_by(h.pass_id)
    ).all()
    return {int(r.pass_id): (int(r.holders or 0), int(r.active or 0)) for r in rows}


def _listed(conn: Connection, chain_id: int, rows: list[RowMapping], now: int) -> list[Listed]:
    counts = _holder_counts(conn, chain_id, [int(r["pass_id"]) for r in rows], now)
    creators = {r["creator"] for r in rows}
    owners = (
        conn.execute(
            select(identities.c.owner, identities.c.handle, identities.c.token_id).where(
                identities.c.chain_id == chain_id, identities.c.owner.in_(creators)
            )
        ).all()
        if creators
        else []
    )
    by_owner = {o.owner: o for o in owners}
    out = []
    for r in rows:
        owner = by_owner.get(r["creator"])
        holders, active = counts.get(int(r["pass_id"]), (0, 0))
        out.append(
            Listed(
                row=r,
                creator_handle=owner.handle if owner else None,
                creator_token_id=int(owner.token_id) if owner else None,
                holders=holders,
                active_holders=active,
            )
        )
    return out


def get(conn: Connection, chain_id: int, pass_id: int, now: int) -> Listed:
    """The pass ``pass_id`` as mirrored (404 if the indexer has not seen it created)."""
    row = (
        conn.execute(
            select(passes).where(passes.c.chain_id == chain_id, passes.c.pass_id == pass_id)
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"no pass {pass_id} on chain {chain_id}")
    return _listed(conn, chain_id, [row], now)[0]


def page(
    conn: Connection,
    chain_id: int,
    now: int,
    after: int | None,
    limit: int,
    creator: str | None = None,
) -> tuple[list[Listed], bool]:
    """Passes by id ascending after ``after``, optionally only ``creator``'s (a wallet,
    lowercase); and whether more follow."""
    query = select(passes).where(passes.c.chain_id == chain_id)
    if after is not None:
        query = query.where(passes.c.pass_id > after)
    if creator is not None:
        query = query.where(passes.c.creator == creator)
    rows = list(conn.execute(query.order_by(passes.c.pass_id).limit(limit + 1)).mappings())
    return _listed(conn, chain_id, rows[:limit], now), len(rows) > limit


@dataclass(frozen=True)
class Proceeds:
    currency: str
    withdrawable: int  # CommunityPass.proceeds(payee, currency)
    withdrawn: int


def proceeds(conn: Connection, chain_id: int, payee: str) -> list[Proceeds]:
    """What sales credited ``payee`` (a creator, or the treasury), per currency: still to
    withdraw, and withdrawn so far; native currency first, then by token address."""
    t = pass_proceeds.c
    rows = conn.execute(
        select(t.currency, t.accrued, t.withdrawn)
        .where(t.chain_id == chain_id, t.payee == payee.lower())
        .order_by(t.currency)
    ).all()
    return [Proceeds(r.currency, int(r.accrued), int(r.withdrawn)) for r in rows]
