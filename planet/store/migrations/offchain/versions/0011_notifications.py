"""Notifications: what each identity is told about, and the one-off scans already done.

Revision ID: 0011_notifications
Revises: 0009_follows
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_notifications"
down_revision = "0009_follows"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_notifications",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("recipient_token_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("dedupe_key", sa.String(160), nullable=False),
        sa.Column("actor_token_id", sa.BigInteger(), nullable=True),
        sa.Column("post_id", sa.BigInteger(), nullable=True),
        sa.Column("comment_id", sa.BigInteger(), nullable=True),
        sa.Column("session_id", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("read_at", sa.BigInteger(), nullable=True),
        sa.UniqueConstraint(
            "chain_id", "recipient_token_id", "dedupe_key", name="ux_api_notifications_event"
        ),
    )
    op.create_index(
        "ix_api_notifications_recipient",
        "api_notifications",
        ["chain_id", "recipient_token_id", "id"],
    )
    op.create_index(
        "ix_api_notifications_unread",
        "api_notifications",
        ["chain_id", "recipient_token_id", "read_at", "id"],
    )
    op.create_table(
        "api_notification_scans",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("done_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("api_notification_scans")
    op.drop_index("ix_api_notifications_unread", table_name="api_notifications")
    op.drop_index("ix_api_notifications_recipient", table_name="api_notifications")
    op.drop_table("api_notifications")
