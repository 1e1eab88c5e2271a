"""The mirrored chain tables, in SQLAlchemy Core; the indexer is their only writer.

Three layers, every row keyed by ``chain_id`` first so one database can mirror several chains:

* ``events``: every decoded Planet log, keyed by (chain_id, block_number, log_index), the
  position a log has on chain. That key is what makes writing idempotent: a log cannot be
  stored twice, and a crash between two commits loses nothing because the cursor moves in the
  same transaction.
* derived state, what the API reads: ``identities``, ``attestations``, ``point_balances``,
  ``epoch_point_balances``, ``epoch_point_totals``, ``points_roles`` (Identity,
  ContributionPoints); ``passes``,
  ``pass_holdings``, ``pass_proceeds``, ``pass_settings`` (CommunityPass); ``vault_epochs``,
  ``vault_claims``, ``vault_fundings``, ``vault_pauses``, ``vault_role_changes`` (PrizeVault).
  Handlers (:mod:`indexer.handlers`) keep
  them; :mod:`indexer.store` journals their old values for blocks that may still be reorged.
* ``owner_fundings``: each identity owner's first funding transaction (the first that sent
  it native value), looked up by :mod:`indexer.funding` rather than decoded from logs (a plain
  transfer emits none); the rewards read it to find identities funded from one source.
* bookkeeping: ``cursors`` (last indexed block and hash), ``recent_blocks`` (hashes of blocks
  that may still be reorged, plus one final anchor), ``state_journal`` (undo records for those
  blocks) and ``sources`` (which contracts the data was indexed from).

Addresses, hashes and byte strings are lowercase 0x-hex. Token amounts are :class:`Uint256`.
Migrations in ``planet/store/migrations/mirror`` create exactly these tables; a test compares
the two.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

_INT64_MAX = 2**63 - 1


class _SqliteBlob(UserDefinedType[Any]):
    """A column with SQLite's BLOB affinity: values are stored exactly as bound (no numeric
    conversion that would turn a large integer into a lossy REAL)."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "BLOB"


class Uint256(TypeDecorator[int]):
    """An exact unsigned 256-bit integer (token amounts, balances, bitmaps).

    PostgreSQL stores NUMERIC(78, 0). SQLite has no such type: values that fit in a signed
    64-bit integer are stored as INTEGER, larger ones as 78-digit zero-padded text. SQLite sorts
    every INTEGER before every TEXT, and fixed-width digits sort numerically, so ORDER BY stays
    right; only SQL arithmetic beyond 2^63 is unavailable there (PostgreSQL has it).
    """

    impl = Numeric(78, 0)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_SqliteBlob())
        return dialect.type_descriptor(Numeric(78, 0))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite" or value <= _INT64_MAX:
            return value
        return f"{value:078d}"

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, Decimal | str | bytes):
            return int(value)
        return value


def json_type() -> TypeEngine[Any]:
    """JSON text on SQLite, JSONB (queryable, exact numbers) on PostgreSQL."""
    return JSON().with_variant(postgresql.JSONB(), "postgresql")


def _id_type() -> TypeEngine[int]:
    """An auto-incrementing id: SQLite only autoincrements INTEGER PRIMARY KEY."""
    return BigInteger().with_variant(Integer(), "sqlite")


metadata = MetaData()


def _chain_id() -> Column[int]:
    return Column("chain_id", BigInteger, primary_key=True)


def _address(name: str, nullable: bool = False, primary_key: bool = False) -> Column[str]:
    return Column(name, String(42), nullable=nullable, primary_key=primary_key)


def _hash(name: str, nullable: bool = False, primary_key: bool = False) -> Column[str]:
    return Column(name, String(66), nullable=nullable, primary_key=primary_key)


# ---------------------------------------------------------------- events

events = Table(
    "events",
    metadata,
    _chain_id(),
    Column("block_number", BigInteger, primary_key=True),
    Column("log_index", Integer, primary_key=True),
    _hash("block_hash"),
    _hash("tx_hash"),
    Column("tx_index", Integer, nullable=False),
    _address("address"),
    Column("contract", String(64), nullable=False),
    Column("event", String(64), nullable=False),
    Column("args", json_type(), nullable=False),
    # no other index: nothing reads events by type or transaction (migration 0003 dropped
    # both), and every index costs each mirrored event a B-tree insert
)

