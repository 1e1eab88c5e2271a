"""A shorter GIL switch interval for as long as a ``with`` block needs it, and the interval it
replaced back afterwards.

The backfill shortens the interval for its insert and checkpoint threads (see
:mod:`indexer.backfill`), but :func:`sys.setswitchinterval` is process-wide: whatever else runs
in the process (the API, when the demo serves it next to the indexer) switches threads that
often too while it lasts. So the interval is only changed here, scoped to a block and restored
however the block ends, also when blocks overlap (two backfills in one process, in any threads,
ending in any order): the first block to open saves the interval it finds, the shortest one any
open block asked for applies, and the last block to close restores the saved one. Changes made
with :func:`sys.setswitchinterval` directly while a block is open are lost when the last closes.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager


class _OpenBlocks:
    """The process's open blocks: what they asked for (interval: how many blocks), and the
    interval that was set before the first of them opened."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.asked: Counter[float] = Counter()
        self.saved = sys.getswitchinterval()


_open = _OpenBlocks()


@contextmanager
def switch_interval(seconds: float) -> Iterator[None]:
    """Sets the switch interval to at most ``seconds`` inside the block (see the module)."""
    if not seconds > 0:
        raise ValueError(f"switch interval must be positive, not {seconds!r}")
    with _open.lock:
        if not _open.asked:
            _open.saved = sys.getswitchinterval()
        _open.asked[seconds] += 1
        _set(min(_open.asked))
    try:
        yield
    finally:
        with _open.lock:
            _open.asked[seconds] -= 1
            if not _open.asked[seconds]:
                del _open.asked[seconds]
            _set(min(_open.asked) if _open.asked else _open.saved)


def _set(seconds: float) -> None:
    """Sets the interval ``seconds`` names, to the microsecond: the interpreter keeps whole
    microseconds and truncates, so 7 ms read back is 0.006999999999999999 and would be set
    again as 6,999 µs; aiming at the middle of the microsecond gives back the one read."""
    sys.setswitchinterval((round(seconds * 1e6) + 0.5) * 1e-6)
