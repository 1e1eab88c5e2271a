"""What an epoch's scores are computed from, collected from the shared database.

For epoch ``N`` of a chain (the week ``[genesis + N weeks, genesis + (N + 1) weeks)`` in the
API's ``created_at`` seconds), per account, i.e. the current owner of a registered identity
(the mirrored ``identities`` table), checksummed:

* ``views`` / ``likes`` / ``comments``: distinct identities that viewed (first view), liked or
  commented on the account's posts during the week;
* ``live_attendance``: distinct identities that joined the account's live sessions that week;
* ``points``: contribution points of non-revoked ``attestations`` recorded for epoch ``N``,
  except trading-record entries (``KIND_RECORD``): they commit a creator's own trades to the
  chain and carry the contract's minimum amount only because it refuses zero; counting them
  would let a creator farm points by trading with themselves;
* ``trade_notional_micro``: notional of fills attributed to the account's content that week, on
  the exchanges the formula's ``trade_exchanges`` lists (paper fills cost nothing: by default
  they do not count).

Risk controls, in the queries: an interaction counts only from a user holding an identity in
the mirror, never from the account itself (its own views, likes, comments, attendance, trades);
revoked attestations are left out; an account without an identity scores nothing. Content its
author deleted, or the risk role hid (``api_hidden``), counts for nobody: neither the
engagement of a deleted or hidden post, nor the fills attributed to it, nor a deleted or hidden
comment (as read when the week is closed).

With a formula that weighs engagement by trust (``trust`` in the config), :func:`collect` also
reads the week's graph (:class:`WeekGraph`): who engaged with whom and how, attributed trades
per trader and creator, every identity's first-seen time, verification, pass holding and funder
keys, the revoked points and the quotas reached; :mod:`planet.rewards.trust` weighs the
quantities from it, and the canonical form (and so the published digest) covers it too.

Each quantity is one GROUP BY query over the week, never one query per account, so a week of
100,000 accounts takes seconds. Every table read is created by ``planet migrate``; a database
missing one is refused naming the command that creates it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from eth_utils import to_checksum_address
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    distinct,
    exists,
    false,
    func,
    inspect,
    select,
    true,
)

from planet.core import logs
from planet.core.epochs import EpochCalendar
from planet.core.errors import PlanetError
from planet.core.typed_data import KIND_RECORD
from planet.rewards import standing
from planet.store import MIRROR, OFFCHAIN
from planet.store.mirror import attestations, identities, owner_fundings, pass_holdings
from planet.store.offchain import (
    comments,
    contribution_attestations,
    fills,
    hidden,
    live_attendance,
    live_sessions,
    orders,
    post_likes,
    post_views,
    posts,
)

# /2: every source is always read (no ``sources``); ``trade_exchanges`` says which fills counted.
FORMAT = "planet.scoring-inputs/2"
# /3: /2 plus the week's graph, for formulas that weigh engagement by trust.
GRAPH_FORMAT = "planet.scoring-inputs/3"
MICRO = 10**6  # notional_micro is in millionths of the quote unit

log = logs.get("planet.rewards.inputs")

#: Every table the scores are read from: the indexer's mirror and the API's own.
REQUIRED_TABLES = {
    table.name: schema.command
    for schema, tables in (
        (MIRROR, (identities, attestations)),
        (
            OFFCHAIN,
            (
                posts,
                post_views,
                post_likes,
                comments,
                live_sessions,
                live_attendance,
                fills,
                hidden,
            ),
        ),
    )
    for table in tables
}
#: What the graph reads besides.
GRAPH_TABLES = {
    table.name: schema.command
    for schema, tables in (
        (MIRROR, (pass_holdings, owner_fundings)),
        (OFFCHAIN, (orders, contribution_attestations)),
    )
    for table in tables
}


def shown(table: Table, kind: str) -> ColumnElement[bool]:
    """``table``'s row (a post or comment) is neither deleted by its author nor hidden by the
    risk role: only such content counts for anyone."""
    return and_(
        table.c.deleted_at.is_(None),
        ~exists().where(
            hidden.c.chain_id == table.c.chain_id,
            hidden.c.kind == kind,
            hidden.c.target_id == table.c.id,
        ),
    )


def from_shown_posts(query: Select[Any]) -> Select[Any]:
    """``query`` over ``fills``, kept to the fills of orders placed from a post that is shown:
    a trade made from a post its author deleted or the risk role hid counts for nobody, like
    that post's views (the dashboard and analytics count fills through this too)."""
    return query.join(posts, posts.c.id == fills.c.post_id).where(shown(posts, "post"))


