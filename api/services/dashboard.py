"""A creator's weeks, for the web app's dashboard: per epoch, the quantities the weekly scores
are computed from (the same queries as the close, :func:`planet.rewards.inputs.collect`, so the
dashboard shows exactly what a week would score: distinct identified viewers, likers and
commenters of the creator's posts, live attendance, contribution points and attributed trade
notional on every exchange, none of it from a post its author deleted or the risk role hid), and
the creator's allocation where the week has been published.

Pass sales come from the mirrored ``PassMinted`` and ``PassRenewed`` events of the creator's
passes: per week, the purchases (a mint or a renewal, whatever its quantity) and the creator's
revenue per currency (each sale's cost less the platform fee, what ``proceeds`` was credited).
Weeks are mapped to blocks through :class:`api.services.blocktime.BlockTimes`, read only when
the creator has a pass at all.

Each week is one :func:`collect` (a GROUP BY per quantity over the whole week), so a request is
capped to :data:`MAX_WEEKS` weeks."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass

from eth_utils import to_checksum_address
from sqlalchemy import Connection, and_, func, select, true

from api.errors import ErrorCode, Unavailable
from api.services import passes
from api.services.blocktime import BlockTimes
from api.services.chain import ChainContext
from api.services.profiles import find_identity
from api.services.rewards import DistributionUnavailable, Rewards
from planet.core.names import EXCHANGE_NAMES
from planet.rewards.inputs import AccountInputs, collect, from_shown_posts
from planet.store.mirror import events, identities
from planet.store.offchain import fills

SALE_EVENTS = ("PassMinted", "PassRenewed")

MAX_WEEKS = 12


@dataclass(frozen=True)
class PassWeek:
    """One pass's purchases in a week: how many (mints and renewals, whatever their quantity)
    and the creator's share of their cost, in the pass's currency."""

    pass_id: int
    currency: str
    sales: int = 0
    revenue: int = 0


@dataclass(frozen=True)
class Week:
    epoch: int
    start: int
    end: int
    inputs: AccountInputs
    allocation: int | None  # None: the week is not published (or its file is not here)
    fills: int = 0  # attributed fills on the creator's posts (those the volume adds up)
    passes: tuple[PassWeek, ...] = ()  # the creator's passes sold that week, by pass id
    rank: int | None = None  # the creator's place in the published week's ranking

    @property
    def sales(self) -> int:
        """Purchases of any of the creator's passes."""
        return sum(p.sales for p in self.passes)

    @property
    def revenue(self) -> dict[str, int]:
        """The creator's share of the week's sales, per currency."""
        out: defaultdict[str, int] = defaultdict(int)
        for sold in self.passes:
            out[sold.currency] += sold.revenue
        return dict(out)


def _fills(conn: Connection, chain_id: int, creator: int, start: int, end: int) -> int:
    """Attributed fills on ``creator``'s posts in [start, end): the fills whose notional the
    week's volume adds up (identified traders, the exchanges the close counts, posts neither
    deleted nor hidden)."""
    trader = identities.c.token_id == fills.c.trader_token_id
    query = (
        select(func.count())
        .select_from(fills)
        .join(identities, and_(identities.c.chain_id == chain_id, trader))
        .where(
            fills.c.chain_id == chain_id,
            fills.c.creator_token_id == creator,
            fills.c.trader_token_id != creator,
            fills.c.attributed == true(),
            fills.c.exchange.in_(EXCHANGE_NAMES),
            fills.c.filled_at >= start,
            fills.c.filled_at < end,
        )
    )
    return int(conn.execute(from_shown_posts(query)).scalar_one())


def _sales(
    conn: Connection, chain_id: int, blocks: BlockTimes, creator: str, bounds: list[int]
) -> list[tuple[PassWeek, ...]]:
    """Per week (``bounds`` are the weeks' starts then the last week's end, unix times): the
    sales of each of ``creator``'s passes sold that week."""
    weeks = len(bounds) - 1
    counts: list[Counter[int]] = [Counter() for _ in range(weeks)]
    revenue: list[Counter[int]] = [Counter() for _ in range(weeks)]
    offered = {p.pass_id: p.currency for p in passes.created(conn, chain_id, creator)}
    if not offered:
        return [() for _ in range(weeks)]
    firsts = blocks.first_blocks(bounds)
    rows = conn.execute(
        select(events.c.block_number, events.c.args).where(
            events.c.chain_id == chain_id,
            events.c.block_number >= firsts[0],
            events.c.block_number < firsts[-1],
            events.c.contract == "CommunityPass",
            events.c.event.in_(SALE_EVENTS),
        )
    )
    for row in rows:
        args = row.args
        pass_id = int(args["passId"])
        if pass_id not in offered:
            continue  # another creator's pass
        week = bisect_right(firsts, row.block_number) - 1
        counts[week][pass_id] += 1
        revenue[week][pass_id] += int(args["cost"]) - int(args["platformFee"])
    return [
        tuple(
            PassWeek(pass_id, offered[pass_id], counts[n][pass_id], revenue[n][pass_id])
            for pass_id in sorted(counts[n])
        )
        for n in range(weeks)
    ]


def weeks(
    conn: Connection,
    chain: ChainContext,
    rewards: Rewards,
    blocks: BlockTimes,
    handle_or_address: str,
    now: int,
    count: int,
) -> tuple[str, str, list[Week]]:
    """The creator's handle, address and last ``count`` weeks up to the current one, oldest
    first; 404 for an unknown creator, 503 ``chain_unavailable`` without an epoch genesis."""
    identity = find_identity(conn, chain.chain_id, handle_or_address)
    calendar = chain.calendar
    current = chain.current_epoch(now)
    if calendar is None or current is None:
        raise Unavailable(
            "the epoch calendar is not known here (no manifest or genesis configured)",
            code=ErrorCode.CHAIN_UNAVAILABLE,
        )
    account = to_checksum_address(identity.owner)
    published = {p.epoch: p for p in rewards.published(conn, chain.chain_id)}
    epochs = range(max(0, current - count + 1), current + 1)
    bounds = [calendar.start(e) for e in epochs] + [calendar.end(current)]
    sold = _sales(conn, chain.chain_id, blocks, identity.owner, bounds)
    out = []
    for n, epoch in enumerate(epochs):
        week = collect(conn, chain.chain_id, calendar, epoch, trade_exchanges=EXCHANGE_NAMES)
        allocation = rank = None
        if epoch in published and rewards.store is not None:
            try:
                entry = rewards.store.get(published[epoch]).by_account.get(account.lower())
                allocation = entry.amount if entry is not None else 0
                rank = entry.rank if entry is not None else None
            except DistributionUnavailable:
                allocation = None
        inputs = week.accounts.get(account, AccountInputs())
        out.append(
            Week(
                epoch,
                calendar.start(epoch),
                calendar.end(epoch),
                inputs,
                allocation,
                _fills(
                    conn,
                    chain.chain_id,
                    identity.token_id,
                    calendar.start(epoch),
                    calendar.end(epoch),
                ),
                sold[n],
                rank,
            )
        )
    return identity.handle, account, out
