"""CommunityPass protocol v2: each pass's requirements (contribution points, verified
identity), refund window and the end of its price notice; each holding's price snapshot and
latest refundable subscription payment. Existing rows (version-1 passes) get zeros: no
requirement, no refunds, no snapshot.

Revision ID: 0006_pass_v2
Revises: 0005 (owner_fundings)
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planet.store.mirror import Uint256

revision = "0006_pass_v2"
down_revision = "0005"
branch_labels = None
depends_on = None

_PASS_COLUMNS = ("min_points", "refund_window", "holders_price_from")
_HOLDING_COLUMNS = ("price", "payment_from", "refund_until", "refund_paid")


def upgrade() -> None:
    with op.batch_alter_table("passes") as batch:
        for name in _PASS_COLUMNS:
            batch.add_column(sa.Column(name, Uint256(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("points_weeks", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("verified_identity", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("pass_holdings") as batch:
        for name in _HOLDING_COLUMNS:
            batch.add_column(sa.Column(name, Uint256(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("pass_holdings") as batch:
        for name in reversed(_HOLDING_COLUMNS):
            batch.drop_column(name)
    with op.batch_alter_table("passes") as batch:
        batch.drop_column("verified_identity")
        batch.drop_column("points_weeks")
        for name in reversed(_PASS_COLUMNS):
            batch.drop_column(name)
