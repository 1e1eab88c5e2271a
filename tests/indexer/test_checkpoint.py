"""WAL checkpoints leave the writer's commit: the writer's connection only checkpoints past a
backstop, and a worker copies each commit's pages into the database file afterwards."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from indexer.checkpoint import BACKSTOP_PAGES, WalCheckpointer
from planet.store import MIRROR, make_engine, migrate
from planet.store.mirror import events
from tests.support.rows import event_row


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.sqlite'}")
    migrate(engine, MIRROR)
    yield engine
    engine.dispose()


def _write(engine, checkpointer: WalCheckpointer, first: int, count: int) -> None:
    with engine.begin() as conn:
        checkpointer.writer(conn)
        conn.execute(
            events.insert(),
            [dict(zip(_COLUMNS, event_row(i), strict=True)) for i in range(first, first + count)],
        )


_COLUMNS = [c.name for c in events.columns]


def _rows_in_database_file(database, tmp_path) -> int:
    """The events rows the database file holds by itself, without its write-ahead log."""
    alone = tmp_path / "file-alone.sqlite"
    shutil.copyfile(database, alone)
    with sqlite3.connect(alone) as conn:
        (count,) = conn.execute("SELECT count(*) FROM events").fetchone()
    conn.close()
    alone.unlink()
    return count


def test_the_writer_leaves_checkpoints_to_the_worker(sqlite_engine):
    checkpointer = WalCheckpointer(sqlite_engine)
    with sqlite_engine.begin() as conn:
        checkpointer.writer(conn)
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == BACKSTOP_PAGES


def test_committed_pages_reach_the_database_file(sqlite_engine, tmp_path):
    database = tmp_path / "wal.sqlite"
    checkpointer = WalCheckpointer(sqlite_engine)
    checkpointer.wait()  # nothing running: returns at once
    before = database.stat().st_size

    # more pages than SQLite's default autocheckpoint (1,000): the writer leaves them in the log
    _write(sqlite_engine, checkpointer, 0, 20_000)
    assert database.stat().st_size == before

    checkpointer.committed()
    checkpointer.wait()
    assert database.stat().st_size > before + 1_000_000
    assert _rows_in_database_file(database, tmp_path) == 20_000


def test_commits_during_a_checkpoint_are_checkpointed_too(sqlite_engine, tmp_path):
    checkpointer = WalCheckpointer(sqlite_engine)
    for start in range(0, 30_000, 5_000):
        _write(sqlite_engine, checkpointer, start, 5_000)
        checkpointer.committed()
    checkpointer.wait()
    assert _rows_in_database_file(tmp_path / "wal.sqlite", tmp_path) == 30_000


@pytest.mark.postgres
def test_postgres_and_in_memory_databases_need_no_checkpoints(new_database):
    postgres = make_engine(new_database("postgresql"))
    assert not WalCheckpointer(postgres).enabled
    postgres.dispose()
    memory = make_engine("sqlite://")
    checkpointer = WalCheckpointer(memory)
    assert not checkpointer.enabled
    checkpointer.committed()
    checkpointer.wait()
    memory.dispose()


def test_a_failing_checkpoint_is_logged_and_the_writer_goes_on(tmp_path, capsys):
    missing = make_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.sqlite'}")
    checkpointer = WalCheckpointer(missing)
    checkpointer.committed()
    checkpointer.wait()
    captured = capsys.readouterr()
    assert "wal_checkpoint_failed" in captured.out + captured.err
    missing.dispose()
