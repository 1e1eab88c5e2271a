"""The backfill writer first: its flushes run while the threads ahead of it wait.

A flush is many short statements (reading and rewriting counters, inserting derived rows),
and the SQLite driver gives the GIL up around each one. While the fetch, decode and handler
threads run Python, taking it back waits on them every time: a flush of a few thousand rows
took a tenth of a second instead of a few milliseconds, and the writer is the backfill's
critical path. The threads ahead of it work in chunks (:func:`chunks`) and wait between two
chunks while a flush runs (:meth:`WriterFirst.pause`); they are ahead anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

#: Items (logs, events) a thread ahead of the writer handles between two pauses.
PAUSE_EVERY = 2_000


class WriterFirst:
    """Set while the writer flushes; the other backfill threads pause until it is done."""

    def __init__(self) -> None:
        self._idle = threading.Event()
        self._idle.set()

    @contextmanager
    def flushing(self) -> Iterator[None]:
        self._idle.clear()
        try:
            yield
        finally:
            self._idle.set()

    def pause(self) -> None:
        """Returns at once, or once the running flush is done."""
        self._idle.wait()


def chunks(items: Sequence[T], pause: Callable[[], None] | None) -> Iterator[Sequence[T]]:
    """``items`` in order, in slices of :data:`PAUSE_EVERY`, calling ``pause`` before each;
    without ``pause``, all of them at once."""
    if pause is None:
        yield items
        return
    for start in range(0, len(items), PAUSE_EVERY):
        pause()
        yield items[start : start + PAUSE_EVERY]
