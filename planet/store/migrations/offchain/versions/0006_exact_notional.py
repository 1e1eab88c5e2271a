"""Fill notionals as exact integers of any size (NUMERIC(78, 0) on PostgreSQL, INTEGER or
78-digit text on SQLite, as the mirror keeps token amounts): a BIGINT capped them at 2^63 - 1
and their sums overflowed.

Revision ID: 0006_exact_notional
Revises: 0005_sessions
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planet.store.mirror import Uint256

revision = "0006_exact_notional"
down_revision = "0005_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite cannot change a column's type in place: batch mode copies the table.
    with op.batch_alter_table("api_fills") as batch:
        batch.alter_column(
            "notional_micro",
            type_=Uint256(),
            existing_type=sa.BigInteger(),
            existing_nullable=False,
            postgresql_using="notional_micro::numeric(78, 0)",
        )


def downgrade() -> None:
    with op.batch_alter_table("api_fills") as batch:
        batch.alter_column(
            "notional_micro",
            type_=sa.BigInteger(),
            existing_type=Uint256(),
            existing_nullable=False,
            postgresql_using="notional_micro::bigint",
        )