# ---------------------------------------------------------------- Identity

identities = Table(
    "identities",
    metadata,
    _chain_id(),
    Column("token_id", BigInteger, primary_key=True),
    _address("owner"),
    Column("handle", String(32), nullable=False),
    Column("metadata_uri", Text, nullable=False),
    _hash("metadata_hash"),
    _address("recovery"),
    # a recovery change the owner scheduled (``pendingRecovery``): NULLs when none
    _address("pending_recovery", nullable=True),
    Column("pending_recovery_at", BigInteger, nullable=True),
    Column("verified", Boolean, nullable=False),
    Column("labels", Uint256, nullable=False),
    _address("relayer"),
    Column("registered_block", BigInteger, nullable=False),
    _hash("registered_tx"),
    Column("updated_block", BigInteger, nullable=False),
    # Handles are unique on chain and never change, so this index is the per-handle table.
    Index("ux_identities_handle", "chain_id", "handle", unique=True),
    # Not unique: within one batch a recovered identity and a new one may swap owners.
    Index("ix_identities_owner", "chain_id", "owner"),
)

# ---------------------------------------------------------------- ContributionPoints

attestations = Table(
    "attestations",
    metadata,
    _chain_id(),
    _hash("uid", primary_key=True),
    _address("account"),
    Column("epoch", BigInteger, nullable=False),
    Column("kind", Integer, nullable=False),
    Column("amount", Uint256, nullable=False),
    _address("attester"),
    _address("submitter"),
    Column("block_number", BigInteger, nullable=False),
    Column("log_index", Integer, nullable=False),
    _hash("tx_hash"),
    Column("revoked", Boolean, nullable=False),
    Column("revoked_reason", Text, nullable=True),
    _address("revoker", nullable=True),
    Column("revoked_block", BigInteger, nullable=True),
    _hash("revoked_tx", nullable=True),
    Index("ix_attestations_account", "chain_id", "account", "epoch"),
    Index("ix_attestations_epoch", "chain_id", "epoch"),
)

# Who holds each ContributionPoints role (OpenZeppelin AccessControl's RoleGranted and
# RoleRevoked, folded): one row per (role, account) ever granted; ``held`` is what
# ``hasRole(role, account)`` answers. The API reads it to know the risk role's wallets.
points_roles = Table(
    "points_roles",
    metadata,
    _chain_id(),
    _hash("role", primary_key=True),
    _address("account", primary_key=True),
    Column("held", Boolean, nullable=False),
    Column("updated_block", BigInteger, nullable=False),
)

point_balances = Table(
    "point_balances",
    metadata,
    _chain_id(),
    _address("account", primary_key=True),
    Column("balance", Uint256, nullable=False),
)

epoch_point_balances = Table(
    "epoch_point_balances",
    metadata,
    _chain_id(),
    Column("epoch", BigInteger, primary_key=True),
    _address("account", primary_key=True),
    Column("balance", Uint256, nullable=False),
    Index("ix_epoch_point_balances_account", "chain_id", "account"),
)

epoch_point_totals = Table(
    "epoch_point_totals",
    metadata,
    _chain_id(),
    Column("epoch", BigInteger, primary_key=True),
    Column("total", Uint256, nullable=False),
)

# ---------------------------------------------------------------- CommunityPass
# uint64 fields of a pass (supply cap, wallet limit, duration, counts, expiry) may exceed a
# signed 64-bit integer (a cap of 2^64 - 1 means "unlimited"), so they are Uint256 too.

