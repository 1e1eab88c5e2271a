"""What one wallet may do with one pass, from the mirror, as CommunityPass decides it on chain:
the requirements it misses (contribution points counted as the pass counts them, a verified
identity), whether it may buy or renew now and why not (``canMint`` / ``canRenew``), the price
it would renew at (its snapshot during a price notice) and the refund a cancel would pay.

The chain decides; this answers ahead of a transaction so a client can say why a button is
disabled instead of letting a wallet sign a transaction that reverts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, select

from planet.core.passes import Block, refund_due, renewal_price
from planet.store.mirror import epoch_point_balances, identities, pass_holdings, pass_proceeds


@dataclass(frozen=True)
class Missing:
    """One requirement the wallet does not meet."""

    requirement: str  # "points" or "verified_identity"
    required: int = 0  # points required (0 for verified_identity)
    has: int = 0  # points counted now


@dataclass(frozen=True)
class Rights:
    points: int  # as the pass counts them (lifetime, or its window of weeks)
    verified: bool
    missing: list[Missing]
    can_mint: bool
    mint_blocked: Block | None  # the first reason, when can_mint is false
    can_renew: bool
    renew_blocked: Block | None
    expiry: int  # 0: never subscribed, or a lifetime pass
    snapshot_price: int  # the unit price of the wallet's latest purchase (0: none)
    renewal_price: int | None  # None unless the wallet holds the subscription
    refund: int  # what a cancel credits now (0: nothing refundable)
    refund_funded: bool  # whether the creator's unwithdrawn proceeds cover it
    refund_until: int | None  # end of the latest payment's refund window, if refundable


def _points(conn: Connection, chain_id: int, wallet: str, weeks: int, epoch: int | None) -> int:
    """Lifetime points (``weeks`` 0), or those of the current epoch and the ``weeks - 1``
    before it, net of revocations (as ``ContributionPoints.epochBalanceOf``)."""
    b = epoch_point_balances.c
    query = select(b.balance).where(b.chain_id == chain_id, b.account == wallet)
    if weeks:
        if epoch is None:
            return 0
        query = query.where(b.epoch <= epoch, b.epoch > epoch - weeks)
    return sum(int(v) for v in conn.execute(query).scalars())


def _verified(conn: Connection, chain_id: int, wallet: str) -> bool:
    i = identities.c
    rows = conn.execute(select(i.verified).where(i.chain_id == chain_id, i.owner == wallet))
    return any(rows.scalars())


def rights(
    conn: Connection, chain_id: int, p: RowMapping, wallet: str, now: int, epoch: int | None
) -> Rights:
    """``wallet``'s standing on the mirrored pass ``p`` at ``now`` (``epoch`` is the current
    weekly epoch, None before genesis)."""
    wallet = wallet.lower()
    pass_id = int(p["pass_id"])
    h = pass_holdings.c
    held = (
        conn.execute(
            select(pass_holdings).where(
                h.chain_id == chain_id, h.pass_id == pass_id, h.holder == wallet
            )
        )
        .mappings()
        .one_or_none()
    )
    points = _points(conn, chain_id, wallet, int(p["points_weeks"]), epoch)
    verified = _verified(conn, chain_id, wallet)
    missing: list[Missing] = []
    min_points = int(p["min_points"])
    if min_points and points < min_points:
        missing.append(Missing("points", min_points, points))
    if p["verified_identity"] and not verified:
        missing.append(Missing("verified_identity"))
    requirement: Block | None = None
    if missing:
        requirement = (
            "not_enough_points" if missing[0].requirement == "points" else ("identity_not_verified")
        )

    minted = int(held["minted"]) if held else 0
    expiry = int(held["expiry"]) if held else 0
    duration, paused = int(p["duration"]), bool(p["paused"])
    mint_blocked: Block | None = (
        "sales_paused"
        if paused
        else "sold_out"
        if int(p["minted"]) + 1 > int(p["max_supply"])
        else "wallet_limit"
        if minted + 1 > int(p["wallet_limit"])
        else requirement
    )
    renew_blocked: Block | None = (
        "not_subscription"
        if duration == 0
        else "not_holder"
        if expiry == 0
        else "sales_paused"
        if paused
        else requirement
    )
    snapshot = int(held["price"]) if held else 0
    price = int(p["price"])
    refund, funded, until = 0, False, None
    if held and duration:
        refund = refund_due(
            int(held["refund_paid"]),
            int(held["payment_from"]),
            int(held["refund_until"]),
            expiry,
            now,
        )
        if refund:
            until = int(held["refund_until"])
            pr = pass_proceeds.c
            available = conn.execute(
                select(pr.accrued).where(
                    pr.chain_id == chain_id, pr.payee == p["creator"], pr.currency == p["currency"]
                )
            ).scalar()
            funded = refund <= int(available or 0)
    return Rights(
        points=points,
        verified=verified,
        missing=missing,
        can_mint=mint_blocked is None,
        mint_blocked=mint_blocked,
        can_renew=renew_blocked is None,
        renew_blocked=renew_blocked,
        expiry=expiry,
        snapshot_price=snapshot,
        renewal_price=(
            renewal_price(price, snapshot, int(p["holders_price_from"]), now)
            if duration and expiry
            else None
        ),
        refund=refund,
        refund_funded=funded,
        refund_until=until,
    )
