"""Multi-row INSERTs for the hot path, without SQLAlchemy's per-row parameter machinery.

A backfill writes tens of thousands of rows per commit; building SQLAlchemy parameter dicts for
each costs more than SQLite's own work. Here rows are tuples in a fixed column order, only the
columns whose SQLAlchemy type converts values (JSON, :class:`~indexer.schema.Uint256`) are
converted, with that type's own bind processor, and the rows go to the driver in one call:
``executemany`` on SQLite (which runs in C), ``COPY ... FROM STDIN`` on psycopg2 (one stream
instead of a statement per row). Other dialects fall back to SQLAlchemy's executemany.
"""

from __future__ import annotations

import io
import re
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Connection, Dialect, Table

from indexer.schema import Uint256

_INT64_MAX = 2**63 - 1
_SQLITE_ROWS_PER_STATEMENT = 500  # past a few hundred, longer statements gain nothing


def _sqlite_uint256(value: int) -> int | str:
    return value if value <= _INT64_MAX else f"{value:078d}"


@lru_cache(maxsize=256)
def _plan(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[tuple[int, Callable[[Any], Any]], ...]]:
    processors = []
    for i, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(column_type, Uint256):
            # the same conversion as the type's, without TypeDecorator's layers
            processor = _sqlite_uint256 if dialect.name == "sqlite" else None
        elif isinstance(column_type, Boolean):
            processor = None  # both drivers take Python bools as they are
        else:
            processor = column_type._cached_bind_processor(dialect)
        if processor is not None:
            processors.append((i, processor))
    names = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    quoted = dialect.identifier_preparer.format_table(table)
    if dialect.name == "sqlite":
        sql = f"INSERT INTO {quoted} ({names}) VALUES ({', '.join('?' * len(columns))})"
    else:
        sql = f"INSERT INTO {quoted} ({names}) VALUES %s"
    return sql, tuple(processors)


@lru_cache(maxsize=256)
def _sqlite_multirow(sql: str, width: int, rows: int) -> str:
    """``sql`` (one row of ``width`` placeholders) with ``rows`` rows in its VALUES clause."""
    one = "(" + ", ".join("?" * width) + ")"
    return sql[: sql.rindex(" VALUES ")] + " VALUES " + ", ".join([one] * rows)


def _sqlite_rows_per_statement(driver: Any, width: int) -> int:
    """As many rows per statement as the driver's bound-parameter limit allows, at most
    :data:`_SQLITE_ROWS_PER_STATEMENT`."""
    limit = 999  # SQLite's limit before 3.32, where the driver cannot tell
    getlimit = getattr(driver, "getlimit", None)  # Python 3.11+
    if getlimit is not None:
        limit = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(_SQLITE_ROWS_PER_STATEMENT, limit // width))


def _write_sqlite(driver: Any, sql: str, rows: list[Sequence[Any]]) -> None:
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
    per = _sqlite_rows_per_statement(driver, width)
    whole = len(rows) - len(rows) % per
    cursor = driver.cursor()
    try:
        if whole:
            flat = chain.from_iterable
            cursor.executemany(
                _sqlite_multirow(sql, width, per),
                (tuple(flat(rows[i : i + per])) for i in range(0, whole, per)),
            )
        if whole < len(rows):
            cursor.executemany(sql, rows[whole:])
    finally:
        cursor.close()


def insert_tuples(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    convert: bool = True,
) -> None:
    """Inserts ``rows`` (values in ``columns`` order) into ``table`` in one driver call;
    ``convert=False`` when the caller already gave driver-ready values (JSON as text)."""
    write = tuple_writer(conn, table, columns, rows, convert)
    if write is not None:
        write()


def tuple_writer(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    convert: bool = True,
) -> Callable[[], None] | None:
    """:func:`insert_tuples` prepared: a call that does the insert, or None for no rows.

    On SQLite and psycopg2 the call touches only the driver's connection, so it may run in
    another thread while this one does no database work (see :class:`BackgroundInsert`).
    """
    if not rows:
        return None
    dialect = conn.dialect
    sql, processors = _plan(table, tuple(columns), dialect)
    if not convert:
        processors = ()
    # the SQLite uint256 conversion only touches values past 2^63: skip it when none are
    processors = tuple(
        (i, process)
        for i, process in processors
        if process is not _sqlite_uint256
        or any(row[i] is not None and row[i] > _INT64_MAX for row in rows)
    )
    if processors:
        converted = []
        for row in rows:
            values = list(row)
            for i, process in processors:
                value = values[i]
                if value is not None:
                    values[i] = process(value)
            converted.append(tuple(values))
        rows = converted
    if dialect.name == "sqlite":
        driver = conn.connection.dbapi_connection  # same transaction
        assert driver is not None
        batch = rows if isinstance(rows, list) else list(rows)

        def write_sqlite() -> None:
            _write_sqlite(driver, sql, batch)

        return write_sqlite
    if dialect.driver == "psycopg2":
        driver = conn.connection.dbapi_connection  # same transaction
        assert driver is not None
        copy_sql = _copy_sql(table, tuple(columns), dialect)

        def write_copy() -> None:
            cursor = driver.cursor()
            try:
                cursor.copy_expert(copy_sql, _copy_text(rows))
            finally:
                cursor.close()

        return write_copy

    def write_rows() -> None:
        conn.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])

    return write_rows


