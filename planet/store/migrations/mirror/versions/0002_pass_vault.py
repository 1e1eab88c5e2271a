"""CommunityPass and PrizeVault state: passes, holdings, proceeds and settings; vault epochs,
claims and fundings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planet.store.mirror import Uint256

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _chain() -> sa.Column:
    return sa.Column("chain_id", sa.BigInteger(), primary_key=True)


def _addr(name: str, nullable: bool = False, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(42), nullable=nullable, primary_key=primary_key)


def _hash(name: str, nullable: bool = False, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(66), nullable=nullable, primary_key=primary_key)


def _uint(name: str, nullable: bool = False, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, Uint256(), nullable=nullable, primary_key=primary_key)


def _block(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "passes",
        _chain(),
        sa.Column("pass_id", sa.BigInteger(), primary_key=True),
        _addr("creator"),
        _addr("currency"),
        _uint("price"),
        _uint("max_supply"),
        _uint("wallet_limit"),
        _uint("duration"),
        sa.Column("transferable", sa.Boolean(), nullable=False),
        sa.Column("royalty_bps", sa.Integer(), nullable=False),
        sa.Column("fee_bps", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        _uint("minted"),
        sa.Column("uri", sa.Text(), nullable=False),
        _block("created_block"),
        _hash("created_tx"),
        _block("updated_block"),
    )
    op.create_index("ix_passes_creator", "passes", ["chain_id", "creator"])

    op.create_table(
        "pass_holdings",
        _chain(),
        sa.Column("pass_id", sa.BigInteger(), primary_key=True),
        _addr("holder", primary_key=True),
        _uint("balance"),
        _uint("minted"),
        _uint("expiry"),
        _block("updated_block"),
    )
    op.create_index("ix_pass_holdings_holder", "pass_holdings", ["chain_id", "holder"])

    op.create_table(
        "pass_proceeds",
        _chain(),
        _addr("payee", primary_key=True),
        _addr("currency", primary_key=True),
        _uint("accrued"),
        _uint("withdrawn"),
        _block("updated_block"),
    )
    op.create_table(
        "pass_settings",
        _chain(),
        _addr("address", primary_key=True),
        _addr("treasury"),
        sa.Column("platform_fee_bps", sa.Integer(), nullable=False),
        _block("updated_block"),
    )

    op.create_table(
        "vault_epochs",
        _chain(),
        _uint("epoch", primary_key=True),
        _uint("funded"),
        _uint("paid"),
        _uint("swept_out"),
        _hash("root"),
        _uint("total"),
        sa.Column("uri", sa.Text(), nullable=True),
        _hash("file_hash", nullable=True),
        sa.Column("claimable_at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("veto_reason", sa.Text(), nullable=True),
        sa.Column("swept", sa.Boolean(), nullable=False),
        _addr("distributor", nullable=True),
        _uint("swept_to", nullable=True),
        _uint("swept_in"),
        _block("updated_block"),
    )
    op.create_table(
        "vault_claims",
        _chain(),
        _uint("epoch", primary_key=True),
        _addr("account", primary_key=True),
        _uint("amount"),
        _block("block_number"),
        sa.Column("log_index", sa.Integer(), nullable=False),
        _hash("tx_hash"),
    )
    op.create_index("ix_vault_claims_account", "vault_claims", ["chain_id", "account"])
    op.create_table(
        "vault_fundings",
        _chain(),
        sa.Column("block_number", sa.BigInteger(), primary_key=True),
        sa.Column("log_index", sa.Integer(), primary_key=True),
        _uint("epoch"),
        _addr("funder"),
        _uint("amount"),
        _uint("funded"),
        _hash("tx_hash"),
    )
    op.create_index("ix_vault_fundings_epoch", "vault_fundings", ["chain_id", "epoch"])


def downgrade() -> None:
    for table in (
        "vault_fundings",
        "vault_claims",
        "vault_epochs",
        "pass_settings",
        "pass_proceeds",
        "pass_holdings",
        "passes",
    ):
        op.drop_table(table)
