"""Identity: one row per identity token, as ``Identity.profile()``, ``pendingRecovery`` and
``identityOf`` answer.

Every event carries the token id, and registration carries every field, so no handler reads.
A recovery clears verification (``IdentityRecovered``) and the recovery address (the
``RecoveryChanged`` to zero that follows it); every ``RecoveryChanged`` also ends a scheduled
change, as the contract drops it on each of those paths. ``NonceInvalidated`` changes nothing
derived and stays in ``events``.
"""

from __future__ import annotations

from indexer.decode import Event
from indexer.registry import HandlerSet
from indexer.store import StateStore
from planet.store.mirror import identities

handlers = HandlerSet("Identity")


@handlers.on("IdentityRegistered")
def registered(event: Event, store: StateStore) -> None:
    a = event.args
    store.insert(
        identities,
        {
            "token_id": a["tokenId"],
            "owner": a["owner"],
            "handle": a["handle"],
            "metadata_uri": a["metadataURI"],
            "metadata_hash": a["metadataHash"],
            "recovery": a["recovery"],
            "pending_recovery": None,
            "pending_recovery_at": None,
            "verified": False,
            "labels": 0,
            "relayer": a["relayer"],
            "registered_block": event.block_number,
            "registered_tx": event.tx_hash,
            "updated_block": event.block_number,
        },
    )


def _set(event: Event, **values: object) -> tuple[tuple[int], dict[str, object]]:
    return (event.args["tokenId"],), {**values, "updated_block": event.block_number}


@handlers.on("MetadataUpdated")
def metadata_updated(event: Event, store: StateStore) -> None:
    a = event.args
    store.update(
        identities, *_set(event, metadata_uri=a["metadataURI"], metadata_hash=a["metadataHash"])
    )


@handlers.on("RecoveryChanged")
def recovery_changed(event: Event, store: StateStore) -> None:
    store.update(
        identities,
        *_set(
            event,
            recovery=event.args["recovery"],
            pending_recovery=None,
            pending_recovery_at=None,
        ),
    )


@handlers.on("RecoveryChangeScheduled")
def recovery_change_scheduled(event: Event, store: StateStore) -> None:
    a = event.args
    store.update(
        identities,
        *_set(event, pending_recovery=a["recovery"], pending_recovery_at=a["effectiveAt"]),
    )


@handlers.on("RecoveryChangeCancelled")
def recovery_change_cancelled(event: Event, store: StateStore) -> None:
    store.update(identities, *_set(event, pending_recovery=None, pending_recovery_at=None))


@handlers.on("IdentityRecovered")
def recovered(event: Event, store: StateStore) -> None:
    store.update(identities, *_set(event, owner=event.args["to"], verified=False))


@handlers.on("VerificationChanged")
def verification_changed(event: Event, store: StateStore) -> None:
    store.update(identities, *_set(event, verified=event.args["verified"]))


@handlers.on("LabelsChanged")
def labels_changed(event: Event, store: StateStore) -> None:
    store.update(identities, *_set(event, labels=event.args["labels"]))
