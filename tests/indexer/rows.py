"""Rows of the ``events`` table for tests that write it directly."""

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
