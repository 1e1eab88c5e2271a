"""The API's migrations create exactly api.models, beside the indexer's tables."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from api.db import VERSION_TABLE, downgrade, migrate
from api.models import metadata
from indexer.db import VERSION_TABLE as INDEXER_VERSION_TABLE
from indexer.schema import metadata as indexer_metadata


def _api_only(obj, name, type_, reflected, compare_to) -> bool:
    return type_ != "table" or name in metadata.tables


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _api_only, "version_table": VERSION_TABLE}
        )
        assert compare_metadata(context, metadata) == []


def test_both_programs_keep_their_own_version_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert {VERSION_TABLE, INDEXER_VERSION_TABLE} <= tables
    assert set(metadata.tables) <= tables and set(indexer_metadata.tables) <= tables


def test_downgrade_removes_only_the_api_tables_and_upgrade_is_repeatable(engine):
    downgrade(engine, "base")
    tables = set(inspect(engine).get_table_names())
    assert not set(metadata.tables) & tables
    assert set(indexer_metadata.tables) <= tables
    migrate(engine)
    migrate(engine)
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
