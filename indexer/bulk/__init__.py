"""Multi-row statements for the hot path, without SQLAlchemy's per-row parameter machinery.

A backfill writes tens of thousands of rows per commit; building SQLAlchemy parameter dicts for
each costs more than SQLite's own work. Here rows are tuples in a fixed column order, only the
columns whose SQLAlchemy type converts values (JSON, :class:`~planet.store.mirror.Uint256`) are
converted, with that type's own bind processor (:mod:`.convert`), and the rows go to the driver
in one call: ``executemany`` on SQLite (which runs in C), ``COPY ... FROM STDIN`` on psycopg2
(one stream instead of a statement per row). Other dialects fall back to SQLAlchemy's
executemany (:mod:`.fallback`).

Reading rows by key (:func:`select_by_keys`) and rewriting existing rows (:func:`update_tuples`)
go to the driver the same way: every range of a backfill reads and rewrites the counters its
events touch, and through SQLAlchemy that cost about as much as inserting the range's events.

What differs between drivers lives in one adapter per driver behind one small interface
(:class:`~indexer.bulk.adapter.DriverAdapter`: :mod:`.sqlite`, :mod:`.postgres`); this module
picks the adapter (:func:`adapter_for`) and does the rest the same way for all of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table

from indexer.bulk import fallback
from indexer.bulk.adapter import CHUNK_KEYS, DriverAdapter
from indexer.bulk.convert import bind_processors, converted, result_processors
from indexer.bulk.postgres import PSYCOPG2
from indexer.bulk.sqlite import SQLITE
from indexer.bulk.statements import select_sql, selected, update_sql


def adapter_for(dialect: Dialect) -> DriverAdapter | None:
    """The adapter of ``dialect``'s driver, or None for drivers without one."""
    if dialect.name == "sqlite":
        return SQLITE
    if dialect.driver == "psycopg2":
        return PSYCOPG2
    return None


def _native(conn: Connection) -> tuple[DriverAdapter, Any] | None:
    """The adapter of ``conn``'s driver and the DB-API connection of its transaction, or
    None for drivers without an adapter."""
    adapter = adapter_for(conn.dialect)
    if adapter is None:
        return None
    driver = conn.connection.dbapi_connection  # same transaction
    assert driver is not None
    return adapter, driver


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
    columns = tuple(columns)
    native = _native(conn)
    if convert:
        uint256 = None if native is None else native[0].uint256_processor()
        rows = converted(rows, bind_processors(table, columns, dialect, uint256))
    if native is None:
        return fallback.insert_writer(conn, table, columns, rows)
    adapter, driver = native
    return adapter.insert_writer(driver, table, columns, rows, dialect)


class BackgroundInsert:
    """One prepared insert (:func:`tuple_writer`) running in a worker thread while the caller
    does work that needs no database, such as applying a range's handlers.

    sqlite3's executemany releases the GIL for each row's B-tree work and psycopg2's COPY for
    the round trip to the server, so that work overlaps the caller's Python. Nothing else may
    use the connection until :meth:`wait` returns; leaving the ``with`` block always waits, so
    a failing caller never rolls back under a running insert. Drivers without an adapter insert
    at once.
    """

    def __init__(self, conn: Connection, write: Callable[[], None] | None) -> None:
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if write is None:
            return
        if adapter_for(conn.dialect) is None:
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


def select_by_keys(
    conn: Connection,
    table: Table,
    key_names: Sequence[str],
    chain_id: int,
    keys: Sequence[tuple[Any, ...]],
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The stored rows of ``chain_id`` whose key (``key_names``, the primary key after
    ``chain_id``) is one of ``keys``, by key, without ``chain_id``; values as SQLAlchemy
    returns them. Keys without a row are absent."""
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    native = _native(conn)
    if native is None:
        return fallback.select_by_keys(conn, table, key_names, chain_id, keys)
    adapter, driver = native
    dialect = conn.dialect
    names = selected(table)
    key_processors = bind_processors(table, tuple(key_names), dialect, adapter.uint256_processor())
    width = len(key_names)
    per = CHUNK_KEYS // width
    key_at = [names.index(k) for k in key_names]
    cursor = driver.cursor()
    try:
        for start in range(0, len(keys), per):
            chunk = converted(keys[start : start + per], key_processors)
            sql = select_sql(table, tuple(key_names), len(chunk), dialect, adapter.placeholder)
            cursor.execute(sql, (chain_id, *chain.from_iterable(chunk)))
            codes = tuple(column[1] for column in cursor.description)
            processors = result_processors(table, dialect, codes)
            for stored in cursor.fetchall():
                values = list(stored)
                for i, process in processors:
                    values[i] = process(values[i])
                found[tuple([values[i] for i in key_at])] = dict(zip(names, values, strict=True))
    finally:
        cursor.close()
    return found


def update_tuples(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Rewrites stored rows whole (values in ``columns`` order, every column of the table),
    matched by primary key.

    Written as INSERT ... ON CONFLICT DO UPDATE, which both backends run for many rows in one
    statement: SQLite's GIL hand-backs are then paid per statement, not per row (see
    :func:`indexer.bulk.sqlite._write`), and PostgreSQL gets one round trip per few hundred
    rows.
    """
    if not rows:
        return
    keys = tuple(c.name for c in table.primary_key.columns)
    missing = {c.name for c in table.columns} - set(columns)
    if missing:
        raise ValueError(f"update_tuples of {table.name} without {sorted(missing)}")
    native = _native(conn)
    if native is None:
        fallback.update_tuples(conn, table, columns, rows, keys)
        return
    adapter, driver = native
    dialect = conn.dialect
    rows = converted(
        rows, bind_processors(table, tuple(columns), dialect, adapter.uint256_processor())
    )
    per = adapter.rows_per_statement(driver, len(columns))
    cursor = driver.cursor()
    try:
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            sql = update_sql(table, tuple(columns), keys, len(chunk), dialect, adapter.placeholder)
            cursor.execute(sql, tuple(chain.from_iterable(chunk)))
    finally:
        cursor.close()


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
