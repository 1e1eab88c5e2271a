"""Search: posts by their text, profiles by handle or persona bio.

A query is plain words (:func:`planet.store.fulltext.words`): every word must match, each as
the start of a word of a post's body or a bio, or anywhere in a handle. Whatever else the
query holds is a separator, so no query is a syntax error; one with no word at all is 422
``invalid_query``.

Results are newest first: posts by id, profiles by token id (registration order). Relevance
ranks (FTS5's bm25, PostgreSQL's ts_rank) weigh words differently, so ordering by them would
give SQLite and PostgreSQL different pages for the same data; ordering by recency gives both
the same answer, and pages by keyset like every other listing.

Private posts: matched only among the communities the reader may read
(:func:`api.services.access.readable_authors`, inside the one statement), so a reader without
a pass learns nothing of a private post's text: not in results, counts (there are none) nor
ordering. An anonymous search matches public posts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, func, or_, select

from api.errors import ErrorCode, Unprocessable
from api.services import identities as identity_rows
from api.services import posts
from api.services.access import AccessPolicy, readable_authors
from api.services.identities import Identity
from planet.store import fulltext
from planet.store.mirror import identities
from planet.store.offchain import personas


@dataclass(frozen=True)
class ProfileHit:
    identity: Identity
    bio: str | None


@dataclass(frozen=True)
class ProfilePage:
    items: list[ProfileHit]
    next_position: int | None  # the token id to page below; None on the last page


def terms(query: str) -> list[str]:
    """The words searched for; 422 ``invalid_query`` when there is none, or too many."""
    found = fulltext.words(query)
    if not found:
        raise Unprocessable("q has no letter or digit to search for", code=ErrorCode.INVALID_QUERY)
    if len(found) > fulltext.MAX_WORDS:
        raise Unprocessable(
            f"q has {len(found)} words; a search takes at most {fulltext.MAX_WORDS}",
            code=ErrorCode.INVALID_QUERY,
        )
    return found


def post_page(
    conn: Connection,
    chain_id: int,
    words: list[str],
    reader: str | None,
    now: int,
    policy: AccessPolicy,
    cursor: str | None,
    limit: int,
) -> posts.Page:
    """Posts holding every word: public ones, and the private ones ``reader`` may read."""
    private_of = None if reader is None else readable_authors(chain_id, reader, now, policy)
    return posts.page(conn, chain_id, cursor, limit, terms=words, private_of=private_of)


def _profiles(dialect: str, chain_id: int, words: list[str]) -> Any:
    matches = [
        or_(
            func.lower(identities.c.handle).contains(word),
            identities.c.token_id.in_(fulltext.persona_matches(dialect, chain_id, word)),
        )
        for word in words
    ]
    return (
        select(*identity_rows.joined_columns(""), personas.c.bio)
        .select_from(identities)
        .outerjoin(
            personas,
            and_(
                personas.c.chain_id == identities.c.chain_id,
                personas.c.token_id == identities.c.token_id,
            ),
        )
        .where(identities.c.chain_id == chain_id, *matches)
    )


def profile_page(
    conn: Connection, chain_id: int, words: list[str], after: int | None, limit: int
) -> ProfilePage:
    """Identities whose handle holds, or whose bio has a word starting with, every word."""
    query = _profiles(conn.dialect.name, chain_id, words)
    if after is not None:
        query = query.where(identities.c.token_id < after)
    query = query.order_by(identities.c.token_id.desc()).limit(limit + 1)
    rows: list[RowMapping] = list(conn.execute(query).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    return ProfilePage(
        items=[ProfileHit(identity_rows.from_row(r), r["bio"]) for r in rows],
        next_position=rows[-1]["token_id"] if more and rows else None,
    )