passes = Table(
    "passes",
    metadata,
    _chain_id(),
    Column("pass_id", BigInteger, primary_key=True),
    _address("creator"),
    _address("currency"),  # the zero address for native OKB
    Column("price", Uint256, nullable=False),
    Column("max_supply", Uint256, nullable=False),
    Column("wallet_limit", Uint256, nullable=False),
    Column("duration", Uint256, nullable=False),  # 0: lifetime; else subscription seconds
    Column("transferable", Boolean, nullable=False),
    Column("royalty_bps", Integer, nullable=False),
    Column("fee_bps", Integer, nullable=False),
    Column("paused", Boolean, nullable=False),
    Column("minted", Uint256, nullable=False),
    Column("uri", Text, nullable=False),
    # protocol v2 (PassRequirementsSet, PassRefundWindowSet, PassPriceChanged.holdersFrom)
    Column("min_points", Uint256, nullable=False, server_default="0"),
    Column("points_weeks", Integer, nullable=False, server_default="0"),  # 0: lifetime points
    Column("verified_identity", Boolean, nullable=False, server_default=false()),
    Column("refund_window", Uint256, nullable=False, server_default="0"),
    # until when subscribers renew at no more than their snapshot (0: no price change)
    Column("holders_price_from", Uint256, nullable=False, server_default="0"),
    Column("created_block", BigInteger, nullable=False),
    _hash("created_tx"),
    Column("updated_block", BigInteger, nullable=False),
    Index("ix_passes_creator", "chain_id", "creator"),
)

pass_holdings = Table(
    "pass_holdings",
    metadata,
    _chain_id(),
    Column("pass_id", BigInteger, primary_key=True),
    _address("holder", primary_key=True),
    Column("balance", Uint256, nullable=False),  # ERC-1155 balanceOf
    Column("minted", Uint256, nullable=False),  # mintedTo: what the wallet limit counts
    Column("expiry", Uint256, nullable=False),  # expiryOf: 0 for lifetime passes
    # protocol v2: the unit price of the latest purchase (termsOf), and the latest refundable
    # subscription payment (lastPayment: all 0 when none)
    Column("price", Uint256, nullable=False, server_default="0"),
    Column("payment_from", Uint256, nullable=False, server_default="0"),
    Column("refund_until", Uint256, nullable=False, server_default="0"),
    Column("refund_paid", Uint256, nullable=False, server_default="0"),
    Column("updated_block", BigInteger, nullable=False),
    Index("ix_pass_holdings_holder", "chain_id", "holder"),
    # the notification scan's window of expiries around now (mirror 0008)
    Index("ix_pass_holdings_expiry", "chain_id", "expiry"),
)

pass_proceeds = Table(
    "pass_proceeds",
    metadata,
    _chain_id(),
    _address("payee", primary_key=True),
    _address("currency", primary_key=True),
    Column("accrued", Uint256, nullable=False),  # proceeds(payee, currency): not yet withdrawn
    Column("withdrawn", Uint256, nullable=False),
    Column("updated_block", BigInteger, nullable=False),
)

pass_settings = Table(
    "pass_settings",
    metadata,
    _chain_id(),
    _address("address", primary_key=True),  # the CommunityPass contract
    _address("treasury"),
    Column("platform_fee_bps", Integer, nullable=False),
    Column("updated_block", BigInteger, nullable=False),
)

# ---------------------------------------------------------------- PrizeVault
# Anyone may fund any epoch number, so vault epochs are Uint256 rather than BigInteger.

vault_epochs = Table(
    "vault_epochs",
    metadata,
    _chain_id(),
    Column("epoch", Uint256, primary_key=True),
    Column("funded", Uint256, nullable=False),  # fundings plus sweeps received
    Column("paid", Uint256, nullable=False),
    Column("swept_out", Uint256, nullable=False),
    _hash("root"),  # zero until a root is proposed; kept (as on chain) when vetoed
    Column("total", Uint256, nullable=False),
    Column("uri", Text, nullable=True),
    _hash("file_hash", nullable=True),
    Column("claimable_at", BigInteger, nullable=False),
    Column("status", String(8), nullable=False),  # 'none' | 'proposed' | 'vetoed'
    Column("veto_reason", Text, nullable=True),
    Column("swept", Boolean, nullable=False),
    _address("distributor", nullable=True),
    Column("swept_to", Uint256, nullable=True),
    Column("swept_in", Uint256, nullable=False),
    Column("updated_block", BigInteger, nullable=False),
)

