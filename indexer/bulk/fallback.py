"""The hot path's operations through SQLAlchemy, for drivers without an adapter
(:mod:`indexer.bulk.adapter`): correct everywhere SQLAlchemy is, none of the speed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, select, tuple_

from indexer.bulk.adapter import CHUNK_KEYS


def insert_writer(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Callable[[], None]:
    """:func:`~indexer.bulk.tuple_writer` through SQLAlchemy's executemany."""

    def write_rows() -> None:
        conn.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])

    return write_rows


def select_by_keys(
    conn: Connection,
    table: Table,
    key_names: Sequence[str],
    chain_id: int,
    keys: Sequence[tuple[Any, ...]],
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """:func:`~indexer.bulk.select_by_keys` through SQLAlchemy."""
    columns = [table.c[n] for n in key_names]
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for start in range(0, len(keys), CHUNK_KEYS):
        chunk = list(keys[start : start + CHUNK_KEYS])
        if len(columns) == 1:
            match = columns[0].in_([k[0] for k in chunk])
        else:
            match = tuple_(*columns).in_(chunk)
        query = select(table).where(table.c.chain_id == chain_id, match)
        for row in conn.execute(query).mappings():
            stored = {k: v for k, v in row.items() if k != "chain_id"}
            found[tuple(stored[n] for n in key_names)] = stored
    return found


def update_tuples(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    keys: tuple[str, ...],
) -> None:
    """:func:`~indexer.bulk.update_tuples` through SQLAlchemy: one UPDATE per row."""
    where = and_(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
    values: dict[str, Any] = {c: bindparam(c) for c in columns if c not in keys}
    params = []
    for row in rows:
        named = dict(zip(columns, row, strict=True))
        params.append({**named, **{f"k_{k}": named[k] for k in keys}})
    conn.execute(table.update().where(where).values(values), params)
