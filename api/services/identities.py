"""Reads of the indexer's mirrored identity and points tables (never written here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Label, RowMapping, Select, bindparam, select

from planet.store.mirror import epoch_point_balances, identities, point_balances

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


def _by(column: str) -> Select[tuple[object, ...]]:
    """One identity by ``column``; built once, since these reads sit on every gated request."""
    return (
        select(identities)
        .where(
            identities.c.chain_id == bindparam("chain_id"), identities.c[column] == bindparam("key")
        )
        .limit(1)
    )


_BY_OWNER, _BY_HANDLE, _BY_TOKEN = _by("owner"), _by("handle"), _by("token_id")


def _one(
    conn: Connection, query: Select[tuple[object, ...]], chain_id: int, key: object
) -> Identity | None:
    row = conn.execute(query, {"chain_id": chain_id, "key": key}).mappings().one_or_none()
    return None if row is None else from_row(row)


# What an Identity is read from; a query joining identities to another table selects these
# under a prefix (``joined_columns``) and rebuilds it with ``from_row(row, prefix)``.
_FIELDS = ("token_id", "owner", "handle", "metadata_uri", "metadata_hash", "verified", "labels")


def joined_columns(prefix: str) -> list[Label[Any]]:
    return [identities.c[name].label(prefix + name) for name in ("chain_id", *_FIELDS)]


def from_row(row: RowMapping, prefix: str = "") -> Identity:
    return Identity(
        chain_id=row[prefix + "chain_id"],
        token_id=row[prefix + "token_id"],
        owner=row[prefix + "owner"],
        handle=row[prefix + "handle"],
        metadata_uri=row[prefix + "metadata_uri"],
        metadata_hash=row[prefix + "metadata_hash"],
        verified=row[prefix + "verified"],
        labels=row[prefix + "labels"],
    )


def by_owner(conn: Connection, chain_id: int, address: str) -> Identity | None:
    return _one(conn, _BY_OWNER, chain_id, address.lower())


def by_handle(conn: Connection, chain_id: int, handle: str) -> Identity | None:
    # Handles are stored normalised (lowercase) on chain.
    return _one(conn, _BY_HANDLE, chain_id, handle.lower())


def by_token(conn: Connection, chain_id: int, token_id: int) -> Identity | None:
    return _one(conn, _BY_TOKEN, chain_id, token_id)


def handles(conn: Connection, chain_id: int, token_ids: set[int]) -> dict[int, str]:
    if not token_ids:
        return {}
    rows = conn.execute(
        select(identities.c.token_id, identities.c.handle).where(
            identities.c.chain_id == chain_id, identities.c.token_id.in_(token_ids)
        )
    )
    return {r.token_id: r.handle for r in rows}


# Both balances of one account in one round trip (NULL where it has none); built once.
_POINTS = select(
    select(point_balances.c.balance)
    .where(
        point_balances.c.chain_id == bindparam("chain_id"),
        point_balances.c.account == bindparam("account"),
    )
    .scalar_subquery()
    .label("total"),
    select(epoch_point_balances.c.balance)
    .where(
        epoch_point_balances.c.chain_id == bindparam("chain_id"),
        epoch_point_balances.c.epoch == bindparam("epoch"),
        epoch_point_balances.c.account == bindparam("account"),
    )
    .scalar_subquery()
    .label("this_epoch"),
)


def points(conn: Connection, chain_id: int, address: str, epoch: int | None) -> tuple[int, int]:
    """(points in ``epoch``, points in total) of ``address``; 0 when it has none."""
    row = conn.execute(
        _POINTS, {"chain_id": chain_id, "account": address.lower(), "epoch": epoch}
    ).one()
    return int(row.this_epoch or 0), int(row.total or 0)
