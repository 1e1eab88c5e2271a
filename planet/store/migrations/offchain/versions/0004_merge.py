"""Joins the three branches made from 0002 (live sessions, trading, per-identity views): they
touch disjoint tables, so the order they run in does not matter.

Revision ID: 0004
Revises: 0003_live, 0003_trading, 0003_views
Create Date: 2026-11-25
"""

from __future__ import annotations

revision = "0004"
down_revision = ("0003_live", "0003_trading", "0003_views")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the merge only gives Alembic one head."""


def downgrade() -> None:
    """Nothing to change."""
