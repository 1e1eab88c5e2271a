"""Full-text search over posts and personas, native on each engine, matching the same rows.

* SQLite: FTS5 tables (``api_posts_fts`` keyed by the post id as rowid; ``api_personas_fts``
  with the persona's chain and token id), tokenizer ``unicode61 remove_diacritics 0``.
* PostgreSQL: a stored generated ``search_words`` column, ``to_tsvector('simple', ...)`` of
  ``api_posts.body`` and ``api_personas.bio`` first reduced to their letter-and-digit runs,
  each with a GIN index.

Both engines therefore see a text as the same words: runs of letters and digits, lower-cased,
no stemming, no stop words, accents kept (PostgreSQL's own parser would keep ``1.5``, e-mail
addresses and URLs whole where FTS5 splits them; reducing the text first makes it split them
too). A query is reduced the same way (:func:`words`): anything else a user types, quotes,
``*``, ``-``, ``NEAR``, ``OR``, parentheses, is a separator or a plain word, never syntax, so no
query is a syntax error. Every word must match, as the start of a word of the text.

Known differences (documented, not hidden): a word over 2,047 bytes is left out of
PostgreSQL's index (FTS5 keeps it); non-ASCII case folding follows FTS5's Unicode 6.1 tables
on SQLite and the database's ``LC_CTYPE`` on PostgreSQL, so a rare letter may fold on one only.

Cost: FTS5 walks its matches newest first and stops at the page's end (prefixes of up to 4
characters have their own index). PostgreSQL cannot estimate a prefix query's matches, so its
planner walks the newest posts testing each row's stored words: a page of a common word costs
0.1 ms, a word no post holds reads every post's words (tens of ms at 100k posts).

Keeping the index in step: PostgreSQL's generated columns follow every write by themselves.
FTS5 tables are separate tables, so every path that writes a post's body or a persona's bio
calls :func:`index_post` or :func:`index_persona` in the same transaction (creating, editing
and deleting alike: each rereads the row and indexes what is there now, or nothing).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from planet.store.offchain import personas

#: The longest query text taken (characters); longer is refused by the routes.
MAX_QUERY = 200
#: At most this many words in a query.
MAX_WORDS = 8

_WORD = re.compile(r"[^\W_]+")

#: What the migration builds for search outside the metadata, as (kind, name): the migration
#: check leaves them out of its comparison (a test of their own checks them).
ENGINE_OWN = frozenset(
    {
        ("column", "search_words"),
        ("index", "ix_api_posts_search"),
        ("index", "ix_api_personas_search"),
    }
)

# SQLite's FTS5 tables (virtual; the migration creates them, so they are not in the metadata)
posts_fts = table("api_posts_fts", column("rowid", Integer), column("body"))
personas_fts = table(
    "api_personas_fts", column("bio"), column("chain_id", Integer), column("token_id", Integer)
)

# PostgreSQL: the text search configuration the columns are built with, and the columns
# (generated from the text by the migration, so not in the metadata)
_CONFIG: ColumnElement[Any] = literal_column("'simple'::regconfig")
_POST_WORDS: ColumnElement[Any] = literal_column("api_posts.search_words")
_PERSONA_WORDS: ColumnElement[Any] = literal_column("api_personas.search_words")


def words(query: str) -> list[str]:
    """The words of a user's query, lower-cased, each once, in order: what is matched."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        seen.setdefault(word, None)
    return list(seen)


def _fts5_query(terms: list[str]) -> str:
    # each word quoted (never syntax) and a prefix; adjacent phrases are ANDed
    return " ".join(f'"{t}"*' for t in terms)


def _pg_query(terms: list[str]) -> str:
    # the words hold only letters and digits, so quoting them is enough
    return " & ".join(f"'{t}':*" for t in terms)


def fts_driven(dialect: str) -> bool:
    """Whether a newest-first page of matching posts is read from the full-text index outward
    (SQLite: FTS5 walks its matches by descending rowid and stops at the page's end; join
    ``posts_fts`` on rowid = post id and filter with :func:`fts5_match`), rather than filtered
    from the posts table with :func:`post_matches` (PostgreSQL's planner picks its way)."""
    return dialect == "sqlite"


