"""Trading from content: orders placed from posts, their fills, and who those fills count for.

Rules (each is tested):

* An order comes from a post the trader may read (private posts: the pass gate of
  :mod:`api.services.posts`) and names one of the instruments the post tags
  (422 ``instrument_not_tagged`` otherwise). It records the post and the post's author (the
  *creator*) along with the trader.
* Fills are attributed to the post and its creator, except the creator's own orders on their
  own posts: those fills are stored with ``attributed = false`` and never count (trading stats,
  rewards, ``trade`` attestations).
* A fill is recorded once: ``(exchange, exchange_fill_id)`` is unique and inserted with
  ``ON CONFLICT DO NOTHING``, so syncing twice (or two syncs racing) never doubles one.
* Nothing half-written: the exchange is asked first (quote, then place) and the order row and its
  fills are written after, in the request's one transaction. An exchange that cannot be reached
  answers 503 ``exchange_unavailable`` and no row is written; an exchange that *refuses* the order
  is a recorded order with ``status = rejected`` and the exchange's reason. Caveat: if a network
  failure hides OKX's answer to an order it did accept, that order exists at OKX under our
  ``client_order_id`` with no row here (not reconciled automatically).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, select, update

from api.db import one_on_chain
from api.errors import ApiError, ErrorCode, NotFound, Unprocessable
from api.exchanges.base import Exchange, Fill, OrderRequest, OrderState, notional_micro, plain
from api.services.identities import Identity
from api.services.posts import id_page
from planet.store.offchain import fills, orders
from planet.store.sql import insert_ignore

TERMINAL = ("filled", "canceled", "rejected")
# The largest order, as size x price in quote units (a trillion USDT): far past any real order,
# and it keeps one order's volume inside a signed 64-bit integer of millionths. Volumes are
# still summed exactly whatever they are (an exchange's own fills are not bounded here).
MAX_ORDER_NOTIONAL = Decimal(10**12)


class OrderNotOpen(ApiError):
    status, code = 409, ErrorCode.ORDER_NOT_OPEN


class ExchangeMismatch(ApiError):
    status, code = 409, ErrorCode.EXCHANGE_MISMATCH


@dataclass(frozen=True)
class Order:
    row: RowMapping
    fills: list[RowMapping]


@dataclass(frozen=True)
class OrderPage:
    items: list[Order]
    next_cursor: str | None


@dataclass(frozen=True)
class InstrumentVolume:
    instrument: str
    fill_count: int
    volume_micro: int


def new_client_order_id() -> str:
    """32 characters, letters and digits, starting with a letter: what OKX's clOrdId allows."""
    return "pl" + secrets.token_hex(15)


def place(
    conn: Connection,
    exchange: Exchange,
    post: RowMapping,
    trader: Identity,
    instrument: str,
    side: str,
    order_type: str,
    size: Decimal,
    limit_price: Decimal | None,
    now: int,
) -> Order:
    """Sends the order to ``exchange`` and records it (and any immediate fills)."""
    if instrument not in post["instruments"]:
        tagged = ", ".join(post["instruments"]) or "none"
        raise Unprocessable(
            f"post {post['id']} does not tag {instrument} (it tags: {tagged})",
            code=ErrorCode.INSTRUMENT_NOT_TAGGED,
        )
    request = OrderRequest(
        client_order_id=new_client_order_id(),
        instrument=instrument,
        side=side,  # type: ignore[arg-type]
        order_type=order_type,  # type: ignore[arg-type]
        size=size,
        limit_price=limit_price,
    )
    quote = exchange.quote(instrument)
    price = limit_price if limit_price is not None else quote
    if price is not None and size * price > MAX_ORDER_NOTIONAL:
        raise Unprocessable(
            f"size x price is {plain(size * price)} {instrument.split('-')[1]}; orders are "
            f"at most {plain(MAX_ORDER_NOTIONAL)}",
            code=ErrorCode.ORDER_TOO_LARGE,
        )
    placement = exchange.place(request, now)
    order_id = conn.execute(
        orders.insert()
        .values(
            chain_id=trader.chain_id,
            post_id=post["id"],
            creator_token_id=post["author_token_id"],
            trader_token_id=trader.token_id,
            trader_address=trader.owner,
            instrument=instrument,
            side=side,
            order_type=order_type,
            size=plain(size),
            limit_price=None if limit_price is None else plain(limit_price),
            exchange=exchange.name,
            client_order_id=request.client_order_id,
            exchange_order_id=placement.exchange_order_id,
            status=placement.status,
            reject_reason=placement.reject_reason,
            quote_price=None if quote is None else plain(quote),
            created_at=now,
        )
        .returning(orders.c.id)
    ).scalar_one()
    row = _order_row(conn, order_id)
    record_fills(conn, row, placement.fills)
    return _with_fills(conn, row)


def record_fills(conn: Connection, order: RowMapping, new: Sequence[Fill]) -> int:
    """Stores the fills not stored yet; how many were new."""
    added = 0
    for fill in new:
        added += insert_ignore(
            conn,
            fills,
            {
                "chain_id": order["chain_id"],
                "order_id": order["id"],
                "exchange": order["exchange"],
                "exchange_fill_id": fill.fill_id,
                "price": plain(fill.price),
                "size": plain(fill.size),
                "notional_micro": notional_micro(fill.price, fill.size),
                "fee": fill.fee,
                "fee_currency": fill.fee_currency,
                "post_id": order["post_id"],
                "creator_token_id": order["creator_token_id"],
                "trader_token_id": order["trader_token_id"],
                "attributed": order["trader_token_id"] != order["creator_token_id"],
                "filled_at": fill.filled_at,
            },
        )
    return added


