"""Posts get a visibility: public, or private to holders of the author's community passes.

The feed index gains the visibility column, since the public feed filters on it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "api_posts",
        sa.Column("visibility", sa.String(8), nullable=False, server_default="public"),
    )
    op.drop_index("ix_api_posts_feed", table_name="api_posts")
    op.create_index("ix_api_posts_feed", "api_posts", ["chain_id", "visibility", "id"])


def downgrade() -> None:
    op.drop_index("ix_api_posts_feed", table_name="api_posts")
    op.create_index("ix_api_posts_feed", "api_posts", ["chain_id", "id"])
    with op.batch_alter_table("api_posts") as batch:
        batch.drop_column("visibility")
