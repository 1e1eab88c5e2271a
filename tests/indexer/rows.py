"""Rows of the ``events`` and ``attestations`` tables for tests that write them directly."""

from __future__ import annotations


def event_row(log_index: int, block_number: int = 7) -> tuple[object, ...]:
    """An ``events`` row in :data:`~indexer.decode.EVENT_COLUMNS` order."""
    return (
        1,
        block_number,
        log_index,
        "0x" + "11" * 32,
        "0x" + "22" * 32,
        0,
        "0x" + "33" * 20,
        "C",
        "E",
        "{}",
    )


def attestation(i: int, reason: str | None = None) -> dict:
    """An ``attestations`` row (without ``chain_id``): the ``i``-th, revoked for ``reason``
    if one is given; every other amount is beyond 64 bits."""
    return {
        "uid": f"0x{i:064x}",
        "account": f"0x{i % 7:040x}",
        "epoch": i % 3,
        "kind": i % 6,
        "amount": 2**255 + i if i % 2 else i,
        "attester": "0x" + "bb" * 20,
        "submitter": "0x" + "cc" * 20,
        "block_number": 10 + i,
        "log_index": i,
        "tx_hash": "0x" + "dd" * 32,
        "revoked": reason is not None,
        "revoked_reason": reason,
        "revoker": None if reason is None else "0x" + "ee" * 20,
        "revoked_block": None if reason is None else 99,
        "revoked_tx": None,
    }
