"""Multi-row statements for the hot path, without SQLAlchemy's per-row parameter machinery.

A backfill writes tens of thousands of rows per commit; building SQLAlchemy parameter dicts for
each costs more than SQLite's own work. Here rows are tuples in a fixed column order, only the
columns whose SQLAlchemy type converts values (JSON, :class:`~planet.store.mirror.Uint256`) are
converted, with that type's own bind processor, and the rows go to the driver in one call:
``executemany`` on SQLite (which runs in C), ``COPY ... FROM STDIN`` on psycopg2 (one stream
instead of a statement per row). Other dialects fall back to SQLAlchemy's executemany.

Reading rows by key (:func:`select_by_keys`) and rewriting existing rows (:func:`upsert_tuples`)
go to the driver the same way: every range of a backfill reads and rewrites the counters its
events touch, and through SQLAlchemy that cost about as much as inserting the range's events.
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

from sqlalchemy import Boolean, Connection, Dialect, Table, and_, bindparam, select, tuple_

from planet.store.mirror import Uint256

_INT64_MAX = 2**63 - 1
_SQLITE_ROWS_PER_STATEMENT = 500  # past a few hundred, longer statements gain nothing
# bound values per keyed SELECT or upsert statement, under every backend's parameter limit
_CHUNK_KEYS = 900


def _sqlite_uint256(value: int) -> int | str:
    return value if value <= _INT64_MAX else f"{value:078d}"


@lru_cache(maxsize=256)
def _bind_processors(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """(position, conversion) for the ``columns`` whose values the driver cannot take as is."""
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
    return tuple(processors)


@lru_cache(maxsize=256)
def _plan(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[tuple[int, Callable[[Any], Any]], ...]]:
    processors = _bind_processors(table, columns, dialect)
    names = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    quoted = dialect.identifier_preparer.format_table(table)
    if dialect.name == "sqlite":
        sql = f"INSERT INTO {quoted} ({names}) VALUES ({', '.join('?' * len(columns))})"
    else:
        sql = f"INSERT INTO {quoted} ({names}) VALUES %s"
    return sql, processors


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


def _converted(
    rows: Sequence[Sequence[Any]], processors: tuple[tuple[int, Callable[[Any], Any]], ...]
) -> Sequence[Sequence[Any]]:
    """``rows`` with the values at the processors' positions converted (NULLs stay NULL)."""
    # the SQLite uint256 conversion only touches values past 2^63: skip it when none are
    processors = tuple(
        (i, process)
        for i, process in processors
        if process is not _sqlite_uint256
        or any(row[i] is not None and row[i] > _INT64_MAX for row in rows)
    )
    if not processors:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for i, process in processors:
            value = values[i]
            if value is not None:
                values[i] = process(value)
        converted.append(tuple(values))
    return converted


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
    if convert:
        rows = _converted(rows, processors)
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


def _native(conn: Connection) -> Any:
    """The DB-API connection of ``conn``'s transaction when its driver is one this module
    writes to directly (SQLite, psycopg2), else None."""
    dialect = conn.dialect
    if dialect.name != "sqlite" and dialect.driver != "psycopg2":
        return None
    driver = conn.connection.dbapi_connection
    assert driver is not None
    return driver


def _placeholder(dialect: Dialect) -> str:
    return "?" if dialect.name == "sqlite" else "%s"


@lru_cache(maxsize=256)
def _select_sql(table: Table, keys: tuple[str, ...], count: int, dialect: Dialect) -> str:
    """SELECT every column but ``chain_id`` of the rows of one chain whose key is among
    ``count`` given ones (bound after the chain id).

    A composite key is matched by joining a VALUES list, not by ``(a, b) IN (VALUES ...)``:
    SQLite plans the IN form as a scan of every row of the chain, the join as one index
    search per key.
    """
    quote = dialect.identifier_preparer.quote
    mark = _placeholder(dialect)
    name = dialect.identifier_preparer.format_table(table)
    columns = ", ".join(f"t.{quote(c)}" for c in _selected(table))
    if len(keys) == 1:
        return (
            f"SELECT {columns} FROM {name} AS t WHERE t.{quote('chain_id')} = {mark} "
            f"AND t.{quote(keys[0])} IN ({', '.join([mark] * count)})"
        )
    one = "(" + ", ".join([mark] * len(keys)) + ")"
    match = " AND ".join(f"t.{quote(k)} = v.column{i}" for i, k in enumerate(keys, 1))
    return (
        f"SELECT {columns} FROM (SELECT {mark} AS chain_id) AS c "
        f"CROSS JOIN (VALUES {', '.join([one] * count)}) AS v "
        f"JOIN {name} AS t ON t.{quote('chain_id')} = c.chain_id AND {match}"
    )


