"""Parameters and answers that more than one router speaks: paging, times, authors, posts and
chat messages.

They live here, below the routers, so that two routes answering the same thing (a post in the
feed and in a community; a chat message over HTTP and over the socket) share one model and one
OpenAPI schema, and no router has to import another router to get them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import Connection, RowMapping

from api.params import Text
from api.services import editing
from api.services.currencies import Currency

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page")]
Cursor = Annotated[str | None, Query(max_length=64, description="next_cursor of the last page")]
Instrument = Annotated[
    str, Field(pattern=r"^[A-Z0-9]{2,15}-[A-Z0-9]{2,15}$", examples=["BTC-USDT"])
]


def utc(seconds: int) -> datetime:
    """A stored Unix time as the aware datetime answers carry (ISO 8601, UTC)."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def utc_or_none(seconds: int | None) -> datetime | None:
    """:func:`utc` for a time that has not happened yet (stored as NULL)."""
    return None if seconds is None else utc(seconds)


class Author(BaseModel):
    token_id: int
    handle: str | None
    address: str


class Disclosure(BaseModel):
    holds_position: bool | None = Field(
        default=None, description="Whether the author holds a position in a named instrument"
    )
    sponsored: bool | None = Field(default=None, description="Whether the post is paid for")


class PostOut(BaseModel):
    id: int
    author: Author
    body: str
    instruments: list[str]
    disclosure: Disclosure | None
    created_at: datetime
    view_count: int
    like_count: int
    comment_count: int
    visibility: Literal["public", "private"]
    edited_at: datetime | None = Field(
        default=None, description="When the author last edited it (see GET /posts/{id}/history)"
    )
    deleted: bool = Field(default=False, description="Deleted by its author: its text is gone")
    moderation_label: str | None = Field(
        default=None,
        description="Why the risk role hid it (e.g. `scam`, `undisclosed_promotion`): its text "
        "is withheld from everyone while hidden; null when shown",
    )


class PostPage(BaseModel):
    items: list[PostOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null: end")


def post_out(row: RowMapping, handle: str | None) -> PostOut:
    """A stored post as answered; its disclosure only when it names instruments (the only
    posts that must carry one); no text once deleted or while hidden."""
    label = row.get("hidden_label")
    deleted = row.get("deleted_at") is not None
    disclosure = None
    if row["instruments"]:
        disclosure = Disclosure(holds_position=row["holds_position"], sponsored=row["sponsored"])
    return PostOut(
        id=row["id"],
        author=Author(
            token_id=row["author_token_id"], handle=handle, address=row["author_address"]
        ),
        body="" if label or deleted else row["body"],
        instruments=row["instruments"],
        disclosure=disclosure,
        created_at=utc(row["created_at"]),
        view_count=row["view_count"],
        like_count=row["like_count"],
        comment_count=row["comment_count"],
        visibility=row["visibility"],
        edited_at=utc_or_none(row.get("edited_at")),
        deleted=deleted,
        moderation_label=label,
    )


class MessageOut(BaseModel):
    """A chat message; the WebSocket sends the same fields with ``"type": "message"``."""

    id: int
    session_id: int
    token_id: int
    handle: str | None
    address: str
    body: str = Field(description="Empty when the risk role hid the message (see moderation_label)")
    created_at: datetime
    moderation_label: str | None = Field(
        default=None, description="Why the risk role hid it (e.g. `scam`); null when shown"
    )


def message_out(row: RowMapping, handle: str | None) -> MessageOut:
    """A stored chat message, as the history lists it and the chat socket sends it; a hidden
    one with its label and no text."""
    label = row.get("hidden_label")
    return MessageOut(
        id=row["id"],
        session_id=row["session_id"],
        token_id=row["token_id"],
        handle=handle,
        address=row["author_address"],
        body="" if label else row["body"],
        created_at=utc(row["created_at"]),
        moderation_label=label,
    )


class CurrencyOut(BaseModel):
    """A currency prices, proceeds and rewards are in."""

    address: str = Field(description="ERC-20 address, or the zero address for the native coin")
    native: bool
    symbol: str | None = Field(description="null if the token could not be read")
    decimals: int | None = Field(description="null if the token could not be read")


def currency_out(currency: Currency) -> CurrencyOut:
    return CurrencyOut(
        address=currency.address,
        native=currency.native,
        symbol=currency.symbol,
        decimals=currency.decimals,
    )


# Comments and edit histories: shared by the posts router and the comments router.


class CommentIn(BaseModel):
    body: Text = Field(min_length=1, max_length=2_000)


class CommentOut(BaseModel):
    id: int
    post_id: int
    author: Author
    body: str = Field(description="Empty when deleted, or hidden (see moderation_label)")
    created_at: datetime
    edited_at: datetime | None = None
    deleted: bool = False
    moderation_label: str | None = Field(
        default=None, description="Why the risk role hid it; null when shown"
    )


class VersionOut(BaseModel):
    body: str = Field(description="Empty while the content is hidden by moderation")
    disclosure: Disclosure | None
    written_at: datetime
    replaced_at: datetime | None = Field(description="null: the current version")


class HistoryOut(BaseModel):
    id: int
    kind: Literal["post", "comment"]
    deleted: bool = Field(description="Deleted by its author: no version is kept")
    moderation_label: str | None
    versions: list[VersionOut] = Field(description="The current version first, then older ones")


def comment_out(row: RowMapping, handle: str | None) -> CommentOut:
    """A stored comment as answered: no text once deleted or while hidden."""
    label = row.get("hidden_label")
    deleted = row["deleted_at"] is not None
    return CommentOut(
        id=row["id"],
        post_id=row["post_id"],
        author=Author(
            token_id=row["author_token_id"], handle=handle, address=row["author_address"]
        ),
        body="" if label or deleted else row["body"],
        created_at=utc(row["created_at"]),
        edited_at=utc_or_none(row["edited_at"]),
        deleted=deleted,
        moderation_label=label,
    )


def history_out(
    conn: Connection, chain_id: int, kind: Literal["post", "comment"], row: RowMapping
) -> HistoryOut:
    """Every version of a post or comment; the text withheld while it is hidden."""
    label = row.get("hidden_label")
    versions = [
        VersionOut(
            body="" if label else v.body,
            disclosure=None
            if v.holds_position is None
            else Disclosure(holds_position=v.holds_position, sponsored=v.sponsored),
            written_at=utc(v.written_at),
            replaced_at=utc_or_none(v.replaced_at),
        )
        for v in editing.history(conn, chain_id, kind, row)
    ]
    return HistoryOut(
        id=row["id"],
        kind=kind,
        deleted=row["deleted_at"] is not None,
        moderation_label=label,
        versions=versions,
    )


class RevenueOut(BaseModel):
    currency: CurrencyOut
    amount: str = Field(description="The creator's share of the sales, base units")
    display: str | None = Field(description="In human units, e.g. `0.0196 OKB`")


def revenue_out(currency: Currency, amount: int) -> RevenueOut:
    """A creator's revenue in one currency, as the dashboard and the analytics answer it."""
    return RevenueOut(
        currency=currency_out(currency), amount=str(amount), display=currency.human(amount)
    )
