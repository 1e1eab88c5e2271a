"""Views per post and hour: the creator analytics' weekly view totals (every view, anonymous
ones included; ``api_post_views`` keeps only each identity's first view).

Revision ID: 0013_view_hours
Revises: 0009_follows
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_view_hours"
down_revision = "0009_follows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_post_view_hours",
        sa.Column(
            "post_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("api_posts.id"),
            primary_key=True,
        ),
        sa.Column("hour", sa.BigInteger(), primary_key=True),
        sa.Column("views", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("api_post_view_hours")
