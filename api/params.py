"""Ids and text as the API accepts them, in paths, queries and bodies.

Ids are 64-bit integers in both databases; a larger number can name no row, and SQLite's
driver cannot even bind one (it raised OverflowError, a 500). PostgreSQL cannot store or
compare text holding NUL (U+0000) where SQLite can (psycopg2 raised ValueError, a 500).
Refusing both where they enter answers such input with 422 ``validation_error`` on either
backend, naming the field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field

from planet.store.fulltext import MAX_QUERY

MAX_ID = 2**63 - 1

PostId = Annotated[int, Path(ge=1, le=MAX_ID, description="The post's id")]
SessionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The live session's id")]
OrderId = Annotated[int, Path(ge=1, le=MAX_ID, description="The order's id")]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]


def refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL (U+0000) characters")
    return value


Text = Annotated[str, AfterValidator(refuse_nul)]
"""A ``str`` that is stored or looked up; add ``Field``, ``Path`` or ``Query`` as usual."""

HandleOrAddress = Annotated[
    Text, Path(max_length=42, description="A handle (any case) or a 0x wallet address")
]

#: A search's text (``GET /search?q=``, ``GET /posts?q=``): plain words, never query syntax.
SearchText = Annotated[
    Text,
    Query(
        min_length=1,
        max_length=MAX_QUERY,
        description="Plain words (at most 8); each must match the start of a word (posts, "
        "bios) or a handle. Quotes, `*` and operators are read as separators or words",
    ),
]
