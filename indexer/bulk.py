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
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Connection, Dialect, Table

from indexer.schema import Uint256

_INT64_MAX = 2**63 - 1


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


def insert_tuples(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    convert: bool = True,
) -> None:
    """Inserts ``rows`` (values in ``columns`` order) into ``table`` in one driver call;
    ``convert=False`` when the caller already gave driver-ready values (JSON as text)."""
    if not rows:
        return
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
        conn.exec_driver_sql(sql, rows if isinstance(rows, list) else list(rows))
    elif dialect.driver == "psycopg2":
        cursor = conn.connection.dbapi_connection.cursor()  # same transaction
        try:
            cursor.copy_expert(_copy_sql(table, tuple(columns), dialect), _copy_text(rows))
        finally:
            cursor.close()
    else:
        conn.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])


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
    if not rows:
        return
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
    insert_tuples(conn, table, (*constants, *columns), values)