vault_claims = Table(
    "vault_claims",
    metadata,
    _chain_id(),
    Column("epoch", Uint256, primary_key=True),
    _address("account", primary_key=True),
    Column("amount", Uint256, nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Column("log_index", Integer, nullable=False),
    _hash("tx_hash"),
    Index("ix_vault_claims_account", "chain_id", "account"),
)

vault_fundings = Table(
    "vault_fundings",
    metadata,
    _chain_id(),
    Column("block_number", BigInteger, primary_key=True),
    Column("log_index", Integer, primary_key=True),
    Column("epoch", Uint256, nullable=False),
    _address("funder"),
    Column("amount", Uint256, nullable=False),
    Column("funded", Uint256, nullable=False),  # the epoch's pool after this funding
    _hash("tx_hash"),
    Index("ix_vault_fundings_epoch", "chain_id", "epoch"),
)

vault_pauses = Table(
    "vault_pauses",
    metadata,
    _chain_id(),
    Column("paused_at", BigInteger, primary_key=True),  # block timestamps, from PauseEnded
    Column("unpaused_at", BigInteger, nullable=False),
    Column("block_number", BigInteger, nullable=False),
    _hash("tx_hash"),
)

vault_role_changes = Table(
    "vault_role_changes",
    metadata,
    _chain_id(),
    _hash("role", primary_key=True),
    _address("account", primary_key=True),
    Column("is_grant", Boolean, primary_key=True),  # false: a revocation
    Column("executable_at", BigInteger, nullable=False),  # as scheduled
    Column("status", String(9), nullable=False),  # 'scheduled' | 'cancelled' | 'executed'
    _address("admin"),  # who scheduled it
    Column("updated_block", BigInteger, nullable=False),
)

# ---------------------------------------------------------------- funding

owner_fundings = Table(
    "owner_fundings",
    metadata,
    _chain_id(),
    _address("owner", primary_key=True),
    # 'found': funder, block, time, tx and amount known; 'internal': the first funded block is
    # known but no transaction of it sent value to the owner directly (a contract did: no
    # sender); 'before_window': funded before the lookup's window (block = the window's start);
    # 'unfunded': no value up to checked_block (a relayer paid its gas)
    Column("status", String(16), nullable=False),
    _address("funder", nullable=True),
    Column("block_number", BigInteger, nullable=True),
    Column("block_time", BigInteger, nullable=True),
    _hash("tx_hash", nullable=True),
    Column("amount", Uint256, nullable=True),
    Column("checked_block", BigInteger, nullable=False),  # the lookup searched up to here
    Index("ix_owner_fundings_funder", "chain_id", "funder"),
    # the funding recheck: owners unfunded or unavailable, longest unchecked first (mirror 0008)
    Index("ix_owner_fundings_due", "chain_id", "status", "checked_block"),
)

# ---------------------------------------------------------------- bookkeeping

cursors = Table(
    "cursors",
    metadata,
    _chain_id(),
    Column("block_number", BigInteger, nullable=False),
    _hash("block_hash"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

recent_blocks = Table(
    "recent_blocks",
    metadata,
    _chain_id(),
    Column("block_number", BigInteger, primary_key=True),
    _hash("block_hash"),
    _hash("parent_hash"),
)

state_journal = Table(
    "state_journal",
    metadata,
    Column("id", _id_type(), primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("key", json_type(), nullable=False),
    Column("old_row", json_type(), nullable=True),
    Index("ix_state_journal_block", "chain_id", "block_number"),
)

sources = Table(
    "sources",
    metadata,
    _chain_id(),
    Column("contract", String(64), primary_key=True),
    _address("address"),
    Column("start_block", BigInteger, nullable=False),
    _hash("block_hash"),
)

#: Tables handlers may write through :class:`indexer.store.StateStore`, by name.
DERIVED_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        identities,
        attestations,
        points_roles,
        point_balances,
        epoch_point_balances,
        epoch_point_totals,
        passes,
        pass_holdings,
        pass_proceeds,
        pass_settings,
        vault_epochs,
        vault_claims,
        vault_fundings,
        vault_pauses,
        vault_role_changes,
    )
}