@lru_cache(maxsize=256)
def _result_processors(
    table: Table, dialect: Dialect, type_codes: tuple[Any, ...]
) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """The conversions SQLAlchemy would apply to the values :func:`_select_sql` reads
    (Uint256 text or Decimal to int, SQLite's 0/1 to bool), given the driver's type code of
    each column (psycopg2's numeric conversions depend on it)."""
    processors = []
    names = _selected(table)
    for i, (name, code) in enumerate(zip(names, type_codes, strict=True)):
        processor = table.c[name].type._cached_result_processor(dialect, code)
        if processor is not None:
            processors.append((i, processor))
    return tuple(processors)


@lru_cache(maxsize=256)
def _selected(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if c.name != "chain_id")


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
    driver = _native(conn)
    if driver is None:
        return _select_by_keys_core(conn, table, key_names, chain_id, keys)
    dialect = conn.dialect
    names = _selected(table)
    key_processors = _bind_processors(table, tuple(key_names), dialect)
    width = len(key_names)
    per = _CHUNK_KEYS // width
    key_at = [names.index(k) for k in key_names]
    cursor = driver.cursor()
    try:
        for start in range(0, len(keys), per):
            chunk = _converted(keys[start : start + per], key_processors)
            sql = _select_sql(table, tuple(key_names), len(chunk), dialect)
            cursor.execute(sql, (chain_id, *chain.from_iterable(chunk)))
            codes = tuple(column[1] for column in cursor.description)
            processors = _result_processors(table, dialect, codes)
            for stored in cursor.fetchall():
                values = list(stored)
                for i, process in processors:
                    values[i] = process(values[i])
                found[tuple([values[i] for i in key_at])] = dict(zip(names, values, strict=True))
    finally:
        cursor.close()
    return found


def _select_by_keys_core(
    conn: Connection,
    table: Table,
    key_names: Sequence[str],
    chain_id: int,
    keys: Sequence[tuple[Any, ...]],
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """:func:`select_by_keys` through SQLAlchemy, for other drivers."""
    columns = [table.c[n] for n in key_names]
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for start in range(0, len(keys), _CHUNK_KEYS):
        chunk = list(keys[start : start + _CHUNK_KEYS])
        if len(columns) == 1:
            match = columns[0].in_([k[0] for k in chunk])
        else:
            match = tuple_(*columns).in_(chunk)
        query = select(table).where(table.c.chain_id == chain_id, match)
        for row in conn.execute(query).mappings():
            stored = {k: v for k, v in row.items() if k != "chain_id"}
            found[tuple(stored[n] for n in key_names)] = stored
    return found


@lru_cache(maxsize=256)
def _update_sql(
    table: Table, columns: tuple[str, ...], keys: tuple[str, ...], count: int, dialect: Dialect
) -> str:
    """An INSERT of ``count`` rows that, for a key already stored, sets every other column."""
    quote = dialect.identifier_preparer.quote
    one = "(" + ", ".join([_placeholder(dialect)] * len(columns)) + ")"
    changed = [c for c in columns if c not in keys]
    return (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(c) for c in columns)}) VALUES {', '.join([one] * count)} "
        f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in changed)
    )


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
    :func:`_write_sqlite`), and PostgreSQL gets one round trip per few hundred rows.
    """
    if not rows:
        return
    keys = tuple(c.name for c in table.primary_key.columns)
    missing = {c.name for c in table.columns} - set(columns)
    if missing:
        raise ValueError(f"update_tuples of {table.name} without {sorted(missing)}")
    driver = _native(conn)
    if driver is None:
        _update_core(conn, table, columns, rows, keys)
        return
    dialect = conn.dialect
    rows = _converted(rows, _bind_processors(table, tuple(columns), dialect))
    per = max(1, _CHUNK_KEYS // len(columns))
    if dialect.name == "sqlite":
        per = min(per, _sqlite_rows_per_statement(driver, len(columns)))
    cursor = driver.cursor()
    try:
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            sql = _update_sql(table, tuple(columns), keys, len(chunk), dialect)
            cursor.execute(sql, tuple(chain.from_iterable(chunk)))
    finally:
        cursor.close()


def _update_core(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    keys: tuple[str, ...],
) -> None:
    """:func:`update_tuples` for other drivers: one UPDATE per row."""
    where = and_(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
    values = {c: bindparam(c) for c in columns if c not in keys}
    params = []
    for row in rows:
        named = dict(zip(columns, row, strict=True))
        params.append({**named, **{f"k_{k}": named[k] for k in keys}})
    conn.execute(table.update().where(where).values(values), params)


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
