"""Statements whose SQL differs by dialect, written once for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Inserts ``values`` unless a row with the same key exists; whether it inserted. One
    statement (``ON CONFLICT DO NOTHING``) so a race between two requests never fails one."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    result = conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1


def increment(
    conn: Connection, table: Table, key: dict[str, Any], column: str, by: int = 1
) -> None:
    """Adds ``by`` to ``column`` of the row keyed by ``key``, creating it at ``by``. One
    statement (``ON CONFLICT DO UPDATE``), so two requests counting at once both count."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**key, **{column: by})
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=list(key), set_={column: table.c[column] + statement.excluded[column]}
        )
    )
