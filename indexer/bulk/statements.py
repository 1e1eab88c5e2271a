"""SQL text of the keyed reads and rewrites, the same for every driver but its placeholder.

Every range of a backfill reads and rewrites the counters its events touch; through
SQLAlchemy that cost about as much as inserting the range's events, so these statements are
built once per shape (table, key columns, row count, dialect) and go to the driver as text.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Dialect, Table


@lru_cache(maxsize=256)
def selected(table: Table) -> tuple[str, ...]:
    """The columns :func:`select_sql` reads: all but ``chain_id``, in table order."""
    return tuple(c.name for c in table.columns if c.name != "chain_id")


@lru_cache(maxsize=256)
def select_sql(
    table: Table, keys: tuple[str, ...], count: int, dialect: Dialect, placeholder: str
) -> str:
    """SELECT every column but ``chain_id`` of the rows of one chain whose key is among
    ``count`` given ones (bound after the chain id).

    A composite key is matched by joining a VALUES list, not by ``(a, b) IN (VALUES ...)``:
    SQLite plans the IN form as a scan of every row of the chain, the join as one index
    search per key.
    """
    quote = dialect.identifier_preparer.quote
    mark = placeholder
    name = dialect.identifier_preparer.format_table(table)
    columns = ", ".join(f"t.{quote(c)}" for c in selected(table))
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
def update_sql(
    table: Table,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    count: int,
    dialect: Dialect,
    placeholder: str,
) -> str:
    """An INSERT of ``count`` rows that, for a key already stored, sets every other column."""
    quote = dialect.identifier_preparer.quote
    one = "(" + ", ".join([placeholder] * len(columns)) + ")"
    changed = [c for c in columns if c not in keys]
    return (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(c) for c in columns)}) VALUES {', '.join([one] * count)} "
        f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in changed)
    )
