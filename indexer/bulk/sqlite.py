"""The hot path on SQLite, through the standard library's sqlite3.

sqlite3's ``executemany`` runs in C and releases the GIL for SQLite's own work, but takes the
GIL back after every statement it steps; rows therefore go in hundreds per statement (see
:func:`_write`). SQLite's integers stop at 64 bits, so Uint256 values beyond are stored as
text, as the type itself stores them (:func:`~indexer.bulk.convert.uint256_text`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain
from typing import Any

from sqlalchemy import Dialect, Table

from indexer.bulk.adapter import DriverAdapter
from indexer.bulk.convert import uint256_text

_ROWS_PER_STATEMENT = 500  # past a few hundred, longer statements gain nothing


class SqliteAdapter(DriverAdapter):
    """SQLite through sqlite3 (SQLAlchemy's ``sqlite`` dialects)."""

    placeholder = "?"

    def insert_writer(
        self,
        driver: Any,
        table: Table,
        columns: tuple[str, ...],
        rows: Sequence[Sequence[Any]],
        dialect: Dialect,
    ) -> Callable[[], None]:
        sql = _insert_sql(table, columns, dialect)
        batch = rows if isinstance(rows, list) else list(rows)

        def write_sqlite() -> None:
            _write(driver, sql, batch)

        return write_sqlite

    def uint256_processor(self) -> Callable[[Any], Any] | None:
        return uint256_text

    def rows_per_statement(self, driver: Any, width: int) -> int:
        return min(super().rows_per_statement(driver, width), _rows_per_statement(driver, width))


SQLITE = SqliteAdapter()


@lru_cache(maxsize=256)
def _insert_sql(table: Table, columns: tuple[str, ...], dialect: Dialect) -> str:
    """An INSERT of one row of ``columns`` into ``table``."""
    names = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    quoted = dialect.identifier_preparer.format_table(table)
    return f"INSERT INTO {quoted} ({names}) VALUES ({', '.join('?' * len(columns))})"


@lru_cache(maxsize=256)
def _multirow(sql: str, width: int, rows: int) -> str:
    """``sql`` (one row of ``width`` placeholders) with ``rows`` rows in its VALUES clause."""
    one = "(" + ", ".join("?" * width) + ")"
    return sql[: sql.rindex(" VALUES ")] + " VALUES " + ", ".join([one] * rows)


def _rows_per_statement(driver: Any, width: int) -> int:
    """As many rows per statement as the driver's bound-parameter limit allows, at most
    :data:`_ROWS_PER_STATEMENT`."""
    limit = 999  # SQLite's limit before 3.32, where the driver cannot tell
    getlimit = getattr(driver, "getlimit", None)  # Python 3.11+
    if getlimit is not None:
        limit = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(_ROWS_PER_STATEMENT, limit // width))


def _write(driver: Any, sql: str, rows: list[Sequence[Any]]) -> None:
    """Inserts ``rows`` with multi-row statements.

    sqlite3's executemany takes the GIL back after every statement it steps, and a thread
    that wants the GIL while another thread runs Python (the backfill decodes the next range
    meanwhile) waits up to the interpreter's switch interval for it; with one row per
    statement that wait, paid once per row, made a 50,000-row insert several times slower
    than on an idle interpreter. With hundreds of rows per statement it is paid that many
    times less often, and SQLite parses one statement for them all.
    """
    if not rows:
        return
    width = len(rows[0])
    per = _rows_per_statement(driver, width)
    whole = len(rows) - len(rows) % per
    cursor = driver.cursor()
    try:
        if whole:
            flat = chain.from_iterable
            cursor.executemany(
                _multirow(sql, width, per),
                (tuple(flat(rows[i : i + per])) for i in range(0, whole, per)),
            )
        if whole < len(rows):
            cursor.executemany(sql, rows[whole:])
    finally:
        cursor.close()
