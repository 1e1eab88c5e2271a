"""PrizeVault: one row per epoch as ``epochInfo(epoch)`` answers it (plus the proposal's URI,
file hash and veto reason, which only events carry), one row per claim as ``isClaimed``
answers it, and one row per funding.

An epoch's row appears with its first funding or the first sweep into it (a root can only be
proposed for a funded epoch). A new proposal resets ``paid`` (nothing is paid under a vetoed
root) and clears the veto reason; a vetoed root stays in ``root``, as on chain.
``PauseEnded`` adds a row to ``vault_pauses`` (the times OpenZeppelin's ``Unpaused`` lacks:
each root's claim window grows by the part of a pause after its proposal). Delayed role changes
keep one row per (role, account, grant) in ``vault_role_changes``, as ``roleChangeExecutableAt``
answers while scheduled, then cancelled or executed; scheduling the same change again reuses
the row. ``Paused``/``Unpaused`` and OpenZeppelin's role events stay in ``events`` only.
"""

from __future__ import annotations

from indexer.decode import Event
from indexer.registry import HandlerSet
from indexer.store import StateStore
from planet.store.mirror import (
    vault_claims,
    vault_epochs,
    vault_fundings,
    vault_pauses,
    vault_role_changes,
)

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


@handlers.on("PauseEnded")
def pause_ended(event: Event, store: StateStore) -> None:
    a = event.args
    store.insert(
        vault_pauses,
        {
            "paused_at": a["pausedAt"],
            "unpaused_at": a["unpausedAt"],
            "block_number": event.block_number,
            "tx_hash": event.tx_hash,
        },
    )


def _role_key(event: Event) -> tuple[str, str, bool]:
    a = event.args
    return (a["role"], a["account"], a["grant"])


@handlers.on("RoleChangeScheduled")
def role_change_scheduled(event: Event, store: StateStore) -> None:
    key = _role_key(event)
    values = {
        "executable_at": event.args["executableAt"],
        "status": "scheduled",
        "admin": event.args["admin"],
        "updated_block": event.block_number,
    }
    if store.get(vault_role_changes, key) is None:
        role, account, grant = key
        store.insert(
            vault_role_changes, {"role": role, "account": account, "is_grant": grant, **values}
        )
    else:
        store.update(vault_role_changes, key, values)


@handlers.on("RoleChangeCancelled")
def role_change_cancelled(event: Event, store: StateStore) -> None:
    store.update(
        vault_role_changes,
        _role_key(event),
        {"status": "cancelled", "updated_block": event.block_number},
    )


@handlers.on("RoleChangeExecuted")
def role_change_executed(event: Event, store: StateStore) -> None:
    store.update(
        vault_role_changes,
        _role_key(event),
        {"status": "executed", "updated_block": event.block_number},
    )
