"""Indexes for the two periodic scans of the mirror: the API's notification scan reads the
subscriptions whose expiry falls in a window around now (``ix_pass_holdings_expiry``), and the
indexer's funding recheck reads the owners ``unfunded`` or ``unavailable`` longest unchecked
(``ix_owner_fundings_due``). Without them each scan read every row of its table, every time.

Revision ID: 0008
Revises: 0007_merge
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_pass_holdings_expiry", "pass_holdings", ["chain_id", "expiry"])
    op.create_index(
        "ix_owner_fundings_due", "owner_fundings", ["chain_id", "status", "checked_block"]
    )


def downgrade() -> None:
    op.drop_index("ix_owner_fundings_due", table_name="owner_fundings")
    op.drop_index("ix_pass_holdings_expiry", table_name="pass_holdings")
