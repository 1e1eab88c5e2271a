"""Exactly once, as a property: whatever ranges the backfill cuts the chain into, and wherever in
its writing it fails, the database holds a whole prefix of the chain (never half a range), and
a restarted indexer ends with exactly the rows of an uninterrupted run.

The failure is raised right after one of the write steps of a range's transaction (the cursor
moved, the events inserted, derived rows read, inserted or rewritten, block hashes stored), or
in place of its commit, on the n-th time that step runs; the process killed mid-backfill
(``test_crash.py``) is the same event seen from outside.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event

from indexer import cursor, store, write
from indexer.reorg import ReorgGuard
from tests.indexer.compare import assert_mirrors_chain, table_rows
from tests.support.indexing import running_indexer
from tests.support.profiles import examples
from tests.support.protocol import Planet, full_activity

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects

#: The write steps a range's transaction can be made to fail after.
STEPS = ("cursor", "events", "read", "insert", "update", "hashes", "commit")


class Crash(Exception):
    """The simulated crash."""


class CrashAt:
    """Raises :class:`Crash` the ``nth`` time ``step`` runs (in whichever thread runs it)."""

    def __init__(self, step: str, nth: int) -> None:
        self.step = step
        self.nth = nth
        self.seen = 0
        self.fired = False
        self._lock = threading.Lock()

    def passed(self, step: str) -> None:
        with self._lock:
            if step != self.step or self.fired:
                return
            self.seen += 1
            if self.seen < self.nth:
                return
            self.fired = True
        raise Crash(f"{step} #{self.nth}")

    def after(self, step: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            self.passed(step)
            return result

        return wrapped

    @contextmanager
    def armed(self, engine: Engine) -> Iterator[None]:
        def events_writer(*args: Any, **kwargs: Any) -> Callable[[], None] | None:
            write = real_writer(*args, **kwargs)  # None: a range without events
            return None if write is None else self.after("events", write)

        real_writer = write.tuple_writer
        with ExitStack() as stack:
            stack.enter_context(
                mock.patch.object(cursor, "move", self.after("cursor", cursor.move))
            )
            stack.enter_context(mock.patch.object(write, "tuple_writer", events_writer))
            stack.enter_context(
                mock.patch.object(store, "select_by_keys", self.after("read", store.select_by_keys))
            )
            for name in ("insert_tuples", "insert_dicts"):
                stack.enter_context(
                    mock.patch.object(store, name, self.after("insert", getattr(store, name)))
                )
            stack.enter_context(
                mock.patch.object(store, "update_tuples", self.after("update", store.update_tuples))
            )
            stack.enter_context(
                mock.patch.object(ReorgGuard, "remember", self.after("hashes", ReorgGuard.remember))
            )

            def before_commit(_conn: Any) -> None:
                self.passed("commit")

            event.listen(engine, "commit", before_commit)
            stack.callback(event.remove, engine, "commit", before_commit)
            yield


ranges = st.fixed_dictionaries(
    {
        "range_initial": st.integers(1, 24),
        "range_target_logs": st.integers(1, 300),
    }
).map(lambda r: {**r, "range_max": r["range_initial"] * 4, "range_min": 1})

# one block a range at first: every write step runs several times in the first few blocks
STEP_RANGES = {"range_initial": 1, "range_max": 4, "range_min": 1, "range_target_logs": 2}


@pytest.mark.slow
def test_any_ranges_and_any_failed_write_resume_to_the_uninterrupted_tables(
    planet_with_token: Planet, backend, new_database, settings_for, manifest
):
    planet = planet_with_token
    full_activity(planet)
    head = planet.w3.eth.block_number

    def index(url: str, to_block: int = head, **overrides: Any) -> dict[str, Any]:
        """The tables of a run that indexes up to ``to_block`` into ``url``."""
        run = settings_for(url, finality=head - to_block, **overrides)
        with running_indexer(run, manifest) as (indexer, engine):
            indexer.catch_up()
            return table_rows(engine)

    reference_url = new_database(backend, migrated=True)
    reference = index(reference_url)
    with running_indexer(settings_for(reference_url), manifest) as (_, engine):
        assert_mirrors_chain(engine, planet)
    prefixes: dict[int, dict[str, Any]] = {head: reference}
    fired: list[str] = []

    @settings(
        max_examples=examples(8),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @example(STEP_RANGES, STEP_RANGES, "cursor", 3)
    @example(STEP_RANGES, STEP_RANGES, "events", 3)
    @example(STEP_RANGES, STEP_RANGES, "read", 3)
    @example(STEP_RANGES, STEP_RANGES, "insert", 3)
    @example(STEP_RANGES, STEP_RANGES, "update", 3)
    @example(STEP_RANGES, STEP_RANGES, "hashes", 3)
    @example(STEP_RANGES, STEP_RANGES, "commit", 3)
    @given(
        first=ranges,
        then=ranges,
        step=st.sampled_from(STEPS),
        nth=st.integers(1, 40),
    )
    def resumes_exactly(first: dict, then: dict, step: str, nth: int) -> None:
        url = new_database(backend, migrated=True)
        crash = CrashAt(step, nth)
        with running_indexer(settings_for(url, **first), manifest) as (indexer, engine):
            with crash.armed(engine):
                try:
                    indexer.catch_up()
                    stopped = False
                except Crash:
                    stopped = True
            left = table_rows(engine)
        note(f"crash fired: {crash.fired}, at cursor {left['cursor']}")
        assert stopped == crash.fired  # a failed write step is never swallowed
        if crash.fired:
            fired.append(step)

        # what the crash left is a whole prefix: the rows of a run that stopped at its cursor
        if left["cursor"]:
            [(_, at, _)] = left["cursor"]
            if at not in prefixes:
                prefixes[at] = index(new_database(backend, migrated=True), to_block=at)
            assert left == prefixes[at]
        else:  # failed before the first commit: nothing at all
            assert not any(left.values())

        assert index(url, **then) == reference

    resumes_exactly()
    assert set(fired) == set(STEPS)  # the explicit examples fail each step once at least
