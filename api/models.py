"""The API's own off-chain tables (SQLAlchemy Core), beside the indexer's mirrored ones.

The API never writes the mirrored tables (:mod:`indexer.schema`); it only reads them. Everything
here is keyed by ``chain_id`` and, for content, by the author's identity *token id*, not the
wallet address: a recovered identity moves to a new wallet and keeps its posts and persona.
Times are integer Unix seconds (UTC), the unit epochs and deadlines use on chain.
Migrations in ``api/migrations`` create exactly these tables; a test compares the two.
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
    Index("ix_api_posts_author", "chain_id", "author_token_id", "id"),
    Index("ix_api_posts_feed", "chain_id", "visibility", "id"),
)

post_likes = Table(
    "api_post_likes",
    metadata,
    Column("post_id", id_type(), ForeignKey("api_posts.id"), primary_key=True),
    Column("token_id", BigInteger, primary_key=True),
    Column("created_at", BigInteger, nullable=False),
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
    Index("ix_api_comments_post", "post_id", "id"),
)

reports = Table(
    "api_reports",
    metadata,
    Column("post_id", id_type(), ForeignKey("api_posts.id"), primary_key=True),
    Column("token_id", BigInteger, primary_key=True),
    Column("reason", String(32), nullable=False),
    Column("note", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
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
