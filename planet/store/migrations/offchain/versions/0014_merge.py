"""Joins the two branches made from 0009 (moderation: edits, reports, hidden content and
decisions; creator analytics: views per hour): they touch disjoint tables, so the order they
run in does not matter.

Revision ID: 0014_merge
Revises: 0012_moderation, 0013_view_hours
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0014_merge"
down_revision = ("0012_moderation", "0013_view_hours")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the merge only gives Alembic one head."""


def downgrade() -> None:
    """Nothing to change."""
