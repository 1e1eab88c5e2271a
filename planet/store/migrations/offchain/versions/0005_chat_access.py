"""Chat access: single-use socket tickets, and the indexes the live listing reads (public
sessions newest first, private sessions host by host).

Revision ID: 0005_chat_access
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_chat_access"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_chat_tickets",
        sa.Column("ticket_hash", sa.String(64), primary_key=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=False),
        sa.Column("address", sa.String(42), nullable=False),
        sa.Column("token_expires_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_api_chat_tickets_expires", "api_chat_tickets", ["expires_at"])
    op.create_index(
        "ix_api_live_sessions_visibility", "api_live_sessions", ["chain_id", "visibility", "id"]
    )
    op.create_index(
        "ix_api_live_sessions_host", "api_live_sessions", ["chain_id", "host_token_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_api_live_sessions_host", "api_live_sessions")
    op.drop_index("ix_api_live_sessions_visibility", "api_live_sessions")
    op.drop_index("ix_api_chat_tickets_expires", "api_chat_tickets")
    op.drop_table("api_chat_tickets")