def _engagement_shown(source: Table) -> ColumnElement[bool]:
    """The engaged post is shown, and so is the comment when the engagement is one."""
    if source is comments:
        return and_(shown(posts, "post"), shown(comments, "comment"))
    return shown(posts, "post")


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


#: Engagement kinds of the graph, in the order of the weights.
ENGAGEMENTS = ("view", "like", "comment", "live_attendance")


@dataclass
class WeekGraph:
    """The week as a graph of identities (token ids), for the trust weighting."""

    owners: dict[int, str]  # token -> owner, lowercase
    #: (engager, creator, kind, item): one per engager, kind and post (live session for
    #: attendance), never the creator's own
    interactions: list[tuple[int, int, str, int]]
    trades: list[tuple[int, int, int]]  # (trader, creator, notional_micro), no self
    self_interactions: dict[int, int]  # creator -> own views, likes, ... trades left out
    first_seen: dict[int, int]  # token -> first act before the week's end
    verified: set[int]
    pass_holders: set[int]
    funders: dict[int, frozenset[str]]
    revoked_points: dict[str, int]  # owner (lowercase) -> points of revoked attestations
    quota_reached: dict[int, list[str]]  # token -> activities whose weekly quota it used up

    def canonical(self) -> dict[str, Any]:
        def ordered(d: Mapping[int, Any]) -> list[Any]:
            return [[k, d[k]] for k in sorted(d)]

        return {
            "interactions": sorted([list(i) for i in self.interactions]),
            "trades": sorted([[t, c, str(n)] for t, c, n in self.trades]),
            "self_interactions": ordered(self.self_interactions),
            "first_seen": ordered(self.first_seen),
            "verified": sorted(self.verified),
            "pass_holders": sorted(self.pass_holders),
            "funders": [[k, sorted(v)] for k, v in sorted(self.funders.items())],
            "owners": ordered(self.owners),
            "revoked_points": [[k, str(v)] for k, v in sorted(self.revoked_points.items())],
            "quota_reached": ordered(self.quota_reached),
        }


