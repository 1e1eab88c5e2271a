"""ContributionPoints: attestation records and the balances the contract keeps from them
(``balanceOf``, ``epochBalanceOf``, ``epochTotalSupply``, ``record(uid)``).

``Transfer`` mirrors every mint and burn of a recorded or revoked attestation, so it is left to
the ``events`` table and balances follow the Planet events alone. ``RoleGranted`` and
``RoleRevoked`` keep ``points_roles`` (who holds RISK_ROLE, read by the API's moderation).
"""

from __future__ import annotations

from indexer.decode import Event
from indexer.registry import HandlerSet
from indexer.store import StateStore
from planet.store.mirror import (
    attestations,
    epoch_point_balances,
    epoch_point_totals,
    point_balances,
    points_roles,
)

handlers = HandlerSet("ContributionPoints")


Sums = tuple[dict[str, int], dict[tuple[int, str], int], dict[int, int]]


def _credit(store: StateStore, account: str, epoch: int, amount: int) -> None:
    """Adds to the batch's sums (see :func:`add_credits`): the balance tables only ever get
    additions, so a batch adds once per account and epoch instead of once per event."""
    sums: Sums | None = store.memo.get(__name__)
    if sums is None:
        sums = store.memo[__name__] = ({}, {}, {})
    balances, epoch_balances, totals = sums
    balances[account] = balances.get(account, 0) + amount
    key = (epoch, account)
    epoch_balances[key] = epoch_balances.get(key, 0) + amount
    totals[epoch] = totals.get(epoch, 0) + amount


@handlers.at_end
def add_credits(store: StateStore) -> None:
    """The batch's credits and debits, added to ``balanceOf``, ``epochBalanceOf`` and
    ``epochTotalSupply``."""
    sums: Sums | None = store.memo.pop(__name__, None)
    if sums is None:
        return
    balances, epoch_balances, totals = sums
    for account, amount in balances.items():
        store.add(point_balances, (account,), {"balance": amount})
    for key, amount in epoch_balances.items():
        store.add(epoch_point_balances, key, {"balance": amount})
    for epoch, amount in totals.items():
        store.add(epoch_point_totals, (epoch,), {"total": amount})


@handlers.on("ContributionRecorded")
def recorded(event: Event, store: StateStore) -> None:
    a = event.args
    store.insert(
        attestations,
        {
            "uid": a["uid"],
            "account": a["account"],
            "epoch": a["epoch"],
            "kind": a["kind"],
            "amount": a["amount"],
            "attester": a["attester"],
            "submitter": a["submitter"],
            "block_number": event.block_number,
            "log_index": event.log_index,
            "tx_hash": event.tx_hash,
            "revoked": False,  # the revoked_* columns stay NULL until a revocation
        },
    )
    _credit(store, a["account"], a["epoch"], a["amount"])


@handlers.on("ContributionRevoked")
def revoked(event: Event, store: StateStore) -> None:
    a = event.args
    store.update(
        attestations,
        (a["uid"],),
        {
            "revoked": True,
            "revoked_reason": a["reason"],
            "revoker": a["revoker"],
            "revoked_block": event.block_number,
            "revoked_tx": event.tx_hash,
        },
    )
    _credit(store, a["account"], a["epoch"], -a["amount"])


def _role(event: Event, store: StateStore, held: bool) -> None:
    """OpenZeppelin's role events, folded to what ``hasRole`` answers (granting a held role or
    revoking one not held emits nothing, so every event changes the answer)."""
    a = event.args
    key = (a["role"], a["account"])
    values = {"held": held, "updated_block": event.block_number}
    if store.get(points_roles, key) is None:
        store.insert(points_roles, {"role": a["role"], "account": a["account"], **values})
    else:
        store.update(points_roles, key, values)


@handlers.on("RoleGranted")
def role_granted(event: Event, store: StateStore) -> None:
    _role(event, store, True)


@handlers.on("RoleRevoked")
def role_revoked(event: Event, store: StateStore) -> None:
    _role(event, store, False)
