"""PrizeVault: one row per epoch as ``epochInfo(epoch)`` answers it (plus the proposal's URI,
file hash and veto reason, which only events carry), one row per claim as ``isClaimed``
answers it, and one row per funding.

An epoch's row appears with its first funding or the first sweep into it (a root can only be
proposed for a funded epoch). A new proposal resets ``paid`` (nothing is paid under a vetoed
root) and clears the veto reason; a vetoed root stays in ``root``, as on chain.
``Paused``/``Unpaused`` and role events change nothing derived and stay in ``events`` only.
"""

from __future__ import annotations

from indexer.decode import Event
from indexer.registry import HandlerSet
from indexer.store import StateStore
from planet.store.mirror import vault_claims, vault_epochs, vault_fundings

handlers = HandlerSet("PrizeVault")

ZERO_HASH = "0x" + "00" * 32


def _ensure_epoch(store: StateStore, event: Event, epoch: int) -> None:
    """Creates the epoch's row as an untouched ``epochInfo`` reads, if it does not exist.

    The store remembers the epochs whose row is known to exist, so that many fundings of one
    epoch in a range read it once (each read folds every change pending for the row)."""
    known: set[int] = store.memo.setdefault(__name__, set())
    if epoch in known:
        return
    known.add(epoch)
    if store.get(vault_epochs, (epoch,)) is None:
        store.insert(
            vault_epochs,
            {
                "epoch": epoch,
                "funded": 0,
                "paid": 0,
                "swept_out": 0,
                "root": ZERO_HASH,
                "total": 0,
                "uri": None,
                "file_hash": None,
                "claimable_at": 0,
                "status": "none",
                "veto_reason": None,
                "swept": False,
                "distributor": None,
                "swept_to": None,
                "swept_in": 0,
                "updated_block": event.block_number,
            },
        )


def _set(store: StateStore, event: Event, epoch: int, **values: object) -> None:
    store.update(vault_epochs, (epoch,), {**values, "updated_block": event.block_number})


@handlers.on("Funded")
def funded(event: Event, store: StateStore) -> None:
    a = event.args
    epoch = a["epoch"]
    _ensure_epoch(store, event, epoch)
    _set(store, event, epoch, funded=a["funded"])
    store.insert(
        vault_fundings,
        {
            "block_number": event.block_number,
            "log_index": event.log_index,
            "epoch": epoch,
            "funder": a["funder"],
            "amount": a["amount"],
            "funded": a["funded"],
            "tx_hash": event.tx_hash,
        },
    )


@handlers.on("RootProposed")
def root_proposed(event: Event, store: StateStore) -> None:
    a = event.args
    _set(
        store,
        event,
        a["epoch"],
        root=a["root"],
        total=a["total"],
        paid=0,
        uri=a["uri"],
        file_hash=a["fileHash"],
        claimable_at=a["claimableAt"],
        status="proposed",
        veto_reason=None,
        distributor=a["distributor"],
    )


@handlers.on("RootVetoed")
def root_vetoed(event: Event, store: StateStore) -> None:
    a = event.args
    _set(store, event, a["epoch"], status="vetoed", veto_reason=a["reason"])


@handlers.on("Claimed")
def claimed(event: Event, store: StateStore) -> None:
    a = event.args
    store.insert(
        vault_claims,
        {
            "epoch": a["epoch"],
            "account": a["account"],
            "amount": a["amount"],
            "block_number": event.block_number,
            "log_index": event.log_index,
            "tx_hash": event.tx_hash,
        },
    )
    store.add(vault_epochs, (a["epoch"],), {"paid": a["amount"]})
    _set(store, event, a["epoch"])


@handlers.on("Swept")
def swept(event: Event, store: StateStore) -> None:
    a = event.args
    source, target, amount = a["fromEpoch"], a["toEpoch"], a["amount"]
    _set(store, event, source, swept=True, swept_out=amount, swept_to=target)
    _ensure_epoch(store, event, target)
    store.add(vault_epochs, (target,), {"funded": amount, "swept_in": amount})
    _set(store, event, target)
