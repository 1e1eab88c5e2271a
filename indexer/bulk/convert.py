"""Values converted the way SQLAlchemy would, without SQLAlchemy's per-row machinery.

Only the columns whose type converts values (JSON, :class:`~planet.store.mirror.Uint256`) are
converted, with the very conversion functions SQLAlchemy would call, looked up once per table,
columns and dialect. Those lookups are the only place the indexer reads SQLAlchemy's
internals: :meth:`TypeEngine._cached_bind_processor` and
:meth:`TypeEngine._cached_result_processor`, the per-dialect memos its own statements use, so
the hot path stores and reads exactly what SQLAlchemy does. They are private, which is why
``pyproject.toml`` pins SQLAlchemy to the minor version they were read from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Boolean, Dialect, Table

from indexer.bulk.statements import selected
from planet.store.mirror import Uint256

INT64_MAX = 2**63 - 1

Processors = tuple[tuple[int, Callable[[Any], Any]], ...]


def uint256_text(value: int) -> int | str:
    """A Uint256 as a driver whose integers stop at 64 bits stores it: as is up to 2^63 - 1,
    as 78-digit text beyond (the same conversion as the type's, without TypeDecorator's
    layers). :func:`converted` skips it for rows with no value that large."""
    return value if value <= INT64_MAX else f"{value:078d}"


@lru_cache(maxsize=256)
def bind_processors(
    table: Table,
    columns: tuple[str, ...],
    dialect: Dialect,
    uint256: Callable[[Any], Any] | None,
) -> Processors:
    """(position, conversion) for the ``columns`` whose values the driver cannot take as is;
    ``uint256`` is the driver's conversion of Uint256 values (its adapter's)."""
    processors = []
    for i, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(column_type, Uint256):
            processor = uint256
        elif isinstance(column_type, Boolean):
            processor = None  # both drivers take Python bools as they are
        else:
            processor = column_type._cached_bind_processor(dialect)
        if processor is not None:
            processors.append((i, processor))
    return tuple(processors)


@lru_cache(maxsize=256)
def result_processors(table: Table, dialect: Dialect, type_codes: tuple[Any, ...]) -> Processors:
    """The conversions SQLAlchemy would apply to the values
    :func:`~indexer.bulk.statements.select_sql` reads (Uint256 text or Decimal to int, SQLite's
    0/1 to bool), given the driver's type code of each column (psycopg2's numeric conversions
    depend on it)."""
    processors = []
    names = selected(table)
    for i, (name, code) in enumerate(zip(names, type_codes, strict=True)):
        processor = table.c[name].type._cached_result_processor(dialect, code)
        if processor is not None:
            processors.append((i, processor))
    return tuple(processors)


def converted(rows: Sequence[Sequence[Any]], processors: Processors) -> Sequence[Sequence[Any]]:
    """``rows`` with the values at the processors' positions converted (NULLs stay NULL)."""
    # the uint256 text conversion only touches values past 2^63: skip it when none are
    processors = tuple(
        (i, process)
        for i, process in processors
        if process is not uint256_text
        or any(row[i] is not None and row[i] > INT64_MAX for row in rows)
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
