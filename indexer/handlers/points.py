"""ContributionPoints: attestation records and the balances the contract keeps from them
(``balanceOf``, ``epochBalanceOf``, ``epochTotalSupply``, ``record(uid)``).

``Transfer`` mirrors every mint and burn of a recorded or revoked attestation, so it is left to
the ``events`` table and balances follow the Planet events alone.
"""

from __future__ import annotations

from indexer.decode import Event
from indexer.registry import HandlerSet
from indexer.schema import attestations, epoch_point_balances, epoch_point_totals, point_balances
from indexer.store import StateStore

handlers = HandlerSet("ContributionPoints")


def _credit(store: StateStore, account: str, epoch: int, amount: int) -> None:
    store.add(point_balances, (account,), {"balance": amount})
    store.add(epoch_point_balances, (epoch, account), {"balance": amount})
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
