"""Creator analytics: per week, what a creator's content drew (views, viewers, likes, comments,
attendance), what it converted into (orders, fills, traders, volume, pass sales and revenue per
pass) and what the week paid (points, allocation, rank); as JSON or as a CSV file
(:mod:`api.services.analytics`). A creator's own numbers: only their signed-in wallet reads them."""

from __future__ import annotations

from typing import Annotated, Literal

from eth_utils import to_checksum_address
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from api.deps import Chain, Conn, CurrenciesDep, CurrentUser, Now
from api.errors import ErrorCode, Forbidden, responses
from api.params import HandleOrAddress
from api.schemas import RevenueOut, revenue_out
from api.services import analytics, profiles
from api.services.currencies import Currencies
from api.services.dashboard import PassWeek

router = APIRouter(prefix="/profiles", tags=["analytics"])

CSV = "text/csv"


class PassWeekOut(BaseModel):
    pass_id: int
    sales: int = Field(description="Purchases of this pass (mints and renewals)")
    revenue: RevenueOut


class AnalyticsWeekOut(BaseModel):
    epoch: int
    start: int = Field(description="Unix time the week starts")
    end: int = Field(description="Unix time the week ends (exclusive)")
    posts: int = Field(description="Posts published this week, public and private")
    views: int = Field(description="Every view of the creator's posts, anonymous ones included")
    viewers: int = Field(description="Distinct identified viewers (as the weekly score counts)")
    likes: int = Field(description="Distinct identified likers")
    comments: int = Field(description="Distinct identified commenters")
    live_attendance: int = Field(description="Distinct attendees of the creator's sessions")
    orders: int = Field(description="Orders others placed from the creator's posts")
    fills: int = Field(description="Attributed fills of those orders")
    traders: int = Field(description="Distinct identities with an attributed fill")
    volume_micro: str = Field(description="Notional of the attributed fills, 1e-6 quote units")
    conversion: str | None = Field(
        description="traders / viewers, four decimals; null without identified viewers"
    )
    pass_sales: int = Field(description="Purchases of any of the creator's passes")
    passes: list[PassWeekOut] = Field(description="Each pass sold this week")
    points: str = Field(description="Contribution points recorded for the week (decimal)")
    allocation: str | None = Field(description="What the week paid (base units); null: unpublished")
    rank: int | None = Field(description="Place in the week's published ranking; null: unranked")


class AnalyticsOut(BaseModel):
    handle: str
    address: str
    weeks: list[AnalyticsWeekOut] = Field(description="Oldest first, up to the current week")


def _pass_out(sold: PassWeek, currencies: Currencies) -> PassWeekOut:
    return PassWeekOut(
        pass_id=sold.pass_id,
        sales=sold.sales,
        revenue=revenue_out(currencies.get(sold.currency), sold.revenue),
    )


def _week_out(row: analytics.AnalyticsWeek, currencies: Currencies) -> AnalyticsWeekOut:
    week, inputs = row.week, row.week.inputs
    return AnalyticsWeekOut(
        epoch=week.epoch,
        start=week.start,
        end=week.end,
        posts=row.posts,
        views=row.views,
        viewers=inputs.views,
        likes=inputs.likes,
        comments=inputs.comments,
        live_attendance=inputs.live_attendance,
        orders=row.orders,
        fills=week.fills,
        traders=row.traders,
        volume_micro=str(inputs.trade_notional_micro),
        conversion=analytics.ratio(row.conversion),
        pass_sales=week.sales,
        passes=[_pass_out(p, currencies) for p in week.passes],
        points=str(inputs.points),
        allocation=None if week.allocation is None else str(week.allocation),
        rank=week.rank,
    )


@router.get(
    "/{handle_or_address}/analytics",
    response_model=AnalyticsOut,
    responses={
        200: {
            "content": {CSV: {"schema": {"type": "string"}}},
            "description": "JSON, or with `format=csv` a CSV file: one line per week, a pair "
            "of columns per pass sold (`pass_<id>_sales`, `pass_<id>_revenue_<symbol>`)",
        },
        **responses(401, 403, 404, 422, 503),
    },
)
def creator_analytics(
    handle_or_address: HandleOrAddress,
    request: Request,
    conn: Conn,
    chain: Chain,
    user: CurrentUser,
    moment: Now,
    currencies: CurrenciesDep,
    weeks: Annotated[int, Query(ge=1, le=analytics.MAX_WEEKS, description="Weeks back")] = 8,
    format: Annotated[Literal["json", "csv"], Query(description="json, or csv")] = "json",
) -> AnalyticsOut | Response:
    """The creator's last ``weeks`` weeks (at most 12), for the creator's own wallet only
    (403 ``not_your_analytics`` for anyone else; 401 not signed in). 404 no such identity;
    503 ``chain_unavailable`` without an epoch calendar, or when the chain's RPC cannot map
    the weeks to blocks for a creator who offers passes."""
    creator = profiles.find_identity(conn, chain.chain_id, handle_or_address)
    if creator.owner.lower() != user.address.lower():
        raise Forbidden(
            f"these are {creator.handle}'s analytics: sign in with the wallet that owns it",
            code=ErrorCode.NOT_YOUR_ANALYTICS,
        )
    state = request.app.state
    rows = analytics.weeks(conn, chain, state.rewards, state.block_times, creator, moment, weeks)
    if format == "csv":
        return Response(
            analytics.to_csv(creator.handle, rows, currencies),
            media_type=CSV,
            headers={
                "Content-Disposition": f'attachment; filename="{creator.handle}-analytics.csv"'
            },
        )
    return AnalyticsOut(
        handle=creator.handle,
        address=to_checksum_address(creator.owner),
        weeks=[_week_out(r, currencies) for r in rows],
    )
