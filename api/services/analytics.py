"""A creator's analytics: per week, what their content drew and what it converted into.

Built on the dashboard's weeks (:func:`api.services.dashboard.weeks`: the quantities the close
scores, counted as the close counts them, the week's pass sales per pass, the allocation and
rank of a published week), plus what only the creator needs to see:

* ``posts``: posts the creator published that week (public and private);
* ``views``: every view of the creator's posts that week, anonymous ones and the creator's own
  included (``api_post_view_hours``: per hour; exact when the epoch genesis is on the hour, as
  deployments set it; otherwise the hour a week starts in counts for that week, whole);
* ``orders``: orders others placed from the creator's posts that week, filled or not;
* ``traders``: distinct identities with an attributed fill on the creator's posts that week,
  the posts deleted or hidden since left out as the viewers below leave them out;
* ``conversion``: ``traders / viewers``, the share of the week's distinct identified viewers
  who traded from the creator's content (null without viewers). Both sides count identities,
  so a bot refreshing a post cannot make conversion look worse, nor one trader look like many.

These are the creator's own numbers (what fans did, including their orders), so the route
serves them to the creator's signed-in wallet only. They hold counts, never a post's text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import Connection, distinct, func, select, true

from api.services import dashboard
from api.services.blocktime import BlockTimes
from api.services.chain import ChainContext
from api.services.currencies import Currencies
from api.services.identities import Identity
from api.services.rewards import Rewards
from planet.core.names import EXCHANGE_NAMES
from planet.rewards.inputs import from_shown_posts
from planet.store.offchain import fills, orders, post_view_hours, posts

HOUR = 3600
MAX_WEEKS = dashboard.MAX_WEEKS


@dataclass(frozen=True)
class AnalyticsWeek:
    week: dashboard.Week
    posts: int
    views: int
    orders: int
    traders: int

    @property
    def conversion(self) -> Fraction | None:
        viewers = self.week.inputs.views
        return Fraction(self.traders, viewers) if viewers else None


def _count(conn: Connection, query: object) -> int:
    return int(conn.execute(query).scalar_one() or 0)  # type: ignore[call-overload]


def _extras(conn: Connection, chain_id: int, creator: int, start: int, end: int) -> list[int]:
    """Posts, views, orders and distinct traders of ``creator``'s content in [start, end)."""
    mine = (posts.c.chain_id == chain_id) & (posts.c.author_token_id == creator)
    published = select(func.count()).where(
        mine, posts.c.created_at >= start, posts.c.created_at < end
    )
    views = (
        select(func.coalesce(func.sum(post_view_hours.c.views), 0))
        .select_from(post_view_hours.join(posts, posts.c.id == post_view_hours.c.post_id))
        .where(
            mine,
            post_view_hours.c.hour >= start // HOUR,
            post_view_hours.c.hour < end // HOUR,
        )
    )
    placed = select(func.count()).where(
        orders.c.chain_id == chain_id,
        orders.c.creator_token_id == creator,
        orders.c.trader_token_id != creator,
        orders.c.created_at >= start,
        orders.c.created_at < end,
    )
    traders = from_shown_posts(
        select(func.count(distinct(fills.c.trader_token_id)))
        .select_from(fills)
        .where(
            fills.c.chain_id == chain_id,
            fills.c.creator_token_id == creator,
            fills.c.attributed == true(),
            fills.c.exchange.in_(EXCHANGE_NAMES),
            fills.c.filled_at >= start,
            fills.c.filled_at < end,
        )
    )
    return [_count(conn, q) for q in (published, views, placed, traders)]


def weeks(
    conn: Connection,
    chain: ChainContext,
    rewards: Rewards,
    blocks: BlockTimes,
    creator: Identity,
    now: int,
    count: int,
) -> list[AnalyticsWeek]:
    """The creator's last ``count`` weeks up to the current one, oldest first."""
    _, _, base = dashboard.weeks(conn, chain, rewards, blocks, creator.owner, now, count)
    out = []
    for week in base:
        posted, views, placed, traders = _extras(
            conn, chain.chain_id, creator.token_id, week.start, week.end
        )
        out.append(AnalyticsWeek(week, posted, views, placed, traders))
    return out


def ratio(value: Fraction | None) -> str | None:
    """A conversion as a decimal with four places, as the JSON and the CSV both show it."""
    return None if value is None else f"{float(value):.4f}"


def to_csv(handle: str, rows: list[AnalyticsWeek], currencies: Currencies) -> str:
    """One line per week. A pass sold in any of the weeks gets two columns, its sales and its
    revenue in its currency's base units (``pass_<id>_sales``, ``pass_<id>_revenue_<symbol>``),
    so a spreadsheet can sum them without parsing."""
    sold = sorted(
        {(p.pass_id, p.currency) for row in rows for p in row.week.passes}, key=lambda p: p[0]
    )
    pass_columns = []
    for pass_id, currency in sold:
        symbol = currencies.get(currency).symbol
        pass_columns += [f"pass_{pass_id}_sales", f"pass_{pass_id}_revenue_{symbol}"]
    header = [
        "creator",
        "epoch",
        "week_start",
        "week_end",
        "posts",
        "views",
        "viewers",
        "likes",
        "comments",
        "live_attendance",
        "orders",
        "fills",
        "traders",
        "volume_micro",
        "conversion",
        "pass_sales",
        *pass_columns,
        "points",
        "allocation",
        "rank",
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        week, inputs = row.week, row.week.inputs
        by_pass = {p.pass_id: p for p in week.passes}
        cells: list[object] = []
        for pass_id, _ in sold:
            sale = by_pass.get(pass_id)
            cells += [sale.sales if sale else 0, sale.revenue if sale else 0]
        conversion = ratio(row.conversion)
        writer.writerow(
            [
                handle,
                week.epoch,
                week.start,
                week.end,
                row.posts,
                row.views,
                inputs.views,
                inputs.likes,
                inputs.comments,
                inputs.live_attendance,
                row.orders,
                week.fills,
                row.traders,
                inputs.trade_notional_micro,
                "" if conversion is None else conversion,
                week.sales,
                *cells,
                inputs.points,
                "" if week.allocation is None else week.allocation,
                "" if week.rank is None else week.rank,
            ]
        )
    return out.getvalue()
