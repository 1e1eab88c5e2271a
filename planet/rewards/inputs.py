"""What an epoch's scores are computed from, collected from the shared database.

For epoch ``N`` of a chain (the week ``[genesis + N weeks, genesis + (N + 1) weeks)`` in the
API's ``created_at`` seconds), per account, i.e. the current owner of a registered identity
(the mirrored ``identities`` table), checksummed:

* ``views`` / ``likes`` / ``comments``: distinct identities that viewed (first view), liked or
  commented on the account's posts during the week;
* ``live_attendance``: distinct identities that joined the account's live sessions that week;
* ``points``: contribution points of non-revoked ``attestations`` recorded for epoch ``N``;
* ``trade_notional_micro``: notional of fills attributed to the account's content that week, on
  the exchanges the formula's ``trade_exchanges`` lists (paper fills cost nothing: by default
  they do not count).

Risk controls, in the queries: an interaction counts only from a user holding an identity in
the mirror, never from the account itself (its own views, likes, comments, attendance, trades);
revoked attestations are left out; an account without an identity scores nothing.

Each quantity is one GROUP BY query over the week, never one query per account, so a week of
100,000 accounts takes seconds. Every table read is created by ``planet migrate``; a database
missing one is refused naming the command that creates it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from eth_utils import to_checksum_address
from sqlalchemy import Connection, Select, and_, distinct, false, func, inspect, select, true

from planet.core import logs
from planet.core.epochs import EpochCalendar
from planet.core.errors import PlanetError
from planet.store import MIRROR, OFFCHAIN
from planet.store.mirror import attestations, identities
from planet.store.offchain import (
    comments,
    fills,
    live_attendance,
    live_sessions,
    post_likes,
    post_views,
    posts,
)

# /2: every source is always read (no ``sources``); ``trade_exchanges`` says which fills counted.
FORMAT = "planet.scoring-inputs/2"
MICRO = 10**6  # notional_micro is in millionths of the quote unit

log = logs.get("planet.rewards.inputs")

#: Every table the scores are read from: the indexer's mirror and the API's own.
REQUIRED_TABLES = {
    table.name: schema.command
    for schema, tables in (
        (MIRROR, (identities, attestations)),
        (
            OFFCHAIN,
            (posts, post_views, post_likes, comments, live_sessions, live_attendance, fills),
        ),
    )
    for table in tables
}


class InputsError(PlanetError):
    """The database cannot give the inputs (a table the scores need is missing)."""


@dataclass
class AccountInputs:
    """One account's quantities for the week."""

    views: int = 0
    likes: int = 0
    comments: int = 0
    live_attendance: int = 0
    points: int = 0
    trade_notional_micro: int = 0

    def quantities(self) -> dict[str, int]:
        """What each weight of :mod:`planet.rewards.scoring` multiplies; trade counts whole
        quote units (a fraction of a unit does not score)."""
        return {
            "view": self.views,
            "like": self.likes,
            "comment": self.comments,
            "live_attendance": self.live_attendance,
            "points": self.points,
            "trade": self.trade_notional_micro // MICRO,
        }

    def row(self) -> list[int | str]:
        # points and notional may exceed 2^53: strings, as amounts are in the distribution file
        return [
            self.views,
            self.likes,
            self.comments,
            self.live_attendance,
            str(self.points),
            str(self.trade_notional_micro),
        ]

    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


ROW_FIELDS = [f.name for f in fields(AccountInputs)]


@dataclass
class EpochInputs:
    """Every account's inputs for one epoch, and the canonical form whose digest is published."""

    chain_id: int
    epoch: int
    start: int
    end: int
    trade_exchanges: tuple[str, ...]  # sorted: whose fills counted
    accounts: dict[str, AccountInputs] = field(default_factory=dict)  # checksummed address

    def canonical(self) -> dict[str, Any]:
        """A plain structure, accounts sorted by lowercase address, only those with inputs."""
        rows = [
            [account, *inputs.row()]
            for account, inputs in sorted(self.accounts.items(), key=lambda kv: kv[0].lower())
            if inputs.any()
        ]
        return {
            "format": FORMAT,
            "chain_id": self.chain_id,
            "epoch": self.epoch,
            "start": self.start,
            "end": self.end,
            "trade_exchanges": list(self.trade_exchanges),
            "fields": ["account", *ROW_FIELDS],
            "accounts": rows,
        }


