"""Pass-gated private communities: who may read a creator's private posts.

The rule is ``CommunityPass.hasAccess(holder, passId)``, evaluated on the indexer's mirrored
``passes`` and ``pass_holdings`` tables at the API clock's ``now`` (tests pass the chain's clock):

* a lifetime pass (``duration`` 0) grants access while the wallet's balance is above zero;
* a subscription grants access while ``now < expiry`` (the expiry is exclusive, as on chain).

A reader may read a creator's private community when the reader's wallet has access to *one of
that creator's passes* (passes whose ``creator`` is the wallet that currently owns the creator's
identity). A pass of another creator gives nothing. The creator always reads their own.

A refusal names why, as the error code clients branch on:

* ``pass_expired``: the wallet held a subscription to one of this creator's passes that lapsed;
* ``pass_required``: anything else (never held one, or a lifetime pass transferred away).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Select, bindparam, or_, select

from api.errors import ErrorCode, Forbidden
from api.services.identities import Identity
from planet.store.mirror import identities, pass_holdings, passes

PASS_REQUIRED = ErrorCode.PASS_REQUIRED
PASS_EXPIRED = ErrorCode.PASS_EXPIRED


class AccessPolicy(Protocol):
    def has_access(
        self, conn: Connection, chain_id: int, holder: str, pass_id: int, now: int
    ) -> bool:
        """Whether ``holder`` may read content gated by ``pass_id`` at ``now`` (a lifetime
        pass held, or a subscription not yet expired)."""
        ...

    def community_access(
        self, conn: Connection, creator: Identity, reader: str | None, now: int
    ) -> Decision:
        """Whether wallet ``reader`` may read ``creator``'s private community at ``now``."""
        ...

    def readable_author_ids(
        self, conn: Connection, chain_id: int, reader: str, now: int
    ) -> list[int]:
        """The identity token ids whose private content (posts, live sessions) ``reader`` may
        read at ``now``: its own identity's, and those of the creators of passes it holds with
        access. Listings bind them into their one statement (read in the same transaction), so
        what a reader cannot read is never matched, counted or ordered against."""
        ...


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # "creator" | "pass" when allowed; PASS_REQUIRED | PASS_EXPIRED when not
    # When an allowed decision lapses by time alone (the latest expiry of the subscriptions
    # granting it); None: nothing but a chain event ends it (a lifetime pass, the creator).
    until: int | None = None

    def enforce(self, creator: Identity) -> None:
        """Raises the 403 this refusal answers with; nothing when allowed."""
        if self.allowed:
            return
        if self.reason == PASS_EXPIRED:
            message = f"your subscription to @{creator.handle}'s community has expired; renew it"
        else:
            message = f"@{creator.handle}'s private community needs one of their passes"
        raise Forbidden(message, code=ErrorCode(self.reason))


def grants(duration: int, balance: int, expiry: int, now: int) -> bool:
    """``CommunityPass.hasAccess`` on one mirrored holding."""
    if duration == 0:
        return balance > 0
    return now < expiry


def holdings(*columns: Any) -> Select[Any]:
    """Each mirrored holding with its pass's duration (what :func:`grants` reads), and
    ``columns`` besides."""
    return select(
        passes.c.duration, pass_holdings.c.balance, pass_holdings.c.expiry, *columns
    ).join(
        pass_holdings,
        (pass_holdings.c.chain_id == passes.c.chain_id)
        & (pass_holdings.c.pass_id == passes.c.pass_id),
    )


# What ``holder`` holds of ``creator``'s passes: read on every gated request, so built once.
_HOLDINGS_OF_CREATOR = holdings().where(
    passes.c.chain_id == bindparam("chain_id"),
    passes.c.creator == bindparam("creator"),
    pass_holdings.c.holder == bindparam("holder"),
)


# The creators of the passes the reader (lower-case) holds a lifetime pass of or a subscription
# whose expiry is ahead of now (grants() in SQL); with the reader's own identity, the authors
# whose private content it may read. Every value bound, built once: search reads it on every
# keystroke.
_GRANTING = (
    select(passes.c.creator)
    .join(
        pass_holdings,
        (pass_holdings.c.chain_id == passes.c.chain_id)
        & (pass_holdings.c.pass_id == passes.c.pass_id),
    )
    .where(
        passes.c.chain_id == bindparam("chain_id"),
        pass_holdings.c.holder == bindparam("reader"),
        or_(
            (passes.c.duration == 0) & (pass_holdings.c.balance > 0),
            (passes.c.duration != 0) & (pass_holdings.c.expiry > bindparam("now")),
        ),
    )
)
_READABLE_AUTHORS = select(identities.c.token_id).where(
    identities.c.chain_id == bindparam("chain_id"),
    or_(identities.c.owner == bindparam("reader"), identities.c.owner.in_(_GRANTING)),
)


class PassAccess:
    """The :class:`AccessPolicy` read from the indexer's mirrored pass tables."""

    def readable_author_ids(
        self, conn: Connection, chain_id: int, reader: str, now: int
    ) -> list[int]:
        params = {"chain_id": chain_id, "reader": reader.lower(), "now": now}
        return list(conn.execute(_READABLE_AUTHORS, params).scalars())

    def has_access(
        self, conn: Connection, chain_id: int, holder: str, pass_id: int, now: int
    ) -> bool:
        row = conn.execute(
            holdings().where(
                passes.c.chain_id == chain_id,
                passes.c.pass_id == pass_id,
                pass_holdings.c.holder == holder.lower(),
            )
        ).one_or_none()
        return row is not None and grants(int(row.duration), row.balance, row.expiry, now)

    def community_access(
        self, conn: Connection, creator: Identity, reader: str | None, now: int
    ) -> Decision:
        if reader is None:
            return Decision(False, PASS_REQUIRED)
        reader = reader.lower()
        if reader == creator.owner.lower():
            return Decision(True, "creator")
        rows = conn.execute(
            _HOLDINGS_OF_CREATOR,
            {"chain_id": creator.chain_id, "creator": creator.owner.lower(), "holder": reader},
        ).all()
        lapsed = False
        granted = False
        until: int | None = 0
        for row in rows:
            duration = int(row.duration)
            if grants(duration, row.balance, row.expiry, now):
                granted = True
                # a lifetime pass never lapses by time; subscriptions lapse at their expiry
                until = None if duration == 0 or until is None else max(until, row.expiry)
            lapsed = lapsed or (duration != 0 and row.expiry > 0)
        if granted:
            return Decision(True, "pass", until)
        return Decision(False, PASS_EXPIRED if lapsed else PASS_REQUIRED)