@dataclass
class EpochInputs:
    """Every account's inputs for one epoch, and the canonical form whose digest is published."""

    chain_id: int
    epoch: int
    start: int
    end: int
    trade_exchanges: tuple[str, ...]  # sorted: whose fills counted
    accounts: dict[str, AccountInputs] = field(default_factory=dict)  # checksummed address
    graph: WeekGraph | None = None  # read for formulas that weigh by trust

    def canonical(self) -> dict[str, Any]:
        """A plain structure, accounts sorted by lowercase address, only those with inputs."""
        rows = [
            [account, *inputs.row()]
            for account, inputs in sorted(self.accounts.items(), key=lambda kv: kv[0].lower())
            if inputs.any()
        ]
        data: dict[str, Any] = {
            "format": FORMAT if self.graph is None else GRAPH_FORMAT,
            "chain_id": self.chain_id,
            "epoch": self.epoch,
            "start": self.start,
            "end": self.end,
            "trade_exchanges": list(self.trade_exchanges),
            "fields": ["account", *ROW_FIELDS],
            "accounts": rows,
        }
        if self.graph is not None:
            data["graph"] = self.graph.canonical()
        return data


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
    graph: bool = False,
    public_relayers: Collection[str] = (),
    quotas: Mapping[str, int] | None = None,
    public_funders: Collection[str] = (),
) -> EpochInputs:
    """Reads the week's inputs (see the module docstring), counting fills only on
    ``trade_exchanges`` (the formula's), and the week's graph if ``graph``; raises
    :class:`InputsError`."""
    present = _present(conn)
    required = {**REQUIRED_TABLES, **(GRAPH_TABLES if graph else {})}
    missing = [name for name in required if name not in present]
    if missing:
        raise InputsError(
            f"the database has no {missing[0]} table: run `{required[missing[0]]}` first"
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
            .where(posts.c.chain_id == chain_id, who != author, _engagement_shown(source))
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
        query = _window(from_shown_posts(query), fills.c.filled_at, start, end)
        put("trade_notional_micro", _counts(conn, query))

    # Points: amounts are uint256 (SQLite keeps the largest as text), so they are summed here
    # exactly rather than by SQL; still one query for the whole week.
    points: dict[str, int] = {}
    for account, amount in conn.execute(
        select(attestations.c.account, attestations.c.amount).where(
            attestations.c.chain_id == chain_id,
            attestations.c.epoch == epoch,
            attestations.c.revoked == false(),
            attestations.c.kind != KIND_RECORD,
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
    if graph:
        result.graph = _graph(
            conn,
            chain_id,
            epoch,
            start,
            end,
            exchanges,
            owners,
            public_relayers,
            quotas or {},
            public_funders,
        )
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


def _graph(
    conn: Connection,
    chain_id: int,
    epoch: int,
    start: int,
    end: int,
    exchanges: tuple[str, ...],
    owners: dict[int, str],
    public_relayers: Collection[str],
    quotas: Mapping[str, int],
    public_funders: Collection[str] = (),
) -> WeekGraph:
    """The week's graph (see :class:`WeekGraph`); a handful of queries, none per account."""
    member = identities.c.chain_id == chain_id
    author = posts.c.author_token_id
    interactions: list[tuple[int, int, str, int]] = []
    own: dict[int, int] = {}
    sources = (
        ("view", post_views, post_views.c.token_id, post_views.c.first_viewed_at),
        ("like", post_likes, post_likes.c.token_id, post_likes.c.created_at),
        ("comment", comments, comments.c.author_token_id, comments.c.created_at),
    )
    for kind, source, who, at in sources:
        joined = source.join(posts, posts.c.id == source.c.post_id).join(
            identities, and_(member, identities.c.token_id == who)
        )
        rows = conn.execute(
            select(who, author, posts.c.id)
            .distinct()
            .select_from(joined)
            .where(posts.c.chain_id == chain_id, at >= start, at < end, _engagement_shown(source))
        )
        for engager, creator, item in rows:
            if engager == creator:
                own[int(creator)] = own.get(int(creator), 0) + 1
            else:
                interactions.append((int(engager), int(creator), kind, int(item)))
    who, host = live_attendance.c.token_id, live_sessions.c.host_token_id
    rows = conn.execute(
        select(who, host, live_sessions.c.id)
        .distinct()
        .select_from(
            live_attendance.join(
                live_sessions, live_sessions.c.id == live_attendance.c.session_id
            ).join(identities, and_(member, identities.c.token_id == who))
        )
        .where(
            live_sessions.c.chain_id == chain_id,
            live_attendance.c.joined_at >= start,
            live_attendance.c.joined_at < end,
        )
    )
    for engager, creator, item in rows:
        if engager == creator:
            own[int(creator)] = own.get(int(creator), 0) + 1
        else:
            interactions.append((int(engager), int(creator), "live_attendance", int(item)))

    trades: list[tuple[int, int, int]] = []
    if exchanges:
        creator, trader = fills.c.creator_token_id, fills.c.trader_token_id
        traded = conn.execute(
            from_shown_posts(
                select(trader, creator, fills.c.attributed, func.sum(fills.c.notional_micro))
                .select_from(fills.join(identities, and_(member, identities.c.token_id == trader)))
                .where(
                    fills.c.chain_id == chain_id,
                    fills.c.exchange.in_(exchanges),
                    fills.c.filled_at >= start,
                    fills.c.filled_at < end,
                )
            ).group_by(trader, creator, fills.c.attributed)
        )
        for t, c, attributed, notional in traded:
            if t == c or not attributed:
                own[int(c)] = own.get(int(c), 0) + 1
            else:
                trades.append((int(t), int(c), int(notional or 0)))

    holders = {
        str(h).lower()
        for (h,) in conn.execute(
            select(pass_holdings.c.holder).where(
                pass_holdings.c.chain_id == chain_id, pass_holdings.c.balance > 0
            )
        )
    }
    rows_, funders = standing.funders_of(conn, chain_id, None, public_relayers, public_funders)
    verified = {
        int(t)
        for (t,) in conn.execute(
            select(identities.c.token_id).where(member, identities.c.verified == true())
        )
    }
    revoked: dict[str, int] = {}
    for account, amount in conn.execute(
        select(attestations.c.account, attestations.c.amount).where(
            attestations.c.chain_id == chain_id,
            attestations.c.epoch == epoch,
            attestations.c.revoked == true(),
            attestations.c.kind != KIND_RECORD,
        )
    ):
        revoked[account.lower()] = revoked.get(account.lower(), 0) + int(amount)
    quota_reached: dict[int, list[str]] = {}
    t = contribution_attestations
    for token, activity, count in conn.execute(
        select(t.c.token_id, t.c.activity, func.count())
        .where(t.c.chain_id == chain_id, t.c.epoch == epoch)
        .group_by(t.c.token_id, t.c.activity)
    ):
        if activity in quotas and count >= quotas[activity]:
            quota_reached.setdefault(int(token), []).append(str(activity))
    return WeekGraph(
        owners={token: owner.lower() for token, owner in owners.items()},
        interactions=interactions,
        trades=trades,
        self_interactions=own,
        first_seen=standing.first_seen(conn, chain_id, before=end),
        verified=verified,
        pass_holders={token for token, owner, *_ in rows_ if owner.lower() in holders},
        funders=funders,
        revoked_points=revoked,
        quota_reached={k: sorted(v) for k, v in quota_reached.items()},
    )
