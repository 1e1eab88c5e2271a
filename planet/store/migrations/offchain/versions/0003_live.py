"""Live sessions: the sessions, their distinct attendees and their chat messages.

Revision ID: 0003_live
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planet.store.offchain import id_type

revision = "0003_live"
down_revision = "0002"
branch_labels = None
depends_on = None


def _big(name: str, nullable: bool = False, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=nullable, primary_key=primary_key)


def upgrade() -> None:
    op.create_table(
        "api_live_sessions",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        _big("chain_id"),
        _big("host_token_id"),
        sa.Column("host_address", sa.String(42), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(8), nullable=False, server_default="public"),
        _big("scheduled_at"),
        _big("started_at", nullable=True),
        _big("ended_at", nullable=True),
        _big("created_at"),
    )
    op.create_index(
        "ix_api_live_sessions_schedule", "api_live_sessions", ["chain_id", "scheduled_at"]
    )

    op.create_table(
        "api_live_attendance",
        sa.Column("session_id", id_type(), sa.ForeignKey("api_live_sessions.id"), primary_key=True),
        _big("token_id", primary_key=True),
        _big("joined_at"),
    )

    op.create_table(
        "api_live_messages",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        sa.Column("session_id", id_type(), sa.ForeignKey("api_live_sessions.id"), nullable=False),
        _big("token_id"),
        sa.Column("author_address", sa.String(42), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _big("created_at"),
    )
    op.create_index("ix_api_live_messages_session", "api_live_messages", ["session_id", "id"])


def downgrade() -> None:
    for table in ("api_live_messages", "api_live_attendance", "api_live_sessions"):
        op.drop_table(table)