def _present(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def _window(query: Select[Any], at: Any, start: int, end: int) -> Select[Any]:
    return query.where(at >= start, at < end)


def _counts(conn: Connection, query: Select[Any]) -> Iterable[tuple[int, int]]:
    for key, value in conn.execute(query):
        yield int(key), int(value or 0)


def collect(
    conn: Connection,
    chain_id: int,
    calendar: EpochCalendar,
    epoch: int,
    *,
    trade_exchanges: Collection[str],
) -> EpochInputs:
    """Reads the week's inputs (see the module docstring), counting fills only on
    ``trade_exchanges`` (the formula's); raises :class:`InputsError`."""
    present = _present(conn)
    missing = [name for name in REQUIRED_TABLES if name not in present]
    if missing:
        raise InputsError(
            f"the database has no {missing[0]} table: run `{REQUIRED_TABLES[missing[0]]}` first"
        )
    start, end = calendar.start(epoch), calendar.end(epoch)
    exchanges = tuple(sorted(set(trade_exchanges)))

    # token id -> owner, for the chain; an interacting user counts only if it is in here
    owners = {
        int(token): owner
        for token, owner in conn.execute(
            select(identities.c.token_id, identities.c.owner).where(
                identities.c.chain_id == chain_id
            )
        )
    }
    member = identities.c.chain_id == chain_id
    per_token: dict[int, AccountInputs] = {}

    def put(attribute: str, rows: Iterable[tuple[int, int]]) -> None:
        for token, value in rows:
            if token in owners and value:
                inputs = per_token.setdefault(token, AccountInputs())
                setattr(inputs, attribute, getattr(inputs, attribute) + value)

    # (quantity, table, who interacted, when): distinct identified users per post author
    engagement = (
        ("views", post_views, post_views.c.token_id, post_views.c.first_viewed_at),
        ("likes", post_likes, post_likes.c.token_id, post_likes.c.created_at),
        ("comments", comments, comments.c.author_token_id, comments.c.created_at),
    )
    author = posts.c.author_token_id
    for attribute, source, who, at in engagement:
        query = (
            select(author, func.count(distinct(who)))
            .select_from(source.join(posts, posts.c.id == source.c.post_id))
            .join(identities, and_(member, identities.c.token_id == who))
            .where(posts.c.chain_id == chain_id, who != author)
            .group_by(author)
        )
        put(attribute, _counts(conn, _window(query, at, start, end)))
    who = live_attendance.c.token_id
    host = live_sessions.c.host_token_id
    query = (
        select(host, func.count(distinct(who)))
        .select_from(
            live_attendance.join(live_sessions, live_sessions.c.id == live_attendance.c.session_id)
        )
        .join(identities, and_(member, identities.c.token_id == who))
        .where(live_sessions.c.chain_id == chain_id, who != host)
        .group_by(host)
    )
    put("live_attendance", _counts(conn, _window(query, live_attendance.c.joined_at, start, end)))
    if exchanges:
        creator, trader = fills.c.creator_token_id, fills.c.trader_token_id
        # One row per fill, added up by ``put`` in Python: notionals are exact integers of any
        # size, which SQLite's SUM cannot add ("integer overflow" past 2^63).
        query = (
            select(creator, fills.c.notional_micro)
            .select_from(fills)
            .join(identities, and_(member, identities.c.token_id == trader))
            .where(
                fills.c.chain_id == chain_id,
                fills.c.attributed == true(),
                fills.c.exchange.in_(exchanges),
                creator != trader,  # never attributed anyway; kept as a second guard
            )
        )
        query = _window(query, fills.c.filled_at, start, end)
        put("trade_notional_micro", _counts(conn, query))

    # Points: amounts are uint256 (SQLite keeps the largest as text), so they are summed here
    # exactly rather than by SQL; still one query for the whole week.
    points: dict[str, int] = {}
    for account, amount in conn.execute(
        select(attestations.c.account, attestations.c.amount).where(
            attestations.c.chain_id == chain_id,
            attestations.c.epoch == epoch,
            attestations.c.revoked == false(),
        )
    ):
        key = account.lower()
        points[key] = points.get(key, 0) + int(amount)

    # by owner (lowercase), then checksummed once per scoring account, not per identity
    by_owner: dict[str, AccountInputs] = {}
    for token, inputs in per_token.items():
        _merge(by_owner.setdefault(owners[token].lower(), AccountInputs()), inputs)
    registered = {owner.lower() for owner in owners.values()}
    for owner, amount in points.items():
        if owner in registered and amount:
            by_owner.setdefault(owner, AccountInputs()).points += amount
    accounts: dict[str, AccountInputs] = {
        to_checksum_address(owner): inputs for owner, inputs in by_owner.items()
    }
    result = EpochInputs(chain_id, epoch, start, end, exchanges, accounts)
    log.info(
        "inputs collected",
        epoch=epoch,
        accounts=len(accounts),
        identities=len(owners),
        trade_exchanges=",".join(exchanges),
    )
    return result


def _merge(into: AccountInputs, other: AccountInputs) -> None:
    """Two identities owned by one wallet (only transiently, in a recovery) add up."""
    for f in fields(AccountInputs):
        setattr(into, f.name, getattr(into, f.name) + getattr(other, f.name))