def _request(row: RowMapping) -> OrderRequest:
    return OrderRequest(
        client_order_id=row["client_order_id"],
        instrument=row["instrument"],
        side=row["side"],
        order_type=row["order_type"],
        size=Decimal(row["size"]),
        limit_price=None if row["limit_price"] is None else Decimal(row["limit_price"]),
    )


def _same_exchange(row: RowMapping, exchange: Exchange) -> None:
    if row["exchange"] != exchange.name:
        raise ExchangeMismatch(
            f"order {row['id']} was placed on {row['exchange']}; this server trades on "
            f"{exchange.name} and cannot reach it"
        )


def _record(conn: Connection, row: RowMapping, state: OrderState) -> Order:
    record_fills(conn, row, state.fills)
    if row["status"] not in TERMINAL and state.status != row["status"]:
        conn.execute(update(orders).where(orders.c.id == row["id"]).values(status=state.status))
    return _with_fills(conn, _order_row(conn, row["id"]))


def cancel(conn: Connection, exchange: Exchange, order: Order, now: int) -> Order:
    """Cancels an open order (409 ``order_not_open`` once it is filled, canceled or
    rejected). The answer is the exchange's word after the cancel: an order that filled first
    comes back ``filled``, with its fills recorded."""
    row = order.row
    if row["status"] in TERMINAL or row["exchange_order_id"] is None:
        raise OrderNotOpen(f"order {row['id']} is {row['status']}: there is nothing to cancel")
    _same_exchange(row, exchange)
    state = exchange.cancel(_request(row), row["exchange_order_id"], now)
    return _record(conn, row, state)


def sync(conn: Connection, exchange: Exchange, order: Order, now: int) -> Order:
    """Polls the exchange for the order's state and fills; idempotent."""
    row = order.row
    if row["status"] == "rejected" or row["exchange_order_id"] is None:
        return order
    _same_exchange(row, exchange)
    if row["status"] == "filled" and row["exchange"] == "paper":
        return order  # a paper order fills whole, once
    return _record(conn, row, exchange.poll(_request(row), row["exchange_order_id"], now))


def mine(conn: Connection, trader: Identity, order_id: int) -> Order:
    """The trader's order (404 for anyone else's: order ids are not a way to see others')."""
    row = (
        conn.execute(
            select(orders).where(
                orders.c.id == order_id,
                orders.c.chain_id == trader.chain_id,
                orders.c.trader_token_id == trader.token_id,
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"no order {order_id} of yours")
    return _with_fills(conn, row)


def page(
    conn: Connection, trader: Identity, cursor: str | None, limit: int, open_only: bool = False
) -> OrderPage:
    """The trader's orders, newest first (only those still open: submitted or partially
    filled, when asked); the cursor is the last id seen."""
    query = select(orders).where(
        orders.c.chain_id == trader.chain_id, orders.c.trader_token_id == trader.token_id
    )
    if open_only:
        query = query.where(orders.c.status.not_in(TERMINAL))
    rows, next_cursor = id_page(conn, query, orders, cursor, limit, newest_first=True)
    by_order = _fills_of(conn, [r["id"] for r in rows])
    return OrderPage([Order(r, by_order.get(r["id"], [])) for r in rows], next_cursor)


def post_volume(conn: Connection, post_id: int) -> list[InstrumentVolume]:
    """Attributed fills of orders placed from the post, per instrument (the creator's own
    orders never count). Summed here, exactly: SQLite's SUM fails past 2^63 ("integer
    overflow") and cannot add the larger notionals it keeps as text."""
    query = (
        select(orders.c.instrument, fills.c.notional_micro)
        .select_from(fills.join(orders, orders.c.id == fills.c.order_id))
        .where(fills.c.post_id == post_id, fills.c.attributed.is_(True))
    )
    counts: dict[str, int] = {}
    volumes: dict[str, int] = {}
    for instrument, notional in conn.execute(query):
        counts[instrument] = counts.get(instrument, 0) + 1
        volumes[instrument] = volumes.get(instrument, 0) + notional
    return [InstrumentVolume(i, counts[i], volumes[i]) for i in sorted(counts)]


def attributed_fill(conn: Connection, chain_id: int, fill_id: int) -> Mapping[str, Any]:
    """A fill as an attestable activity: its creator is the one credited, at its fill time,
    for its post (``post_id``). Fills of a creator's own orders earn nothing (422
    ``trade_not_attributed``)."""
    row = one_on_chain(conn, fills, chain_id, fill_id, "fill")
    if not row["attributed"]:
        raise Unprocessable(
            f"fill {fill_id} is of the creator's own order; it is not attributed",
            code=ErrorCode.TRADE_NOT_ATTRIBUTED,
        )
    return {
        "author_token_id": row["creator_token_id"],
        "created_at": row["filled_at"],
        "exchange": row["exchange"],
        "post_id": row["post_id"],
    }


def _order_row(conn: Connection, order_id: int) -> RowMapping:
    return conn.execute(select(orders).where(orders.c.id == order_id)).mappings().one()


def _with_fills(conn: Connection, row: RowMapping) -> Order:
    return Order(row, _fills_of(conn, [row["id"]]).get(row["id"], []))


def _fills_of(conn: Connection, order_ids: list[int]) -> dict[int, list[RowMapping]]:
    out: dict[int, list[RowMapping]] = {}
    if not order_ids:
        return out
    query = select(fills).where(fills.c.order_id.in_(order_ids)).order_by(fills.c.id)
    for row in conn.execute(query).mappings():
        out.setdefault(row["order_id"], []).append(row)
    return out
