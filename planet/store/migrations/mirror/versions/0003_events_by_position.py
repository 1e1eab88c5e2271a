"""Drop the events indexes on tx_hash and on (contract, event): nothing reads events by
transaction or by type (the API and the rewards read the derived tables), and keeping them
cost about half of SQLite's work per mirrored event during a backfill. The events table stays
keyed by chain position; a query that needs another path adds its index with it.

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
    op.drop_index("ix_events_contract_event", table_name="events")


def downgrade() -> None:
    op.create_index(
        "ix_events_contract_event", "events", ["chain_id", "contract", "event", "block_number"]
    )
    op.create_index("ix_events_tx_hash", "events", ["tx_hash"])
