"""Property: for any posts and any query, search answers exactly what a plain reading of the
rule gives (every query word starts a word of the body; newest first; read in pages), on
SQLite (FTS5) and PostgreSQL (tsvector) alike, and a reader without the creator's pass gets
exactly the public answer: a private post changes nothing it sees."""

from __future__ import annotations

import re

import pytest
from eth_account import Account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.services import posts, search
from api.services.access import PassAccess
from api.services.identities import Identity
from tests.support.api import CHAIN_ID, START, add_identity, add_native_pass
from tests.support.profiles import examples

pytestmark = pytest.mark.dialects

WORDS = ["eth", "ether", "ethereum", "btc", "gm", "gmx", "rates", "r8", "10", "1", "near", "or"]
SEPARATORS = [" ", "-", ".", "'", '"', "*", ", ", "_", ":", " NEAR "]
QUERIES = ["e", "et", "eth", "ethe", "b", "gm", "gmx", "rat", "r8", "1", "10", "near", "or", "zz"]
NOW = int(START)


def reference(bodies: list[tuple[int, str]], query: list[str]) -> list[int]:
    """The rule read plainly: ids (newest first) whose body has, for every query word, a word
    (a run of letters and digits, lower-cased) starting with it."""
    hits = []
    for post_id, body in bodies:
        words = re.findall(r"[^\W_]+", body.lower())
        if all(any(w.startswith(q) for w in words) for q in query):
            hits.append(post_id)
    return sorted(hits, reverse=True)


body = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=6
).map(lambda parts: "".join(w + s for w, s in parts))


def test_search_answers_the_rule_and_private_posts_change_nothing_for_outsiders(engine):
    accounts = {n: Account.create(extra_entropy=n) for n in ("creator", "holder", "outsider")}
    tokens = {n: add_identity(engine, a.address, f"{n}_p") for n, a in accounts.items()}
    add_native_pass(engine, 1, accounts["creator"].address, [accounts["holder"].address])
    creator = Identity(
        chain_id=CHAIN_ID,
        token_id=tokens["creator"],
        owner=accounts["creator"].address.lower(),
        handle="creator_p",
        metadata_uri="",
        metadata_hash="",
        verified=False,
        labels=0,
    )

    @settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        written=st.lists(st.tuples(body, st.booleans()), min_size=1, max_size=10),
        query=st.lists(st.sampled_from(QUERIES), min_size=1, max_size=3, unique=True),
    )
    def check(written: list[tuple[str, bool]], query: list[str]) -> None:
        with engine.connect() as conn:
            tx = conn.begin()
            try:
                stored = []
                for text, private in written:
                    row = posts.create(
                        conn, creator, text, [], None, None, NOW, "private" if private else "public"
                    )
                    stored.append((row["id"], text, private))
                everything = [(i, t) for i, t, _ in stored]
                public = [(i, t) for i, t, private in stored if not private]
                words = search.terms(" ".join(query))

                def found(reader: str | None) -> list[int]:
                    # pages of two, so a page is often full with more to come (PostgreSQL's
                    # first try along the id index answers it) and often not (its full-text
                    # index does)
                    ids: list[int] = []
                    cursor = None
                    while True:
                        page = search.post_page(
                            conn, CHAIN_ID, words, reader, NOW, PassAccess(), cursor, 2
                        )
                        ids += [r["id"] for r in page.rows]
                        if page.next_cursor is None:
                            return ids
                        cursor = page.next_cursor

                assert found(None) == reference(public, words)
                assert found(accounts["outsider"].address) == reference(public, words)
                assert found(accounts["holder"].address) == reference(everything, words)
                assert found(creator.owner) == reference(everything, words)
            finally:
                tx.rollback()

    check()
