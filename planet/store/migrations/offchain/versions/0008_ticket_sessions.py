"""Chat tickets record the sign-in session that asked for them, so signing it out closes the
sockets they opened (tickets issued before this revision have none, and expire in seconds).

Revision ID: 0008_ticket_sessions
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_ticket_sessions"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_chat_tickets", sa.Column("auth_session", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_chat_tickets") as batch:
        batch.drop_column("auth_session")
