"""PrizeVault's completed pauses (their time extends claim windows) and its delayed role
changes (granting DISTRIBUTOR or GUARDIAN, revoking GUARDIAN), scheduled, cancelled or executed;
Identity's scheduled recovery changes (two nullable columns of ``identities``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("pending_recovery", sa.String(42), nullable=True))
        batch.add_column(sa.Column("pending_recovery_at", sa.BigInteger(), nullable=True))
    op.create_table(
        "vault_pauses",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True),
        sa.Column("paused_at", sa.BigInteger(), primary_key=True),
        sa.Column("unpaused_at", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
    )
    op.create_table(
        "vault_role_changes",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True),
        sa.Column("role", sa.String(66), primary_key=True),
        sa.Column("account", sa.String(42), primary_key=True),
        sa.Column("is_grant", sa.Boolean(), primary_key=True),
        sa.Column("executable_at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(9), nullable=False),
        sa.Column("admin", sa.String(42), nullable=False),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("vault_role_changes")
    op.drop_table("vault_pauses")
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("pending_recovery_at")
        batch.drop_column("pending_recovery")
