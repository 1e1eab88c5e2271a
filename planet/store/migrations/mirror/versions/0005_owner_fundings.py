"""Each identity owner's first funding transaction (``owner_fundings``), which the indexer
looks up once per new owner (:mod:`indexer.funding`) and the rewards read to discount
engagement between identities funded from one source in one week.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planet.store.mirror import Uint256

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "owner_fundings",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True),
        sa.Column("owner", sa.String(42), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("funder", sa.String(42), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("block_time", sa.BigInteger(), nullable=True),
        sa.Column("tx_hash", sa.String(66), nullable=True),
        sa.Column("amount", Uint256(), nullable=True),
        sa.Column("checked_block", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_owner_fundings_funder", "owner_fundings", ["chain_id", "funder"])


def downgrade() -> None:
    op.drop_index("ix_owner_fundings_funder", table_name="owner_fundings")
    op.drop_table("owner_fundings")
