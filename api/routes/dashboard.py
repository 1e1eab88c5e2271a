"""A creator's dashboard: per week, what the weekly scores are computed from and what the
week paid (:mod:`api.services.dashboard`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api.db import in_transaction
from api.deps import Chain, CurrenciesDep, Now
from api.errors import responses
from api.params import Text
from api.schemas import RevenueOut, revenue_out
from api.services import dashboard

router = APIRouter(prefix="/profiles", tags=["profiles"])

HandleOrAddress = Annotated[
    Text, Path(max_length=42, description="A handle (any case) or a 0x wallet address")
]


class WeekOut(BaseModel):
    epoch: int
    start: int = Field(description="Unix time the week starts")
    end: int = Field(description="Unix time the week ends (exclusive)")
    views: int = Field(description="Distinct identified viewers of the creator's posts")
    likes: int = Field(description="Distinct identified likers")
    comments: int = Field(description="Distinct identified commenters")
    live_attendance: int = Field(description="Distinct attendees of the creator's sessions")
    points: str = Field(description="Contribution points recorded for the week (decimal)")
    trade_fills: int = Field(description="Attributed fills on the creator's posts")
    trade_notional_micro: str = Field(
        description="Notional of fills attributed to the creator's posts, 1e-6 quote units"
    )
    allocation: str | None = Field(
        description="What the week paid the creator (base units); null: not published yet"
    )
    pass_sales: int = Field(description="Purchases of the creator's passes (mints, renewals)")
    pass_revenue: list[RevenueOut] = Field(
        description="Per currency sold in, the sales' cost less the platform fee (what the "
        "creator's proceeds were credited)"
    )


class WeeksOut(BaseModel):
    handle: str
    address: str
    weeks: list[WeekOut] = Field(description="Oldest first, up to the current week")


@router.get(
    "/{handle_or_address}/weeks", response_model=WeeksOut, responses=responses(404, 422, 503)
)
async def creator_weeks(
    handle_or_address: HandleOrAddress,
    request: Request,
    chain: Chain,
    moment: Now,
    currencies: CurrenciesDep,
    count: Annotated[int, Query(ge=1, le=dashboard.MAX_WEEKS)] = 8,
) -> WeeksOut:
    """The creator's last ``count`` weeks (at most 12): the quantities the weekly scores use,
    counted as the close counts them (own interactions and unregistered users never count;
    fills on every exchange), each published week's allocation, and the week's pass sales and
    revenue. 404 no such identity; 503 ``chain_unavailable`` without an epoch calendar, or when
    the chain's RPC cannot map the weeks to blocks for a creator who offers passes."""
    state, blocks = request.app.state.rewards, request.app.state.block_times
    handle, address, weeks = await in_transaction(
        request,
        lambda conn: dashboard.weeks(conn, chain, state, blocks, handle_or_address, moment, count),
    )
    return WeeksOut(
        handle=handle,
        address=address,
        weeks=[
            WeekOut(
                epoch=w.epoch,
                start=w.start,
                end=w.end,
                views=w.inputs.views,
                likes=w.inputs.likes,
                comments=w.inputs.comments,
                live_attendance=w.inputs.live_attendance,
                points=str(w.inputs.points),
                trade_fills=w.fills,
                trade_notional_micro=str(w.inputs.trade_notional_micro),
                allocation=None if w.allocation is None else str(w.allocation),
                pass_sales=w.sales,
                pass_revenue=[
                    revenue_out(currencies.get(c), amount) for c, amount in w.revenue.items()
                ],
            )
            for w in weeks
        ],
    )
