"""Search: posts by their text, profiles by handle or persona bio.

A query is plain words (:func:`planet.store.fulltext.words`): every word must match, each as
the start of a word of a post's body or a bio, or of a handle. Whatever else the
query holds is a separator, so no query is a syntax error; one with no word at all is 422
``invalid_query``.

Posts come newest first (by id), profiles by handle. Relevance
ranks (FTS5's bm25, PostgreSQL's ts_rank) weigh words differently, so ordering by them would
give SQLite and PostgreSQL different pages for the same data; ordering by recency gives both
the same answer, and pages by keyset like every other listing.

Private posts: matched only among the communities the reader may read
(:meth:`api.services.access.AccessPolicy.readable_author_ids`, read in the search's own
transaction and bound into its one statement), so a reader without a pass learns nothing of a
private post's text: not in results, counts (there are none) nor ordering. An anonymous
search matches public posts only.
"""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    RowMapping,
    Select,
    and_,
    bindparam,
    case,
    or_,
    select,
)

from api.errors import ErrorCode, Unprocessable
from api.services import identities as identity_rows
from api.services import posts
from api.services.access import AccessPolicy
from api.services.identities import Identity
from planet.store import fulltext
from planet.store.mirror import identities
from planet.store.offchain import hidden, personas

_HANDLE = re.compile(r"[a-z0-9_]{1,32}")


@dataclass(frozen=True)
class ProfileHit:
    identity: Identity
    bio: str | None


@dataclass(frozen=True)
class ProfilePage:
    items: list[ProfileHit]
    next_handle: str | None  # the handle to page after; None on the last page


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
    readable = None
    if reader is not None:
        readable = policy.readable_author_ids(conn, chain_id, reader, now)
    return posts.page(conn, chain_id, cursor, limit, terms=words, readable=readable)


def _handle_starts(dialect: str, n: int) -> Any:
    """The handle starts with word ``n`` (bound as ``word_n``; ``word_n_end`` is it with ``{``
    appended). Handles are stored lower-case ``[a-z0-9_]``, every character below ``{``: on
    SQLite (binary collation) a range of the unique handle index, a seek instead of a scan of
    every handle; PostgreSQL's collation may order punctuation otherwise, so it reads
    ``LIKE 'word%'`` (the words hold no LIKE wildcard)."""
    word: BindParameter[str] = bindparam(f"word_{n}")
    if dialect == "sqlite":
        return and_(identities.c.handle >= word, identities.c.handle < bindparam(f"word_{n}_end"))
    return identities.c.handle.startswith(word)


@functools.cache
def _profiles(dialect: str, count: int) -> Select[Any]:
    """Identities (with their bio) whose handle or a word of whose bio starts with each of
    ``count`` words (bound by :func:`_profile_params`), after the bound handle ``after``, by
    handle. Built once per number of words. Walked in handle order on the unique (chain,
    handle) index: each test reads the index entry alone (the bio matches are a list of
    handles built once), so the walk stops at the page's end and reads only the rows it
    returns."""
    holders = identities.alias("bio_holders")
    # an identity the risk role hid shows no persona, so its bio is neither matched nor shown
    hidden_ids = select(hidden.c.target_id).where(
        hidden.c.chain_id == bindparam("chain_id"), hidden.c.kind == "identity"
    )
    matches = [
        or_(
            _handle_starts(dialect, n),
            identities.c.handle.in_(
                select(holders.c.handle).where(
                    holders.c.chain_id == bindparam("chain_id"),
                    holders.c.token_id.in_(fulltext.persona_matches(dialect, f"bio_{n}")),
                    holders.c.token_id.not_in(hidden_ids),
                )
            ),
        )
        for n in range(count)
    ]
    shown_bio = case((identities.c.token_id.in_(hidden_ids), None), else_=personas.c.bio)
    return (
        select(*identity_rows.joined_columns(""), shown_bio.label("bio"))
        .select_from(identities)
        .outerjoin(
            personas,
            and_(
                personas.c.chain_id == identities.c.chain_id,
                personas.c.token_id == identities.c.token_id,
            ),
        )
        .where(
            identities.c.chain_id == bindparam("chain_id"),
            identities.c.handle > bindparam("after"),
            *matches,
        )
        .order_by(identities.c.handle)
        .limit(bindparam("limit"))
    )


def _profile_params(dialect: str, words: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for n, word in enumerate(words):
        params[f"word_{n}"] = word
        params[f"word_{n}_end"] = word + "{"
        params[f"bio_{n}"] = fulltext.persona_word(dialect, word)
    return params


def profile_page(
    conn: Connection, chain_id: int, words: list[str], after: str | None, limit: int
) -> ProfilePage:
    """Identities whose handle, or a word of whose bio, starts with each word; by handle
    (handles are lower-case ASCII, so both engines order them alike)."""
    dialect = conn.dialect.name
    params = {
        "chain_id": chain_id,
        "after": after or "",  # every handle sorts after the empty string
        "limit": limit + 1,
        **_profile_params(dialect, words),
    }
    rows: list[RowMapping] = list(conn.execute(_profiles(dialect, len(words)), params).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    return ProfilePage(
        items=[ProfileHit(identity_rows.from_row(r), r["bio"]) for r in rows],
        next_handle=rows[-1]["handle"] if more and rows else None,
    )


def encode_handle_cursor(handle: str) -> str:
    return base64.urlsafe_b64encode(handle.encode()).rstrip(b"=").decode()


def decode_handle_cursor(cursor: str | None) -> str | None:
    """The handle a profiles page ends at; 422 ``invalid_cursor`` for anything else."""
    if not cursor:
        return None
    try:
        handle = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        handle = ""
    if not _HANDLE.fullmatch(handle):
        raise Unprocessable("cursor is not one this API returned", code=ErrorCode.INVALID_CURSOR)
    return handle
