"""Sessions kept server side, so a token can be signed out or revoked before it expires.

Revision ID: 0005_sessions
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_sessions"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("address", sa.String(42), nullable=False),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_api_sessions_wallet", "api_sessions", ["chain_id", "address"])
    op.create_index("ix_api_sessions_expires", "api_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("api_sessions")
