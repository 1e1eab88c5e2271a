"""Identity: one row per identity token, as ``Identity.profile()`` and ``identityOf`` answer.

Every event carries the token id, and registration carries every field, so no handler reads.
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
    store.update(identities, *_set(event, recovery=event.args["recovery"]))


@handlers.on("IdentityRecovered")
def recovered(event: Event, store: StateStore) -> None:
    store.update(identities, *_set(event, owner=event.args["to"]))


@handlers.on("VerificationChanged")
def verification_changed(event: Event, store: StateStore) -> None:
    store.update(identities, *_set(event, verified=event.args["verified"]))


@handlers.on("LabelsChanged")
def labels_changed(event: Event, store: StateStore) -> None:
    store.update(identities, *_set(event, labels=event.args["labels"]))
