"""A creator's weeks, for the web app's dashboard: per epoch, the quantities the weekly scores
are computed from (the same queries as the close, :func:`planet.rewards.inputs.collect`, so the
dashboard shows exactly what a week would score: distinct identified viewers, likers and
commenters of the creator's posts, live attendance, contribution points and attributed trade
notional on every exchange), and the creator's allocation where the week has been published.

Each week is one :func:`collect` (a GROUP BY per quantity over the whole week), so a request is
capped to :data:`MAX_WEEKS` weeks."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address
from sqlalchemy import Connection

from api.errors import ErrorCode, Unavailable
from api.services.chain import ChainContext
from api.services.profiles import find_identity
from api.services.rewards import DistributionUnavailable, Rewards
from planet.core.names import EXCHANGE_NAMES
from planet.rewards.inputs import AccountInputs, collect

MAX_WEEKS = 12


@dataclass(frozen=True)
class Week:
    epoch: int
    start: int
    end: int
    inputs: AccountInputs
    allocation: int | None  # None: the week is not published (or its file is not here)


def weeks(
    conn: Connection,
    chain: ChainContext,
    rewards: Rewards,
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
    out = []
    for epoch in range(max(0, current - count + 1), current + 1):
        week = collect(conn, chain.chain_id, calendar, epoch, trade_exchanges=EXCHANGE_NAMES)
        allocation = None
        if epoch in published and rewards.store is not None:
            try:
                entry = rewards.store.get(published[epoch]).by_account.get(account.lower())
                allocation = entry.amount if entry is not None else 0
            except DistributionUnavailable:
                allocation = None
        inputs = week.accounts.get(account, AccountInputs())
        out.append(Week(epoch, calendar.start(epoch), calendar.end(epoch), inputs, allocation))
    return identity.handle, account, out
