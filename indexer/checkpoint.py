"""SQLite WAL checkpoints in a thread of their own, so the writer's commits stay short.

In WAL mode a commit appends pages to the log, and the connection that commits past
``wal_autocheckpoint`` pages then copies the log back into the database file before its commit
returns. A backfill range of 50,000 events writes more than that at once, so every commit
paid for a checkpoint of about a third of a second, with the writer waiting. Here the writer's
connection raises that threshold to a backstop (:data:`BACKSTOP_PAGES`) and, after each commit,
a worker runs a PASSIVE checkpoint on a connection of its own: it copies what no reader still
needs and never blocks the writer, which meanwhile decodes and applies the next range. SQLite
does that copy without the GIL, so it runs on another core.

A checkpoint changes no data, only where it is kept: a crash during one loses nothing.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection, Engine

from planet.core import logs

log = logs.get("indexer.checkpoint")

# the writer's own checkpoint threshold, in pages, should the worker fall behind (or fail):
# 100,000 pages of 4 KiB bound the log at about 400 MB
BACKSTOP_PAGES = 100_000


class WalCheckpointer:
    """Checkpoints a SQLite database after commits, one checkpoint at a time; does nothing
    for other databases (and for in-memory SQLite, which has no log)."""

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database
        self.engine = engine
        self.enabled = engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
        self._lock = threading.Lock()
        self._wanted = False
        self._thread: threading.Thread | None = None

    def writer(self, conn: Connection) -> None:
        """Makes ``conn``, the connection about to commit a range, leave checkpoints to the
        worker (a per-connection setting; cheap enough to repeat every transaction)."""
        if self.enabled:
            conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")

    def committed(self) -> None:
        """Asks for a checkpoint of what was just committed; one already running runs again
        once it ends, so the last commit is always covered."""
        if not self.enabled:
            return
        with self._lock:
            self._wanted = True
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="wal-checkpoint", daemon=True
                )
                self._thread.start()

    def wait(self) -> None:
        """Returns once no checkpoint is running or wanted."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        try:
            raw = self.engine.raw_connection()
        except Exception as err:  # the writer's backstop still bounds the log
            self._give_up(err)
            return
        try:
            while True:
                with self._lock:
                    if not self._wanted:
                        self._thread = None
                        return
                    self._wanted = False
                cursor = raw.cursor()
                try:
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    cursor.fetchall()
                finally:
                    cursor.close()
        except Exception as err:
            self._give_up(err)
        finally:
            raw.close()

    def _give_up(self, err: Exception) -> None:
        with self._lock:
            self._thread = None
            self._wanted = False
        log.warning("wal_checkpoint_failed", error=str(err).splitlines()[0])
