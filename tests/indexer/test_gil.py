"""The backfill's shorter GIL switch interval is scoped: set inside the block, the interval it
replaced back afterwards, however the block ends and however blocks overlap."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from indexer.gil import switch_interval

SHORT = 0.0005
SHORTER = 0.0002


@pytest.fixture(autouse=True)
def outside() -> Iterator[float]:
    """An interval outside the blocks that a careless restore would not give back exactly
    (7 ms reads back as 0.006999999999999999), the interpreter's own back after the test."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.007)
    yield sys.getswitchinterval()
    sys.setswitchinterval(before)


def test_set_inside_and_restored_after(outside):
    with switch_interval(SHORT):
        assert sys.getswitchinterval() == pytest.approx(SHORT)
    assert sys.getswitchinterval() == outside


def test_restored_after_a_failing_block(outside):
    with pytest.raises(RuntimeError, match="boom"), switch_interval(SHORT):
        raise RuntimeError("boom")
    assert sys.getswitchinterval() == outside


def test_nested_blocks_restore_on_the_last_exit(outside):
    with switch_interval(SHORT):
        with switch_interval(SHORT):
            pass
        assert sys.getswitchinterval() == pytest.approx(SHORT)
    assert sys.getswitchinterval() == outside


def test_the_shortest_open_request_applies(outside):
    with switch_interval(SHORT):
        with switch_interval(SHORTER):
            assert sys.getswitchinterval() == pytest.approx(SHORTER)
        assert sys.getswitchinterval() == pytest.approx(SHORT)
    assert sys.getswitchinterval() == outside


def test_overlapping_blocks_in_two_threads_ending_first_in_first_out(outside):
    """Two backfills at once: the first to start ends first, the other still runs short."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, float] = {}

    def first() -> None:
        with switch_interval(SHORT):
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with switch_interval(SHORT):
            second_in.set()
            first_out.wait(5)
            seen["after the first ended"] = sys.getswitchinterval()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen["after the first ended"] == pytest.approx(SHORT)
    assert sys.getswitchinterval() == outside


def test_many_threads_leave_the_interval_as_it_was(outside):
    start = threading.Barrier(8)

    def run() -> None:
        start.wait(5)
        for _ in range(200):
            with switch_interval(SHORT):
                pass

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sys.getswitchinterval() == outside


@pytest.mark.parametrize("seconds", [0, -1.0])
def test_a_non_positive_interval_is_refused_and_changes_nothing(outside, seconds):
    with pytest.raises(ValueError, match="positive"), switch_interval(seconds):
        pass
    assert sys.getswitchinterval() == outside
    with switch_interval(SHORT):  # and nothing is left counted
        pass
    assert sys.getswitchinterval() == outside
