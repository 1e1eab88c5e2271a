"""The API's own off-chain tables (SQLAlchemy Core), beside the indexer's mirrored ones.

The API never writes the mirrored tables (:mod:`planet.store.mirror`); it only reads them.
Everything here is keyed by ``chain_id`` and, for content, by the author's identity *token id*,
not the wallet address: a recovered identity moves to a new wallet and keeps its posts and
persona.
Times are integer Unix seconds (UTC), the unit epochs and deadlines use on chain.
Migrations in ``planet/store/migrations/offchain`` create exactly these tables; a test
compares the two. The full-text search structures differ by engine and are the migration's
alone (:mod:`planet.store.fulltext`): FTS5 tables on SQLite, a generated ``search_words``
column with its GIN index on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from planet.store.mirror import Uint256


def id_type() -> TypeEngine[int]:
    """An auto-incrementing id: SQLite only autoincrements INTEGER PRIMARY KEY."""
    return BigInteger().with_variant(Integer(), "sqlite")


metadata = MetaData()

# Sign-in nonces: issued by POST /auth/nonce, consumed once by POST /auth/verify.
siwe_nonces = Table(
    "api_siwe_nonces",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("issued_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
    Column("used_by", String(42), nullable=True),
    Index("ix_api_siwe_nonces_expires", "expires_at"),
)

# Sessions: one row per token POST /auth/verify issued (its ``sid``). A token is accepted only
# while its row exists, has not expired and is not revoked (sign-out), so a sign-out holds at
# once on every API process; expired rows are pruned as new sessions are made.
sessions = Table(
    "api_sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("address", String(42), nullable=False),
    Column("domain", String(255), nullable=False),
    Column("issued_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
    Index("ix_api_sessions_wallet", "chain_id", "address"),
    Index("ix_api_sessions_expires", "expires_at"),
)

# The persona document an identity's owner edits; its canonical keccak is what the on-chain
# metadataHash should hold (see api.services.profiles.canonical_persona).
personas = Table(
    "api_personas",
    metadata,
    Column("chain_id", BigInteger, primary_key=True),
    Column("token_id", BigInteger, primary_key=True),
    Column("bio", Text, nullable=False),
    Column("avatar_url", Text, nullable=True),
    Column("links", JSON, nullable=False),
    Column("pinned_post_ids", JSON, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

posts = Table(
    "api_posts",
    metadata,
    Column("id", id_type(), primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("author_token_id", BigInteger, nullable=False),
    Column("author_address", String(42), nullable=False),
    Column("body", Text, nullable=False),
    Column("instruments", JSON, nullable=False),
    # Disclosure labels: NULL when the post names no instrument (then they are not asked).
    Column("holds_position", Boolean, nullable=True),
    Column("sponsored", Boolean, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("view_count", BigInteger, nullable=False, default=0),
    Column("like_count", BigInteger, nullable=False, default=0),
    Column("comment_count", BigInteger, nullable=False, default=0),
    # "public", or "private": readable only by holders of one of the author's community passes
    # (api.services.access); private posts never appear in the public feed.
    Column("visibility", String(8), nullable=False, default="public", server_default="public"),
    # Set by the author's last edit (its earlier versions are in api_edits) and by deletion:
    # a deleted post keeps its row (ids, orders and fills name it) but not its text.
    Column("edited_at", BigInteger, nullable=True),
    Column("deleted_at", BigInteger, nullable=True),
    Index("ix_api_posts_author", "chain_id", "author_token_id", "id"),
    # the following feed's page of ids, read from the index alone (api.services.posts)
    Index("ix_api_posts_author_visibility", "chain_id", "author_token_id", "visibility", "id"),
    Index("ix_api_posts_feed", "chain_id", "visibility", "id"),
)

# Who follows whom, by identity token id (a recovered identity keeps its followers).
follows = Table(
    "api_follows",
    metadata,
    Column("chain_id", BigInteger, primary_key=True),
    Column("follower_token_id", BigInteger, primary_key=True),
    Column("followee_token_id", BigInteger, primary_key=True),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_api_follows_followee", "chain_id", "followee_token_id", "follower_token_id"),
)

post_likes = Table(
    "api_post_likes",
    metadata,
    Column("post_id", id_type(), ForeignKey("api_posts.id"), primary_key=True),
    Column("token_id", BigInteger, primary_key=True),
    Column("created_at", BigInteger, nullable=False),
)

# Who viewed a post, once per identity (first view): what rewards count as distinct identified
# viewers. Anonymous views, and wallets without an identity, only move api_posts.view_count.
post_views = Table(
    "api_post_views",
    metadata,
    Column("post_id", id_type(), ForeignKey("api_posts.id"), primary_key=True),
    Column("token_id", BigInteger, primary_key=True),
    Column("first_viewed_at", BigInteger, nullable=False),
)

# Every view of a post (anonymous ones and the author's own included, as ``view_count``
# counts them), per hour: the creator analytics' weekly view totals. An hour is the unit so a
# busy post adds one row an hour, not one per view; a week's total is its hours' sum.
post_view_hours = Table(
    "api_post_view_hours",
    metadata,
    Column("post_id", id_type(), ForeignKey("api_posts.id"), primary_key=True),
    Column("hour", BigInteger, primary_key=True),  # unix time // 3600
    Column("views", BigInteger, nullable=False),
)

comments = Table(
    "api_comments",
    metadata,
    Column("id", id_type(), primary_key=True, autoincrement=True),
    Column("post_id", id_type(), ForeignKey("api_posts.id"), nullable=False),
    Column("chain_id", BigInteger, nullable=False),
    Column("author_token_id", BigInteger, nullable=False),
    Column("author_address", String(42), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("edited_at", BigInteger, nullable=True),
    Column("deleted_at", BigInteger, nullable=True),
    Index("ix_api_comments_post", "post_id", "id"),
)

# Earlier versions of edited posts and comments (``kind`` "post" or "comment"), one row per
# edit holding what the edit replaced; deleting the content deletes them too.
edits = Table(
    "api_edits",
    metadata,
    Column("id", id_type(), primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("target_id", BigInteger, nullable=False),
    Column("body", Text, nullable=False),
    # a post's disclosure labels as they were (null for comments and posts without instruments)
    Column("holds_position", Boolean, nullable=True),
    Column("sponsored", Boolean, nullable=True),
    Column("written_at", BigInteger, nullable=False),  # when the replaced version was written
    Column("replaced_at", BigInteger, nullable=False),
    Index("ix_api_edits_target", "chain_id", "kind", "target_id", "id"),
)

# Reports by users of posts, comments, chat messages and identities (``kind`` "post",
# "comment", "message", "identity"; ``target_id`` the row's id, or the identity's token id).
# One per reporter and target; the first reason stands. A moderation decision on the target
# resolves every open report of it (``decision_id``); the queue lists targets with open ones.
reports = Table(
    "api_content_reports",
    metadata,
    Column("id", id_type(), primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("target_id", BigInteger, nullable=False),
    Column("reporter_token_id", BigInteger, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("note", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("decision_id", BigInteger, nullable=True),
    UniqueConstraint(
        "chain_id", "kind", "target_id", "reporter_token_id", name="ux_api_content_reports_one"
    ),
    Index("ix_api_content_reports_open", "chain_id", "decision_id", "kind", "target_id"),
)

# Content the risk role hid, while hidden: its label is shown to everyone in place of the text.
hidden = Table(
    "api_hidden",
    metadata,
    Column("chain_id", BigInteger, primary_key=True),
    Column("kind", String(8), primary_key=True),
    Column("target_id", BigInteger, primary_key=True),
    Column("label", String(32), nullable=False),
    Column("decision_id", BigInteger, nullable=False),
    Column("hidden_at", BigInteger, nullable=False),
)

# Every moderation decision, never updated nor deleted: who (the risk-role wallet), why, on
# what, and whose content it was (so the author can read decisions about their content).
# ``action``: hide | restore | dismiss | revoke; ``uids`` the attestations a revoke names.
moderation_decisions = Table(
    "api_moderation_decisions",
    metadata,
    Column("id", id_type(), primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("target_id", BigInteger, nullable=False),
    Column("author_token_id", BigInteger, nullable=True),
    Column("action", String(8), nullable=False),
    Column("label", String(32), nullable=True),
    Column("reason", Text, nullable=False),
    Column("decided_by", String(42), nullable=False),
    Column("uids", JSON, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_api_moderation_decisions_author", "chain_id", "author_token_id", "id"),
    Index("ix_api_moderation_decisions_target", "chain_id", "kind", "target_id", "id"),
)

# Contribution attestations the API signed. The uid is derived from the activity, and the
# activity is unique too, so one activity can never hold two uids nor be signed twice.
contribution_attestations = Table(
    "api_attestations",
    metadata,
    Column("chain_id", BigInteger, primary_key=True),
    Column("uid", String(66), primary_key=True),
    Column("activity", String(16), nullable=False),
    Column("activity_id", BigInteger, nullable=False),
    Column("token_id", BigInteger, nullable=False),
    Column("account", String(42), nullable=False),
    Column("kind", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("epoch", BigInteger, nullable=False),
    Column("deadline", BigInteger, nullable=False),
    Column("points_contract", String(42), nullable=False),
    Column("attester", String(42), nullable=False),
    Column("signature", String(132), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("chain_id", "activity", "activity_id", name="ux_api_attestations_activity"),
    Index("ix_api_attestations_token", "chain_id", "token_id"),
)

# Orders placed from posts (api.services.trading). Every order names the post it came from and
# that post's author, so fills can be credited to the creator whose content led to the trade.
# Sizes and prices are decimal strings, exactly as the trader and the exchange wrote them.
orders = Table(
    "api_orders",
    metadata,
    Column("id", id_type(), primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("post_id", id_type(), ForeignKey("api_posts.id"), nullable=False),
    Column("creator_token_id", BigInteger, nullable=False),
    Column("trader_token_id", BigInteger, nullable=False),
    Column("trader_address", String(42), nullable=False),
    Column("instrument", String(32), nullable=False),
    Column("side", String(4), nullable=False),
    Column("order_type", String(6), nullable=False),
    Column("size", String(40), nullable=False),
    Column("limit_price", String(40), nullable=True),
    Column("exchange", String(8), nullable=False),
    Column("client_order_id", String(32), nullable=False, unique=True),
    Column("exchange_order_id", String(64), nullable=True),
    # submitted | filled | partially_filled | rejected | canceled
    Column("status", String(16), nullable=False),
    Column("reject_reason", Text, nullable=True),
    # The exchange's last price for the instrument when the order was placed (null if it had none).
    Column("quote_price", String(40), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_api_orders_trader", "chain_id", "trader_token_id", "id"),
    Index("ix_api_orders_post", "post_id"),
)

# Fills of those orders. (exchange, exchange_fill_id) is unique, so polling an exchange twice
# never records a fill twice. ``attributed`` is false for the creator's own orders on their own
# posts: those fills never count for the creator (trading stats, rewards, attestations).
fills = Table(
    "api_fills",
    metadata,
    Column("id", id_type(), primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("order_id", id_type(), ForeignKey("api_orders.id"), nullable=False),
    Column("exchange", String(8), nullable=False),
    Column("exchange_fill_id", String(96), nullable=False),
    Column("price", String(40), nullable=False),
    Column("size", String(40), nullable=False),
    # price * size in millionths of the quote currency, floored: exact integer volume at any
    # size (a fill of an exchange's can pass 2^63); sums are taken exactly, in Python.
    Column("notional_micro", Uint256, nullable=False),
    Column("fee", String(40), nullable=False),
    Column("fee_currency", String(16), nullable=True),
    Column("post_id", id_type(), ForeignKey("api_posts.id"), nullable=False),
    Column("creator_token_id", BigInteger, nullable=False),
    Column("trader_token_id", BigInteger, nullable=False),
    Column("attributed", Boolean, nullable=False),
    Column("filled_at", BigInteger, nullable=False),
    UniqueConstraint("exchange", "exchange_fill_id", name="ux_api_fills_exchange_fill"),
    Index("ix_api_fills_order", "order_id"),
    Index("ix_api_fills_post", "post_id", "attributed"),
    Index("ix_api_fills_creator", "chain_id", "creator_token_id", "filled_at"),
)

# Live sessions: scheduled by a host, started, ended. The status is derived from the times
# (api.services.live). "private" sessions are gated like private posts (api.services.access).
live_sessions = Table(
    "api_live_sessions",
    metadata,
    Column("id", id_type(), primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("host_token_id", BigInteger, nullable=False),
    Column("host_address", String(42), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("visibility", String(8), nullable=False, default="public", server_default="public"),
    Column("scheduled_at", BigInteger, nullable=False),
    Column("started_at", BigInteger, nullable=True),
    Column("ended_at", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_api_live_sessions_schedule", "chain_id", "scheduled_at"),
    # the listing reads public sessions newest first, and private ones host by host
    Index("ix_api_live_sessions_visibility", "chain_id", "visibility", "id"),
    Index("ix_api_live_sessions_host", "chain_id", "host_token_id", "id"),
)

# Chat socket tickets: issued to a signed-in wallet for one session, redeemed once by the
# socket's handshake within seconds, so the long-lived session token never goes in a URL.
# Only the ticket's SHA-256 is kept: a copy of the table opens no socket.
chat_tickets = Table(
    "api_chat_tickets",
    metadata,
    Column("ticket_hash", String(64), primary_key=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("session_id", BigInteger, nullable=False),
    Column("address", String(42), nullable=False),
    Column("token_expires_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    # the api_sessions row of the token that asked: its sign-out closes the socket too
    Column("auth_session", String(32), nullable=True),
    Index("ix_api_chat_tickets_expires", "expires_at"),
)

# One row per distinct identified attendee (first join while live); never the host.
live_attendance = Table(
    "api_live_attendance",
    metadata,
    Column("session_id", id_type(), ForeignKey("api_live_sessions.id"), primary_key=True),
    Column("token_id", BigInteger, primary_key=True),
    Column("joined_at", BigInteger, nullable=False),
)

live_messages = Table(
    "api_live_messages",
    metadata,
    Column("id", id_type(), primary_key=True, autoincrement=True),
    Column("session_id", id_type(), ForeignKey("api_live_sessions.id"), nullable=False),
    Column("token_id", BigInteger, nullable=False),
    Column("author_address", String(42), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_api_live_messages_session", "session_id", "id"),
)

# What each identity is told about (api.services.notifications): one row per event and
# recipient. ``dedupe_key`` names the event (``post:7``, ``pass_expiring:3:1900000000``), unique
# per recipient, so a scan run twice, or by two API processes at once, never notifies twice.
# ``data`` holds what the text needs beyond the referenced rows (pass id and expiry, epoch and
# amount, attestation uid and reason); never a private post's or comment's text.
notifications = Table(
    "api_notifications",
    metadata,
    Column("id", id_type(), primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("recipient_token_id", BigInteger, nullable=False),
    Column("kind", String(24), nullable=False),
    Column("dedupe_key", String(160), nullable=False),
    Column("actor_token_id", BigInteger, nullable=True),
    Column("post_id", BigInteger, nullable=True),
    Column("comment_id", BigInteger, nullable=True),
    Column("session_id", BigInteger, nullable=True),
    Column("data", JSON, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("read_at", BigInteger, nullable=True),
    UniqueConstraint(
        "chain_id", "recipient_token_id", "dedupe_key", name="ux_api_notifications_event"
    ),
    Index("ix_api_notifications_recipient", "chain_id", "recipient_token_id", "id"),
    Index("ix_api_notifications_unread", "chain_id", "recipient_token_id", "read_at", "id"),
)

# Scans that run once for good (a claimable epoch's rewards, announced to every account it
# pays): the name is recorded when the scan completed, so no process repeats it.
notification_scans = Table(
    "api_notification_scans",
    metadata,
    Column("chain_id", BigInteger, primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("done_at", BigInteger, nullable=False),
)
