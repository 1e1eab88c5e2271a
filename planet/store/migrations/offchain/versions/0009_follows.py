"""The follow graph: who follows which identity (keyed by token ids).

Revision ID: 0009_follows
Revises: 0008_ticket_sessions
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_follows"
down_revision = "0008_ticket_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_follows",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True),
        sa.Column("follower_token_id", sa.BigInteger(), primary_key=True),
        sa.Column("followee_token_id", sa.BigInteger(), primary_key=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index(
        "ix_api_follows_followee",
        "api_follows",
        ["chain_id", "followee_token_id", "follower_token_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_api_follows_followee", table_name="api_follows")
    op.drop_table("api_follows")
