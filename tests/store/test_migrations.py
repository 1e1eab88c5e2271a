"""Each table set's migrations build exactly the tables its module describes, on SQLite and
PostgreSQL, keep their own version table, and undo cleanly without touching the other set."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select

from planet.store import MIRROR, OFFCHAIN, fulltext, make_engine, migrate, schema_is_current
from planet.store.migrate import downgrade
from planet.store.mirror import events, points_roles
from planet.store.mirror import metadata as mirror_metadata
from planet.store.offchain import metadata as offchain_metadata

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects


def _offchain_only(obj, name, type_, reflected, compare_to) -> bool:
    if (type_, name) in fulltext.ENGINE_OWN:  # search's per-engine structures: tested apart
        return False
    return type_ != "table" or name in offchain_metadata.tables


def test_mirror_migrations_match_the_schema_and_downgrade(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        assert not schema_is_current(engine, MIRROR)
        migrate(engine, MIRROR)
        migrate(engine, MIRROR)  # idempotent
        assert schema_is_current(engine, MIRROR)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"version_table": MIRROR.version_table})
            assert compare_metadata(context, mirror_metadata) == []
        downgrade(engine, MIRROR, "base")
        assert set(inspect(engine).get_table_names()) == {MIRROR.version_table}
    finally:
        engine.dispose()


def test_offchain_migrations_match_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _offchain_only, "version_table": OFFCHAIN.version_table}
        )
        assert compare_metadata(context, offchain_metadata) == []


def test_both_sets_keep_their_own_version_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert {OFFCHAIN.version_table, MIRROR.version_table} <= tables
    assert set(offchain_metadata.tables) <= tables and set(mirror_metadata.tables) <= tables


def test_downgrade_removes_only_the_offchain_tables_and_upgrade_is_repeatable(engine):
    downgrade(engine, OFFCHAIN, "base")
    tables = set(inspect(engine).get_table_names())
    assert not set(offchain_metadata.tables) & tables
    assert set(mirror_metadata.tables) <= tables
    migrate(engine, OFFCHAIN)
    migrate(engine, OFFCHAIN)
    assert set(offchain_metadata.tables) <= set(inspect(engine).get_table_names())


def test_the_search_structures_are_each_engines_own(engine):
    """FTS5 tables on SQLite; a generated words column with a GIN index on PostgreSQL."""
    tables = set(inspect(engine).get_table_names())
    columns = {c["name"] for c in inspect(engine).get_columns("api_posts")}
    if engine.dialect.name == "sqlite":
        assert {"api_posts_fts", "api_personas_fts"} <= tables
        assert "search_words" not in columns
    else:
        assert not {"api_posts_fts", "api_personas_fts"} & tables
        assert "search_words" in columns
        indexes = {i["name"] for i in inspect(engine).get_indexes("api_posts")}
        assert "ix_api_posts_search" in indexes


def test_the_roles_table_is_filled_from_role_events_indexed_before_it(empty_database_url):
    """A mirror indexed before ``points_roles`` existed already holds the role events: the
    migration folds them (last event per role and account wins), so no re-index is needed."""
    engine = make_engine(empty_database_url)
    try:
        migrate(engine, MIRROR, "0005")
        risk, other = "0x" + "ab" * 32, "0x" + "cd" * 32
        alice, bob = "0x" + "11" * 20, "0x" + "22" * 20
        logged = [
            ("RoleGranted", risk, alice, "ContributionPoints"),
            ("RoleGranted", other, bob, "ContributionPoints"),
            ("RoleRevoked", risk, alice, "ContributionPoints"),
            ("RoleGranted", risk, bob, "ContributionPoints"),
            ("RoleGranted", risk, alice, "PrizeVault"),  # another contract's roles
        ]
        with engine.begin() as conn:
            for n, (name, role, account, contract) in enumerate(logged):
                conn.execute(
                    insert(events).values(
                        chain_id=1,
                        block_number=10 + n,
                        log_index=0,
                        block_hash="0x" + "00" * 32,
                        tx_hash="0x" + "00" * 32,
                        tx_index=0,
                        address="0x" + "99" * 20,
                        contract=contract,
                        event=name,
                        args={"role": role, "account": account, "sender": alice},
                    )
                )
        migrate(engine, MIRROR)
        with engine.connect() as conn:
            rows = {
                (r.role, r.account): (r.held, r.updated_block)
                for r in conn.execute(select(points_roles))
            }
        assert rows == {
            (risk, alice): (False, 12),
            (other, bob): (True, 11),
            (risk, bob): (True, 13),
        }
    finally:
        engine.dispose()
