"""Full-text search over posts and personas (see planet.store.fulltext).

SQLite: FTS5 tables ``api_posts_fts`` (rowid = post id) and ``api_personas_fts``, filled from
the rows already stored. PostgreSQL: a stored generated ``search_words`` tsvector column on
``api_posts`` and ``api_personas`` (the text reduced to its letter-and-digit runs) with a GIN
index each. Stored, not an expression index: matching a row then reads its words instead of
parsing its text again (an expression index made the planner's walk of the newest posts parse
every body, 5 s for a word no post holds at 100k posts).

Also an index on posts by (chain, author, visibility, id): the following feed reads its page
of ids from it alone.

Revision ID: 0010_search
Revises: 0009_follows
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0010_search"
down_revision = "0009_follows"
branch_labels = None
depends_on = None

# detail=none: the index keeps which rows hold a word, not where (a search is words, never a
# phrase or NEAR). prefix: every word is matched as a prefix, and FTS5 answers a prefix of up
# to 4 characters from its own index newest first, stopping at the page's end; without it,
# "gm"* merged the whole doclist of every word starting gm first (57 ms at 100k posts, 0.1 ms
# with it). Longer prefixes merge the few words they start.
_OPTIONS = "detail = none, prefix = '1 2 3 4', tokenize = 'unicode61 remove_diacritics 0'"


def _words(column: str) -> str:
    # the text reduced to its letter-and-digit runs, as words of the 'simple' configuration
    return f"to_tsvector('simple'::regconfig, regexp_replace({column}, '[^[:alnum:]]+', ' ', 'g'))"


def upgrade() -> None:
    op.create_index(
        "ix_api_posts_author_visibility",
        "api_posts",
        ["chain_id", "author_token_id", "visibility", "id"],
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE api_posts_fts USING fts5(body, {_OPTIONS})")
        op.execute("INSERT INTO api_posts_fts (rowid, body) SELECT id, body FROM api_posts")
        op.execute(
            "CREATE VIRTUAL TABLE api_personas_fts USING fts5(bio, chain_id UNINDEXED, "
            f"token_id UNINDEXED, {_OPTIONS})"
        )
        op.execute(
            "INSERT INTO api_personas_fts (bio, chain_id, token_id) "
            "SELECT bio, chain_id, token_id FROM api_personas"
        )
        return
    for table, column in (("api_posts", "body"), ("api_personas", "bio")):
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_words tsvector "
            f"GENERATED ALWAYS AS ({_words(column)}) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin (search_words)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE api_personas_fts")
        op.execute("DROP TABLE api_posts_fts")
    else:
        for table in ("api_posts", "api_personas"):
            op.execute(f"DROP INDEX ix_{table}_search")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_words")
    op.drop_index("ix_api_posts_author_visibility", table_name="api_posts")
