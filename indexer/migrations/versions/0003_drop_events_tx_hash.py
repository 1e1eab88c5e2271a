"""Drop the events index on tx_hash: nothing queries events by transaction, and keeping it
cost about a fifth of SQLite's work per mirrored event during a backfill.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_events_tx_hash", table_name="events")


def downgrade() -> None:
    op.create_index("ix_events_tx_hash", "events", ["tx_hash"])
