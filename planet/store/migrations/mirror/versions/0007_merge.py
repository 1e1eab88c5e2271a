"""Joins the branches made from 0005 (ContributionPoints' roles; pass protocol v2's columns and
tables): they touch disjoint tables, so the order they run in does not matter.

Revision ID: 0007_merge
Revises: 0006, 0006_pass_v2
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0007_merge"
down_revision = ("0006", "0006_pass_v2")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the merge only gives Alembic one head."""


def downgrade() -> None:
    """Nothing to undo."""
