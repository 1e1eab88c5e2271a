"""Joins the branches made from 0009 (search, notifications, and moderation with view hours):
they create disjoint tables and columns, so the order they run in does not matter.

Revision ID: 0015_merge
Revises: 0010_search, 0011_notifications, 0014_merge
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0015_merge"
down_revision = ("0010_search", "0011_notifications", "0014_merge")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the merge only gives Alembic one head."""


def downgrade() -> None:
    """Nothing to undo."""
