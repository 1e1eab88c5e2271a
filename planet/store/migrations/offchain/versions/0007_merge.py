"""Joins the two branches made from 0004 (chat access: tickets and limits; sessions and exact
fill notionals): they touch disjoint tables, so the order they run in does not matter.

Revision ID: 0007
Revises: 0005_chat_access, 0006_exact_notional
Create Date: 2026-12-06
"""

from __future__ import annotations

revision = "0007"
down_revision = ("0005_chat_access", "0006_exact_notional")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the merge only gives Alembic one head."""


def downgrade() -> None:
    """Nothing to change."""
