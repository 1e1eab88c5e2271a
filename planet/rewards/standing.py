"""What an identity's standing is read from: when Planet first saw it act, and who else shares
its funding source. The API (which activities earn points) and the close (how much an
engagement counts) read them the same way, from the same tables.

*First seen* is the earliest moment an identity posted, viewed, liked, commented, attended a
live session or placed an order. The mirror records registration by block only, and an identity
that never acted has no standing to lose, so its first act is the age that matters: a farm's
fresh identities are first seen the week they farm.

*Funder keys* say "funded from the same source": two identities sharing a key are one cluster.
An identity carries

* ``funder:<wallet>:<week>`` when its owner's first funding transaction (recorded by the
  indexer in ``owner_fundings``, :mod:`indexer.funding`) came from ``wallet`` in the week
  starting at ``<week>`` (Monday 00:00 UTC) or the week before: a farm funding its wallets
  from one wallet (two keys per funding, so fundings less than seven days apart always share
  one, even across a Monday);
* ``funded-block:<n>`` when its owner was first funded by a contract (an internal transfer, a
  multi-send) in block ``n``: a batch of wallets funded in one transaction;
* ``relayer:<it>`` when its registration was relayed by another wallet (``registerFor``: that
  wallet paid the gas);
* ``recovery:<it>`` for its recovery address (whoever can take it over controls it).

Wallets that fund or relay for everyone (an exchange's hot wallet, a faucet, a platform's
gasless onboarding) are named in the formula's ``trust.public_funders`` and
``trust.public_relayers`` and carry no key. The week bounds a funder's cluster: an honest
wallet that funded a friend months apart does not tie them together.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, func, select, union_all

from planet.core.epochs import week_start
from planet.store.mirror import identities, owner_fundings
from planet.store.offchain import comments, live_attendance, orders, post_likes, post_views, posts

ZERO_ADDRESS = "0x" + "00" * 20
WEEK = 7 * 24 * 3600


def _acts(chain_id: int) -> Any:
    """(token, when) of every act, as one subquery."""
    return union_all(
        select(posts.c.author_token_id.label("token"), posts.c.created_at.label("at")).where(
            posts.c.chain_id == chain_id
        ),
        select(post_views.c.token_id, post_views.c.first_viewed_at)
        .select_from(post_views.join(posts, posts.c.id == post_views.c.post_id))
        .where(posts.c.chain_id == chain_id),
        select(post_likes.c.token_id, post_likes.c.created_at)
        .select_from(post_likes.join(posts, posts.c.id == post_likes.c.post_id))
        .where(posts.c.chain_id == chain_id),
        select(comments.c.author_token_id, comments.c.created_at).where(
            comments.c.chain_id == chain_id
        ),
        select(live_attendance.c.token_id, live_attendance.c.joined_at),
        select(orders.c.trader_token_id, orders.c.created_at).where(orders.c.chain_id == chain_id),
    ).subquery()


def first_seen(
    conn: Connection,
    chain_id: int,
    tokens: Collection[int] | None = None,
    before: int | None = None,
) -> dict[int, int]:
    """Token id -> the time of its first act (before ``before``, if given); tokens that never
    acted are absent."""
    acts = _acts(chain_id)
    query = select(acts.c.token, func.min(acts.c.at)).group_by(acts.c.token)
    if before is not None:
        query = query.where(acts.c.at < before)
    if tokens is not None:
        if not tokens:
            return {}
        query = query.where(acts.c.token.in_(sorted(set(tokens))))
    return {int(token): int(at) for token, at in conn.execute(query)}


def funder_keys(
    rows: Iterable[tuple[int, str, str, str]],
    public_relayers: Collection[str] = (),
    fundings: Mapping[str, tuple[str, str | None, int | None, int | None]] | None = None,
    public_funders: Collection[str] = (),
) -> dict[int, frozenset[str]]:
    """Token id -> its funder keys, from ``(token, owner, relayer, recovery)`` rows and the
    owners' first fundings (owner -> ``(status, funder, block, time)``, :func:`fundings`)."""
    public = {a.lower() for a in public_relayers}
    common = {a.lower() for a in public_funders}
    out: dict[int, frozenset[str]] = {}
    for token, owner, relayer, recovery in rows:
        keys = set()
        if relayer and relayer.lower() != owner.lower() and relayer.lower() not in public:
            keys.add(f"relayer:{relayer.lower()}")
        if recovery and recovery.lower() != ZERO_ADDRESS:
            keys.add(f"recovery:{recovery.lower()}")
        funding = (fundings or {}).get(owner.lower())
        if funding is not None:
            status, funder, block, when = funding
            if status == "found" and funder and when is not None and funder not in common:
                # its week and the next: two fundings less than a week apart always share one,
                # whichever side of a Monday they fall
                week = week_start(when)
                keys |= {f"funder:{funder}:{week}", f"funder:{funder}:{week + WEEK}"}
            elif status == "internal" and block is not None:
                keys.add(f"funded-block:{block}")
        if keys:
            out[int(token)] = frozenset(keys)
    return out


def fundings(
    conn: Connection, chain_id: int, owners: Collection[str] | None = None
) -> dict[str, tuple[str, str | None, int | None, int | None]]:
    """Owner (lowercase) -> ``(status, funder, block, time)`` of its first funding, as the
    indexer recorded it."""
    if owners is not None and not owners:
        return {}
    t = owner_fundings
    query = select(t.c.owner, t.c.status, t.c.funder, t.c.block_number, t.c.block_time).where(
        t.c.chain_id == chain_id
    )
    if owners is not None:
        query = query.where(t.c.owner.in_(sorted({o.lower() for o in owners})))
    return {
        str(owner): (str(status), funder, block, when)
        for owner, status, funder, block, when in conn.execute(query)
    }


def funders_of(
    conn: Connection,
    chain_id: int,
    tokens: Collection[int] | None = None,
    public_relayers: Collection[str] = (),
    public_funders: Collection[str] = (),
) -> tuple[list[tuple[int, str, str, str]], dict[int, frozenset[str]]]:
    """The identity rows of ``tokens`` (all the chain's if None) and their funder keys: what
    the API's eligibility and the close's graph both read."""
    rows = identity_rows(conn, chain_id, tokens)
    funded = fundings(conn, chain_id, None if tokens is None else {o for _, o, *_ in rows})
    return rows, funder_keys(rows, public_relayers, funded, public_funders)


def identity_rows(
    conn: Connection, chain_id: int, tokens: Collection[int] | None = None
) -> list[tuple[int, str, str, str]]:
    """``(token, owner, relayer, recovery)`` of the chain's identities (or of ``tokens``)."""
    query = select(
        identities.c.token_id, identities.c.owner, identities.c.relayer, identities.c.recovery
    ).where(identities.c.chain_id == chain_id)
    if tokens is not None:
        query = query.where(identities.c.token_id.in_(sorted(set(tokens))))
    return [(int(t), o, r, c) for t, o, r, c in conn.execute(query)]


def same_funder(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    return bool(a and b and a & b)
