"""Migrations build exactly the tables schema.py describes, on SQLite and PostgreSQL, and
undo cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from indexer.db import VERSION_TABLE, downgrade, make_engine, migrate, schema_is_current
from indexer.schema import metadata


def test_migrations_match_the_schema_and_downgrade(database_url):
    engine = make_engine(database_url)
    try:
        assert not schema_is_current(engine)
        migrate(engine)
        migrate(engine)  # idempotent
        assert schema_is_current(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
            assert compare_metadata(context, metadata) == []
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) == {VERSION_TABLE}
    finally:
        engine.dispose()