class BackgroundInsert:
    """One prepared insert (:func:`tuple_writer`) running in a worker thread while the caller
    does work that needs no database, such as applying a range's handlers.

    sqlite3's executemany releases the GIL for each row's B-tree work and psycopg2's COPY for
    the round trip to the server, so that work overlaps the caller's Python. Nothing else may
    use the connection until :meth:`wait` returns; leaving the ``with`` block always waits, so
    a failing caller never rolls back under a running insert. Other dialects insert at once.
    """

    def __init__(self, conn: Connection, write: Callable[[], None] | None) -> None:
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if write is None:
            return
        if conn.dialect.name != "sqlite" and conn.dialect.driver != "psycopg2":
            write()
            return

        def run() -> None:
            try:
                write()
            except BaseException as err:  # handed to the caller's thread by wait()
                self._error = err

        self._thread = threading.Thread(target=run, name="bulk-insert", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Returns once the insert is done; raises its error, once."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None:
            raise error

    def __enter__(self) -> BackgroundInsert:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is None:
            self.wait()
        elif self._thread is not None:
            self._thread.join()  # already failing: the first error is the one to report
            self._thread = None


@lru_cache(maxsize=256)
def _copy_sql(table: Table, columns: tuple[str, ...], dialect: Dialect) -> str:
    names = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    return f"COPY {dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"


_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _copy_value(value: Any) -> str:
    """One field in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if _NEEDS_ESCAPE.search(value):
            return (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    return str(value)


def _copy_text(rows: Sequence[Sequence[Any]]) -> io.StringIO:
    """Rows as COPY text: COPY is several times faster for PostgreSQL to ingest than INSERT
    statements, and needs no per-value quoting round trip through the driver."""
    out = io.StringIO()
    out.write("".join("\t".join(map(_copy_value, row)) + "\n" for row in rows))
    out.seek(0)
    return out


def insert_dicts(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Inserts rows given as mappings, plus ``constants`` in every row; a column some rows
    lack is NULL in those rows."""
    if rows:
        insert_tuples(conn, table, *dict_rows(table, rows, constants))


def dict_rows(
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    constants: Mapping[str, Any] | None = None,
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """:func:`insert_dicts`'s rows as :func:`insert_tuples` takes them: the columns and a
    tuple per row; needs no connection, so it can be built ahead."""
    constants = constants or {}
    keys = set().union(*rows)
    present = keys - set(constants)
    columns = tuple(c.name for c in table.columns if c.name in present)
    fixed = tuple(constants.values())
    if len(columns) > 1 and keys == set(columns):
        # every key of every row is one of ``columns``, so a row as long as ``columns`` holds all
        # of them: those (the usual case) are read in one C call, the others with NULLs
        whole = itemgetter(*columns)
        width = len(columns)
        values = [
            fixed + (whole(r) if len(r) == width else tuple([r.get(c) for c in columns]))
            for r in rows
        ]
    else:
        values = [fixed + tuple([r.get(c) for c in columns]) for r in rows]
    return (*constants, *columns), values
