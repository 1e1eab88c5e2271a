"""API tables: sign-in nonces, personas, posts and their interactions, signed attestations.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planet.store.offchain import id_type

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _big(name: str, nullable: bool = False, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=nullable, primary_key=primary_key)


def upgrade() -> None:
    op.create_table(
        "api_siwe_nonces",
        sa.Column("nonce", sa.String(64), primary_key=True),
        _big("issued_at"),
        _big("expires_at"),
        _big("used_at", nullable=True),
        sa.Column("used_by", sa.String(42), nullable=True),
    )
    op.create_index("ix_api_siwe_nonces_expires", "api_siwe_nonces", ["expires_at"])

    op.create_table(
        "api_personas",
        _big("chain_id", primary_key=True),
        _big("token_id", primary_key=True),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("avatar_url", sa.Text(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("pinned_post_ids", sa.JSON(), nullable=False),
        _big("updated_at"),
    )

    op.create_table(
        "api_posts",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        _big("chain_id"),
        _big("author_token_id"),
        sa.Column("author_address", sa.String(42), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("instruments", sa.JSON(), nullable=False),
        sa.Column("holds_position", sa.Boolean(), nullable=True),
        sa.Column("sponsored", sa.Boolean(), nullable=True),
        _big("created_at"),
        _big("view_count"),
        _big("like_count"),
        _big("comment_count"),
    )
    op.create_index("ix_api_posts_author", "api_posts", ["chain_id", "author_token_id", "id"])
    op.create_index("ix_api_posts_feed", "api_posts", ["chain_id", "id"])

    op.create_table(
        "api_post_likes",
        sa.Column("post_id", id_type(), sa.ForeignKey("api_posts.id"), primary_key=True),
        _big("token_id", primary_key=True),
        _big("created_at"),
    )

    op.create_table(
        "api_comments",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        sa.Column("post_id", id_type(), sa.ForeignKey("api_posts.id"), nullable=False),
        _big("chain_id"),
        _big("author_token_id"),
        sa.Column("author_address", sa.String(42), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _big("created_at"),
    )
    op.create_index("ix_api_comments_post", "api_comments", ["post_id", "id"])

    op.create_table(
        "api_reports",
        sa.Column("post_id", id_type(), sa.ForeignKey("api_posts.id"), primary_key=True),
        _big("token_id", primary_key=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _big("created_at"),
    )

    op.create_table(
        "api_attestations",
        _big("chain_id", primary_key=True),
        sa.Column("uid", sa.String(66), primary_key=True),
        sa.Column("activity", sa.String(16), nullable=False),
        _big("activity_id"),
        _big("token_id"),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        _big("amount"),
        _big("epoch"),
        _big("deadline"),
        sa.Column("points_contract", sa.String(42), nullable=False),
        sa.Column("attester", sa.String(42), nullable=False),
        sa.Column("signature", sa.String(132), nullable=False),
        _big("created_at"),
        sa.UniqueConstraint(
            "chain_id", "activity", "activity_id", name="ux_api_attestations_activity"
        ),
    )
    op.create_index("ix_api_attestations_token", "api_attestations", ["chain_id", "token_id"])


def downgrade() -> None:
    for table in (
        "api_attestations",
        "api_reports",
        "api_comments",
        "api_post_likes",
        "api_posts",
        "api_personas",
        "api_siwe_nonces",
    ):
        op.drop_table(table)
