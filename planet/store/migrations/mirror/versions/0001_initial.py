"""Initial mirrored tables: events, Identity and ContributionPoints state, bookkeeping.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planet.store.mirror import Uint256, _id_type, json_type

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _chain() -> sa.Column:
    return sa.Column("chain_id", sa.BigInteger(), primary_key=True)


def _addr(name: str, nullable: bool = False, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(42), nullable=nullable, primary_key=primary_key)


def _hash(name: str, nullable: bool = False, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(66), nullable=nullable, primary_key=primary_key)


def upgrade() -> None:
    op.create_table(
        "events",
        _chain(),
        sa.Column("block_number", sa.BigInteger(), primary_key=True),
        sa.Column("log_index", sa.Integer(), primary_key=True),
        _hash("block_hash"),
        _hash("tx_hash"),
        sa.Column("tx_index", sa.Integer(), nullable=False),
        _addr("address"),
        sa.Column("contract", sa.String(64), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("args", json_type(), nullable=False),
    )
    op.create_index(
        "ix_events_contract_event", "events", ["chain_id", "contract", "event", "block_number"]
    )
    op.create_index("ix_events_tx_hash", "events", ["tx_hash"])

    op.create_table(
        "identities",
        _chain(),
        sa.Column("token_id", sa.BigInteger(), primary_key=True),
        _addr("owner"),
        sa.Column("handle", sa.String(32), nullable=False),
        sa.Column("metadata_uri", sa.Text(), nullable=False),
        _hash("metadata_hash"),
        _addr("recovery"),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("labels", Uint256(), nullable=False),
        _addr("relayer"),
        sa.Column("registered_block", sa.BigInteger(), nullable=False),
        _hash("registered_tx"),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
    )
    op.create_index("ux_identities_handle", "identities", ["chain_id", "handle"], unique=True)
    op.create_index("ix_identities_owner", "identities", ["chain_id", "owner"])

    op.create_table(
        "attestations",
        _chain(),
        _hash("uid", primary_key=True),
        _addr("account"),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("amount", Uint256(), nullable=False),
        _addr("attester"),
        _addr("submitter"),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        _hash("tx_hash"),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        _addr("revoker", nullable=True),
        sa.Column("revoked_block", sa.BigInteger(), nullable=True),
        _hash("revoked_tx", nullable=True),
    )
    op.create_index("ix_attestations_account", "attestations", ["chain_id", "account", "epoch"])
    op.create_index("ix_attestations_epoch", "attestations", ["chain_id", "epoch"])

    op.create_table(
        "point_balances",
        _chain(),
        _addr("account", primary_key=True),
        sa.Column("balance", Uint256(), nullable=False),
    )
    op.create_table(
        "epoch_point_balances",
        _chain(),
        sa.Column("epoch", sa.BigInteger(), primary_key=True),
        _addr("account", primary_key=True),
        sa.Column("balance", Uint256(), nullable=False),
    )
    op.create_index(
        "ix_epoch_point_balances_account", "epoch_point_balances", ["chain_id", "account"]
    )
    op.create_table(
        "epoch_point_totals",
        _chain(),
        sa.Column("epoch", sa.BigInteger(), primary_key=True),
        sa.Column("total", Uint256(), nullable=False),
    )

    op.create_table(
        "cursors",
        _chain(),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        _hash("block_hash"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "recent_blocks",
        _chain(),
        sa.Column("block_number", sa.BigInteger(), primary_key=True),
        _hash("block_hash"),
        _hash("parent_hash"),
    )
    op.create_table(
        "state_journal",
        sa.Column("id", _id_type(), primary_key=True, autoincrement=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("key", json_type(), nullable=False),
        sa.Column("old_row", json_type(), nullable=True),
    )
    op.create_index("ix_state_journal_block", "state_journal", ["chain_id", "block_number"])
    op.create_table(
        "sources",
        _chain(),
        sa.Column("contract", sa.String(64), primary_key=True),
        _addr("address"),
        sa.Column("start_block", sa.BigInteger(), nullable=False),
        _hash("block_hash"),
    )


def downgrade() -> None:
    for table in (
        "sources",
        "state_journal",
        "recent_blocks",
        "cursors",
        "epoch_point_totals",
        "epoch_point_balances",
        "point_balances",
        "attestations",
        "identities",
        "events",
    ):
        op.drop_table(table)
