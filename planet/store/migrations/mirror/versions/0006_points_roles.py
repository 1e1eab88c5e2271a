"""Who holds each ContributionPoints role (``points_roles``): the API reads it to know which
wallets hold RISK_ROLE (moderation). Filled from the role events already in ``events``, so a
database indexed before this revision needs no re-index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    roles = op.create_table(
        "points_roles",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True),
        sa.Column("role", sa.String(66), primary_key=True),
        sa.Column("account", sa.String(42), primary_key=True),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
    )
    events = sa.table(
        "events",
        sa.column("chain_id", sa.BigInteger()),
        sa.column("block_number", sa.BigInteger()),
        sa.column("log_index", sa.Integer()),
        sa.column("contract", sa.String()),
        sa.column("event", sa.String()),
        sa.column("args", sa.JSON()),
    )
    rows = op.get_bind().execute(
        sa.select(events.c.chain_id, events.c.block_number, events.c.event, events.c.args)
        .where(
            events.c.contract == "ContributionPoints",
            events.c.event.in_(("RoleGranted", "RoleRevoked")),
        )
        .order_by(events.c.chain_id, events.c.block_number, events.c.log_index)
    )
    folded: dict[tuple[int, str, str], dict[str, Any]] = {}
    for chain_id, block, name, args in rows:
        key = (chain_id, args["role"], args["account"])
        folded[key] = {
            "chain_id": chain_id,
            "role": args["role"],
            "account": args["account"],
            "held": name == "RoleGranted",
            "updated_block": block,
        }
    if folded:
        op.bulk_insert(roles, list(folded.values()))


def downgrade() -> None:
    op.drop_table("points_roles")
