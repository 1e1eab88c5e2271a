"""What an identity's standing is read from: when Planet first saw it act, and who else shares
its funding source. The API (which activities earn points) and the close (how much an
engagement counts) read them the same way, from the same tables.

*First seen* is the earliest moment an identity posted, viewed, liked, commented, attended a
live session or placed an order. The mirror records registration by block only, and an identity
that never acted has no standing to lose, so its first act is the age that matters: a farm's
fresh identities are first seen the week they farm.

*Funder keys* stand in for "funded from the same source": an identity whose registration was
relayed by another wallet (``registerFor``: that wallet paid the gas) carries ``relayer:<it>``,
and one with a recovery address carries ``recovery:<it>`` (whoever can take it over controls
it). Two identities sharing a key are one cluster. Relayers serving everyone (a platform's
gasless onboarding) are named in the formula's ``trust.public_relayers`` and carry no key. The
first funding transaction of each owner would be a finer signal, but the mirror is built from
logs and a plain transfer emits none, so reading it would mean tracing every block.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Connection, func, select, union_all

from planet.store.mirror import identities
from planet.store.offchain import comments, live_attendance, orders, post_likes, post_views, posts

ZERO_ADDRESS = "0x" + "00" * 20


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
    rows: Iterable[tuple[int, str, str, str]], public_relayers: Collection[str] = ()
) -> dict[int, frozenset[str]]:
    """Token id -> its funder keys, from ``(token, owner, relayer, recovery)`` rows."""
    public = {a.lower() for a in public_relayers}
    out: dict[int, frozenset[str]] = {}
    for token, owner, relayer, recovery in rows:
        keys = set()
        if relayer and relayer.lower() != owner.lower() and relayer.lower() not in public:
            keys.add(f"relayer:{relayer.lower()}")
        if recovery and recovery.lower() != ZERO_ADDRESS:
            keys.add(f"recovery:{recovery.lower()}")
        if keys:
            out[int(token)] = frozenset(keys)
    return out


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
