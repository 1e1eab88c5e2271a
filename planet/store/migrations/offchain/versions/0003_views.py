"""Per-identity post views: one row per (post, identity) at its first view, for rewards.

Revision ID: 0003_views
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planet.store.offchain import id_type

revision = "0003_views"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_post_views",
        sa.Column("post_id", id_type(), sa.ForeignKey("api_posts.id"), primary_key=True),
        sa.Column("token_id", sa.BigInteger(), primary_key=True),
        sa.Column("first_viewed_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("api_post_views")
