"""Orders placed from posts, through the configured exchange, and the trading a post led to.

``POST /posts/{id}/orders`` reads the post through the same gate as every ``/posts/{id}`` route
(401/403 on a private post the trader may not read). Decimal amounts travel as strings so no
float ever rounds them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import RowMapping

from api.deps import Conn, CurrentIdentity, Now, ReadablePost
from api.errors import ErrorResponse, gated_responses, responses
from api.exchanges import Exchange
from api.params import OrderId
from api.schemas import Cursor, Instrument, Limit, utc
from api.services import trading

router = APIRouter(tags=["trading"])

DecimalText = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,12}(\.[0-9]{1,18})?$",
        description="A positive decimal, as a string (up to 12 digits, 18 decimals)",
        examples=["0.01"],
    ),
]


def get_exchange(request: Request) -> Exchange:
    return request.app.state.exchange


ExchangeDep = Annotated[Exchange, Depends(get_exchange)]

_EXCHANGE_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {
        "model": ErrorResponse,
        "description": "The exchange refused the request (exchange_error)",
    },
    503: {
        "model": ErrorResponse,
        "description": "The exchange could not be reached or answered garbage "
        "(exchange_unavailable); nothing was recorded",
    },
}


class OrderIn(BaseModel):
    instrument: Instrument = Field(description="One of the instruments the post tags")
    side: Literal["buy", "sell"]
    type: Literal["market", "limit"]
    size: DecimalText = Field(description="Quantity in the instrument's base currency, > 0")
    limit_price: DecimalText | None = Field(
        default=None, description="Required for limit orders, absent for market orders; > 0"
    )

    @field_validator("size", "limit_price")
    @classmethod
    def _positive(cls, value: str | None) -> str | None:
        if value is not None and Decimal(value) <= 0:
            raise ValueError("must be greater than 0")
        return value

    @model_validator(mode="after")
    def _price_matches_type(self) -> OrderIn:
        if self.type == "limit" and self.limit_price is None:
            raise ValueError("limit_price is required for a limit order")
        if self.type == "market" and self.limit_price is not None:
            raise ValueError("limit_price is only for limit orders")
        return self


class FillOut(BaseModel):
    id: int
    price: str
    size: str
    notional_micro: int = Field(description="price * size in 1e-6 quote units, floored")
    fee: str = Field(description="As the exchange reports it (OKX: negative = charged)")
    fee_currency: str | None
    attributed: bool = Field(description="False for the creator's own orders on their own post")
    filled_at: datetime


class OrderOut(BaseModel):
    id: int
    post_id: int
    creator_token_id: int = Field(description="The post's author, credited with attributed fills")
    instrument: str
    side: str
    type: str
    size: str
    limit_price: str | None
    exchange: str
    client_order_id: str
    exchange_order_id: str | None
    status: Literal["submitted", "filled", "partially_filled", "rejected", "canceled"]
    reject_reason: str | None
    quote_price: str | None = Field(description="The exchange's last price when placed")
    created_at: datetime
    fills: list[FillOut]


class OrderPage(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null: end")


class InstrumentVolumeOut(BaseModel):
    instrument: str
    fill_count: int
    volume_micro: int


class PostTradingOut(BaseModel):
    post_id: int
    fill_count: int = Field(description="Attributed fills only")
    volume_micro: int = Field(description="Attributed notional, 1e-6 quote units")
    instruments: list[InstrumentVolumeOut]


def _fill(row: RowMapping) -> FillOut:
    return FillOut(
        id=row["id"],
        price=row["price"],
        size=row["size"],
        notional_micro=row["notional_micro"],
        fee=row["fee"],
        fee_currency=row["fee_currency"],
        attributed=row["attributed"],
        filled_at=utc(row["filled_at"]),
    )


def _order(order: trading.Order) -> OrderOut:
    r = order.row
    return OrderOut(
        id=r["id"],
        post_id=r["post_id"],
        creator_token_id=r["creator_token_id"],
        instrument=r["instrument"],
        side=r["side"],
        type=r["order_type"],
        size=r["size"],
        limit_price=r["limit_price"],
        exchange=r["exchange"],
        client_order_id=r["client_order_id"],
        exchange_order_id=r["exchange_order_id"],
        status=r["status"],
        reject_reason=r["reject_reason"],
        quote_price=r["quote_price"],
        created_at=utc(r["created_at"]),
        fills=[_fill(f) for f in order.fills],
    )


@router.post(
    "/posts/{post_id}/orders",
    status_code=201,
    response_model=OrderOut,
    responses={**gated_responses(401, 403, 404, 422), **_EXCHANGE_ERRORS},
)
def place_order(
    body: OrderIn,
    post: ReadablePost,
    conn: Conn,
    identity: CurrentIdentity,
    exchange: ExchangeDep,
    moment: Now,
) -> OrderOut:
    """Places an order from this post through the server's exchange (201, also when the
    exchange rejects it: ``status`` is then ``rejected`` with its reason). 422
    ``instrument_not_tagged`` when the post does not tag the instrument; 503
    ``exchange_unavailable`` (nothing recorded) when the exchange cannot be reached."""
    order = trading.place(
        conn,
        exchange,
        post,
        identity,
        body.instrument,
        body.side,
        body.type,
        Decimal(body.size),
        None if body.limit_price is None else Decimal(body.limit_price),
        moment,
    )
    return _order(order)


@router.get(
    "/posts/{post_id}/trading",
    response_model=PostTradingOut,
    responses=gated_responses(401, 403, 404),
)
def post_trading(post: ReadablePost, conn: Conn) -> PostTradingOut:
    """Trading this post led to: attributed fills only (the creator's own orders never count)."""
    volumes = trading.post_volume(conn, post["id"])
    return PostTradingOut(
        post_id=post["id"],
        fill_count=sum(v.fill_count for v in volumes),
        volume_micro=sum(v.volume_micro for v in volumes),
        instruments=[
            InstrumentVolumeOut(
                instrument=v.instrument, fill_count=v.fill_count, volume_micro=v.volume_micro
            )
            for v in volumes
        ],
    )


@router.get("/orders", response_model=OrderPage, responses=responses(401, 403, 422))
def list_orders(
    conn: Conn,
    identity: CurrentIdentity,
    cursor: Cursor = None,
    limit: Limit = 20,
    status: Annotated[
        Literal["open"] | None,
        Query(description="`open`: only orders still working (submitted, partially filled)"),
    ] = None,
) -> OrderPage:
    """Your orders, newest first, with their fills (422 ``invalid_cursor``)."""
    result = trading.page(conn, identity, cursor, limit, open_only=status == "open")
    return OrderPage(items=[_order(o) for o in result.items], next_cursor=result.next_cursor)


@router.get("/orders/{order_id}", response_model=OrderOut, responses=responses(401, 403, 404))
def get_order(order_id: OrderId, conn: Conn, identity: CurrentIdentity) -> OrderOut:
    """One of your orders (404 for an order that is not yours)."""
    return _order(trading.mine(conn, identity, order_id))


@router.post(
    "/orders/{order_id}/cancel",
    response_model=OrderOut,
    responses={**responses(401, 403, 404, 409), **_EXCHANGE_ERRORS},
)
def cancel_order(
    order_id: OrderId, conn: Conn, identity: CurrentIdentity, exchange: ExchangeDep, moment: Now
) -> OrderOut:
    """Cancels what is left of your open order on its exchange. The answer is the order as
    the exchange reports it after the cancel: ``canceled``, or ``filled`` if the market got
    there first (its fills recorded). 409 ``order_not_open`` for an order already filled,
    canceled or rejected; 409 ``exchange_mismatch`` for an order of another exchange."""
    order = trading.mine(conn, identity, order_id)
    return _order(trading.cancel(conn, exchange, order, moment))


@router.post(
    "/orders/{order_id}/sync",
    response_model=OrderOut,
    responses={**responses(401, 403, 404, 409), **_EXCHANGE_ERRORS},
)
def sync_order(
    order_id: OrderId, conn: Conn, identity: CurrentIdentity, exchange: ExchangeDep, moment: Now
) -> OrderOut:
    """Polls the exchange for the order's state and new fills; idempotent (a fill is recorded
    once however often you sync). 409 ``exchange_mismatch`` when the order was placed on
    another exchange than the server's."""
    order = trading.mine(conn, identity, order_id)
    return _order(trading.sync(conn, exchange, order, moment))
