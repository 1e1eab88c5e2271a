"""The writer first: threads ahead of it work in chunks and wait between two while it flushes."""

from __future__ import annotations

import threading
import time

from indexer.priority import PAUSE_EVERY, WriterFirst, chunks


def test_chunks_keep_order_and_pause_before_each():
    pauses: list[int] = []
    items = list(range(2 * PAUSE_EVERY + 3))
    seen: list[int] = []

    def pause() -> None:
        pauses.append(len(seen))

    for chunk in chunks(items, pause):
        seen.extend(chunk)
    assert seen == items
    assert pauses == [0, PAUSE_EVERY, 2 * PAUSE_EVERY]


def test_without_a_pause_everything_comes_at_once():
    items = list(range(5 * PAUSE_EVERY))
    assert list(chunks(items, None)) == [items]
    assert list(chunks([], lambda: None)) == []


def test_a_pause_waits_for_the_running_flush_and_no_longer():
    first = WriterFirst()
    first.pause()  # nothing flushing: returns at once
    resumed: list[float] = []
    with first.flushing():
        waiter = threading.Thread(target=lambda: (first.pause(), resumed.append(time.monotonic())))
        waiter.start()
        time.sleep(0.2)
        assert not resumed  # still waiting while the flush runs
        ended = time.monotonic()
    waiter.join(timeout=5)
    assert resumed and resumed[0] >= ended


def test_a_failing_flush_releases_the_waiting_threads():
    first = WriterFirst()
    try:
        with first.flushing():
            raise RuntimeError("flush failed")
    except RuntimeError:
        pass
    done = threading.Event()
    threading.Thread(target=lambda: (first.pause(), done.set())).start()
    assert done.wait(timeout=5)