def match_params(terms: list[str]) -> dict[str, str]:
    """The values of the bound parameters :func:`fts5_match` and :func:`post_matches` read,
    for ``terms`` (each dialect reads its own; the other is ignored)."""
    return {"fts_posts": _fts5_query(terms), "tsquery_posts": _pg_query(terms)}


def fts5_match() -> ColumnElement[bool]:
    """SQLite: the FTS5 ``MATCH`` condition on ``api_posts_fts``: every word bound as
    ``fts_posts`` (:func:`match_params`), so the statement is built once for every query."""
    return literal_column("api_posts_fts").op("MATCH")(bindparam("fts_posts"))


def post_matches() -> ColumnElement[bool]:
    """PostgreSQL: a condition on ``api_posts`` rows: the body holds every word bound as
    ``tsquery_posts`` (:func:`match_params`)."""
    query = func.to_tsquery(_CONFIG, bindparam("tsquery_posts"))
    return _POST_WORDS.op("@@")(query)


def persona_matches(dialect: str, name: str) -> Select[Any]:
    """SQL for the token ids (on the bound ``chain_id``) whose persona bio holds a word
    starting with the word bound as ``name`` (its value: :func:`persona_word`), so a search's
    statement is built once per number of words."""
    if dialect == "sqlite":
        return select(personas_fts.c.token_id).where(
            literal_column("api_personas_fts").op("MATCH")(bindparam(name)),
            personas_fts.c.chain_id == bindparam("chain_id"),
        )
    query = func.to_tsquery(_CONFIG, bindparam(name))
    return select(personas.c.token_id).where(
        personas.c.chain_id == bindparam("chain_id"), _PERSONA_WORDS.op("@@")(query)
    )


def persona_word(dialect: str, term: str) -> str:
    """The value :func:`persona_matches` binds for ``term`` on ``dialect``."""
    return _fts5_query([term]) if dialect == "sqlite" else _pg_query([term])


def index_post(conn: Connection, post_id: int) -> None:
    """Brings the index of post ``post_id`` in step with its row: its body as stored now, or
    nothing if the row is gone. Call it after any write of a post's body, in its transaction."""
    if conn.dialect.name != "sqlite":
        return  # the expression index follows the row
    conn.execute(text("DELETE FROM api_posts_fts WHERE rowid = :id"), {"id": post_id})
    conn.execute(
        text(
            "INSERT INTO api_posts_fts (rowid, body) SELECT id, body FROM api_posts WHERE id = :id"
        ),
        {"id": post_id},
    )


def index_persona(conn: Connection, chain_id: int, token_id: int) -> None:
    """As :func:`index_post`, for the persona of ``token_id`` on ``chain_id``."""
    if conn.dialect.name != "sqlite":
        return
    key = {"chain_id": chain_id, "token_id": token_id}
    conn.execute(
        text("DELETE FROM api_personas_fts WHERE chain_id = :chain_id AND token_id = :token_id"),
        key,
    )
    conn.execute(
        text(
            "INSERT INTO api_personas_fts (bio, chain_id, token_id) SELECT bio, chain_id, "
            "token_id FROM api_personas WHERE chain_id = :chain_id AND token_id = :token_id"
        ),
        key,
    )


def rebuild(conn: Connection) -> None:
    """Rebuilds the whole index from the tables: after rows were written in bulk, bypassing
    :func:`index_post` (a backfill, a benchmark's seed). Nothing to do on PostgreSQL."""
    if conn.dialect.name != "sqlite":
        return
    conn.execute(text("DELETE FROM api_posts_fts"))
    conn.execute(text("INSERT INTO api_posts_fts (rowid, body) SELECT id, body FROM api_posts"))
    conn.execute(text("DELETE FROM api_personas_fts"))
    conn.execute(
        text(
            "INSERT INTO api_personas_fts (bio, chain_id, token_id) "
            "SELECT bio, chain_id, token_id FROM api_personas"
        )
    )
