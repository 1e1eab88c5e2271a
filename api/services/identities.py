"""Reads of the indexer's mirrored identity and points tables (never written here)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from indexer.schema import epoch_point_balances, identities, point_balances

# Disclosure label bits, as IIdentity.setLabels documents them.
LABEL_BITS = {
    0: "exchange_staff",
    1: "paid_partner",
    2: "trading_signal_provider",
    3: "market_maker",
}


@dataclass(frozen=True)
class Identity:
    chain_id: int
    token_id: int
    owner: str
    handle: str
    metadata_uri: str
    metadata_hash: str
    verified: bool
    labels: int

    @property
    def label_names(self) -> list[str]:
        """Named labels set in the bitmap; reserved bits show as ``bit_<n>``."""
        return [
            LABEL_BITS.get(bit, f"bit_{bit}")
            for bit in range(self.labels.bit_length())
            if self.labels >> bit & 1
        ]


def _one(conn: Connection, chain_id: int, *where: object) -> Identity | None:
    row = conn.execute(
        select(identities).where(identities.c.chain_id == chain_id, *where).limit(1)
    ).one_or_none()
    if row is None:
        return None
    return Identity(
        chain_id=row.chain_id,
        token_id=row.token_id,
        owner=row.owner,
        handle=row.handle,
        metadata_uri=row.metadata_uri,
        metadata_hash=row.metadata_hash,
        verified=row.verified,
        labels=row.labels,
    )


def by_owner(conn: Connection, chain_id: int, address: str) -> Identity | None:
    return _one(conn, chain_id, identities.c.owner == address.lower())


def by_handle(conn: Connection, chain_id: int, handle: str) -> Identity | None:
    # Handles are stored normalised (lowercase) on chain.
    return _one(conn, chain_id, identities.c.handle == handle.lower())


def by_token(conn: Connection, chain_id: int, token_id: int) -> Identity | None:
    return _one(conn, chain_id, identities.c.token_id == token_id)


def handles(conn: Connection, chain_id: int, token_ids: set[int]) -> dict[int, str]:
    if not token_ids:
        return {}
    rows = conn.execute(
        select(identities.c.token_id, identities.c.handle).where(
            identities.c.chain_id == chain_id, identities.c.token_id.in_(token_ids)
        )
    )
    return {r.token_id: r.handle for r in rows}


def points(conn: Connection, chain_id: int, address: str, epoch: int | None) -> tuple[int, int]:
    """(points in ``epoch``, points in total) of ``address``; 0 when it has none."""
    account = address.lower()
    total = conn.execute(
        select(point_balances.c.balance).where(
            point_balances.c.chain_id == chain_id, point_balances.c.account == account
        )
    ).scalar()
    this_epoch = None
    if epoch is not None:
        this_epoch = conn.execute(
            select(epoch_point_balances.c.balance).where(
                epoch_point_balances.c.chain_id == chain_id,
                epoch_point_balances.c.epoch == epoch,
                epoch_point_balances.c.account == account,
            )
        ).scalar()
    return int(this_epoch or 0), int(total or 0)
