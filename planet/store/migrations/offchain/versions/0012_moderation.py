"""Editing and moderation: posts and comments keep their edit time and deletion time, earlier
versions go to ``api_edits``; reports of any content (``api_content_reports``, which takes over
the post-only ``api_reports`` and its rows), content hidden by the risk role (``api_hidden``)
and the log of every moderation decision (``api_moderation_decisions``).

Revision ID: 0012_moderation
Revises: 0009_follows
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planet.store.offchain import id_type

revision = "0012_moderation"
down_revision = "0009_follows"
branch_labels = None
depends_on = None

_EDITABLE = ("api_posts", "api_comments")


def _big(name: str, nullable: bool = False, primary_key: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=nullable, primary_key=primary_key)


def upgrade() -> None:
    for table in _EDITABLE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(_big("edited_at", nullable=True))
            batch.add_column(_big("deleted_at", nullable=True))
    op.create_table(
        "api_edits",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        _big("chain_id"),
        sa.Column("kind", sa.String(8), nullable=False),
        _big("target_id"),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("holds_position", sa.Boolean(), nullable=True),
        sa.Column("sponsored", sa.Boolean(), nullable=True),
        _big("written_at"),
        _big("replaced_at"),
    )
    op.create_index("ix_api_edits_target", "api_edits", ["chain_id", "kind", "target_id", "id"])
    op.create_table(
        "api_content_reports",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        _big("chain_id"),
        sa.Column("kind", sa.String(8), nullable=False),
        _big("target_id"),
        _big("reporter_token_id"),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _big("created_at"),
        _big("decision_id", nullable=True),
        sa.UniqueConstraint(
            "chain_id", "kind", "target_id", "reporter_token_id", name="ux_api_content_reports_one"
        ),
    )
    op.create_index(
        "ix_api_content_reports_open",
        "api_content_reports",
        ["chain_id", "decision_id", "kind", "target_id"],
    )
    op.execute(
        "INSERT INTO api_content_reports "
        "(chain_id, kind, target_id, reporter_token_id, reason, note, created_at) "
        "SELECT p.chain_id, 'post', r.post_id, r.token_id, r.reason, r.note, r.created_at "
        "FROM api_reports r JOIN api_posts p ON p.id = r.post_id ORDER BY r.created_at"
    )
    op.drop_table("api_reports")
    op.create_table(
        "api_hidden",
        _big("chain_id", primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        _big("target_id", primary_key=True),
        sa.Column("label", sa.String(32), nullable=False),
        _big("decision_id"),
        _big("hidden_at"),
    )
    op.create_table(
        "api_moderation_decisions",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        _big("chain_id"),
        sa.Column("kind", sa.String(8), nullable=False),
        _big("target_id"),
        _big("author_token_id", nullable=True),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("label", sa.String(32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(42), nullable=False),
        sa.Column("uids", sa.JSON(), nullable=True),
        _big("created_at"),
    )
    op.create_index(
        "ix_api_moderation_decisions_author",
        "api_moderation_decisions",
        ["chain_id", "author_token_id", "id"],
    )
    op.create_index(
        "ix_api_moderation_decisions_target",
        "api_moderation_decisions",
        ["chain_id", "kind", "target_id", "id"],
    )


def downgrade() -> None:
    op.drop_table("api_moderation_decisions")
    op.drop_table("api_hidden")
    op.create_table(
        "api_reports",
        sa.Column("post_id", id_type(), sa.ForeignKey("api_posts.id"), primary_key=True),
        _big("token_id", primary_key=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _big("created_at"),
    )
    op.execute(
        "INSERT INTO api_reports (post_id, token_id, reason, note, created_at) "
        "SELECT target_id, reporter_token_id, reason, note, created_at "
        "FROM api_content_reports WHERE kind = 'post'"
    )
    op.drop_table("api_content_reports")
    op.drop_table("api_edits")
    for table in _EDITABLE:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("deleted_at")
            batch.drop_column("edited_at")
