"""Trading from posts: orders placed through an exchange adapter, and their fills, each
attributed to the post it came from and that post's creator.

Revision ID: 0003_trading
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planet.store.offchain import id_type

revision = "0003_trading"
down_revision = "0002"
branch_labels = None
depends_on = None


def _big(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def _text(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "api_orders",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        _big("chain_id"),
        sa.Column("post_id", id_type(), sa.ForeignKey("api_posts.id"), nullable=False),
        _big("creator_token_id"),
        _big("trader_token_id"),
        _text("trader_address", 42),
        _text("instrument", 32),
        _text("side", 4),
        _text("order_type", 6),
        _text("size", 40),
        _text("limit_price", 40, nullable=True),
        _text("exchange", 8),
        sa.Column("client_order_id", sa.String(32), nullable=False, unique=True),
        _text("exchange_order_id", 64, nullable=True),
        _text("status", 16),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        _text("quote_price", 40, nullable=True),
        _big("created_at"),
    )
    op.create_index("ix_api_orders_trader", "api_orders", ["chain_id", "trader_token_id", "id"])
    op.create_index("ix_api_orders_post", "api_orders", ["post_id"])

    op.create_table(
        "api_fills",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        _big("chain_id"),
        sa.Column("order_id", id_type(), sa.ForeignKey("api_orders.id"), nullable=False),
        _text("exchange", 8),
        _text("exchange_fill_id", 96),
        _text("price", 40),
        _text("size", 40),
        _big("notional_micro"),
        _text("fee", 40),
        _text("fee_currency", 16, nullable=True),
        sa.Column("post_id", id_type(), sa.ForeignKey("api_posts.id"), nullable=False),
        _big("creator_token_id"),
        _big("trader_token_id"),
        sa.Column("attributed", sa.Boolean(), nullable=False),
        _big("filled_at"),
        sa.UniqueConstraint("exchange", "exchange_fill_id", name="ux_api_fills_exchange_fill"),
    )
    op.create_index("ix_api_fills_order", "api_fills", ["order_id"])
    op.create_index("ix_api_fills_post", "api_fills", ["post_id", "attributed"])
    op.create_index(
        "ix_api_fills_creator", "api_fills", ["chain_id", "creator_token_id", "filled_at"]
    )


def downgrade() -> None:
    op.drop_table("api_fills")
    op.drop_table("api_orders")
