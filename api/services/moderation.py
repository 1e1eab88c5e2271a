"""Reports, the risk role's review queue, its decisions, and revocation of what hidden content
earned.

Rules (each is tested):

* Anyone with an identity reports a post, comment, chat message or identity once, with a reason
  (``REPORT_REASONS``); the first reason stands, repeats are idempotent.
* The risk role is on chain: a wallet is a moderator while the mirrored ``points_roles`` says it
  holds ContributionPoints' ``RISK_ROLE`` (the same key that may ``revoke`` attestations), and
  signs in with SIWE like anyone (403 ``risk_role_required`` otherwise). Granting or revoking
  the role on chain is the only way in or out: the API keeps no list of its own.
* The queue lists content with open reports, the oldest first report first, each with its
  report count per reason, its author and its full text (moderators read private content).
* Decisions: ``hide`` (with a label from ``LABELS``, shown to everyone in place of the text;
  409 ``already_hidden``; a chat message's open sockets are told once it is stored, see
  :func:`api.services.chat.moderated_event`), ``restore`` (409 ``not_hidden``), ``dismiss``
  (reports unfounded), ``revoke`` (see below). Each is one row of ``api_moderation_decisions``
  with who and why, and closes every open report of its target. The log is never edited; the
  author reads the decisions about their content (``GET /moderation/decisions/mine``).
* Revoking: the attestations earned by a post (its own and those of trades attributed to it) or
  a comment, recorded on chain and not yet revoked, are listed with the calldata of
  ``ContributionPoints.revoke(uid, reason)`` for the risk wallet to send (409
  ``nothing_to_revoke`` when there is none). The indexer mirrors ``ContributionRevoked`` and the
  week's score leaves revoked points out (:mod:`planet.rewards.inputs`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, keccak
from sqlalchemy import Connection, RowMapping, and_, delete, func, insert, or_, select, update

from api.errors import ApiError, ErrorCode, Forbidden, NotFound, Unavailable
from api.services import identities, profiles
from api.services import posts as post_service
from api.services.chain import ChainContext
from api.services.identities import Identity
from api.services.posts import ContentChange
from planet.store.mirror import attestations as recorded
from planet.store.mirror import points_roles
from planet.store.offchain import (
    contribution_attestations,
    fills,
    hidden,
    live_messages,
    live_sessions,
    moderation_decisions,
    reports,
)
from planet.store.sql import insert_ignore

Kind = Literal["post", "comment", "message", "identity"]
KINDS: tuple[Kind, ...] = ("post", "comment", "message", "identity")
REPORT_REASONS = post_service.REPORT_REASONS
#: Labels the risk role hides content under, shown to everyone.
LABELS = ("undisclosed_promotion", "scam", "spam", "harassment", "impersonation", "other")
Action = Literal["hide", "restore", "dismiss", "revoke"]

RISK_ROLE = "0x" + keccak(text="RISK_ROLE").hex()
REVOKE_SIGNATURE = "revoke(bytes32,string)"
_REVOKE_SELECTOR = function_signature_to_4byte_selector(REVOKE_SIGNATURE)


class Conflict(ApiError):
    status = 409


@dataclass(frozen=True)
class Target:
    """A reported or moderated piece of content, as the risk role sees it."""

    kind: Kind
    target_id: int
    author_token_id: int | None
    author_address: str | None
    text: str
    deleted: bool
    hidden_label: str | None
    post_id: int | None = None  # a comment's post
    session_id: int | None = None  # a chat message's live session


@dataclass(frozen=True)
class QueueItem:
    target: Target
    reports: int
    reasons: dict[str, int]
    notes: list[str]
    first_reported_at: int
    last_reported_at: int
    first_report_id: int


@dataclass(frozen=True)
class Revocation:
    uid: str
    activity: str
    activity_id: int
    account: str
    epoch: int
    amount: int
    calldata: str


@dataclass(frozen=True)
class Decision:
    row: RowMapping
    revocations: list[Revocation] = field(default_factory=list)


def revoke_calldata(uid: str, reason: str) -> str:
    """The calldata of ``ContributionPoints.revoke(uid, reason)`` (0x-hex)."""
    arguments = encode(["bytes32", "string"], [bytes.fromhex(uid[2:]), reason])
    return "0x" + (_REVOKE_SELECTOR + arguments).hex()


def is_moderator(conn: Connection, chain_id: int, address: str) -> bool:
    """Whether ``address`` holds ContributionPoints' RISK_ROLE, as the indexer mirrored it."""
    held = conn.execute(
        select(points_roles.c.held).where(
            points_roles.c.chain_id == chain_id,
            points_roles.c.role == RISK_ROLE,
            points_roles.c.account == address.lower(),
        )
    ).scalar()
    return bool(held)


def require_moderator(conn: Connection, chain_id: int, address: str) -> str:
    if not is_moderator(conn, chain_id, address):
        raise Forbidden(
            f"{address} does not hold the risk role (RISK_ROLE of ContributionPoints) on chain "
            f"{chain_id}; an admin grants it on chain",
            code=ErrorCode.RISK_ROLE_REQUIRED,
        )
    return address.lower()


def target(conn: Connection, chain_id: int, kind: Kind, target_id: int) -> Target:
    """The content ``kind`` ``target_id`` names on ``chain_id`` (404 if none)."""
    label = _label(conn, chain_id, kind, target_id)
    if kind == "post":
        row = post_service.get(conn, chain_id, target_id)
        return Target(
            kind,
            target_id,
            row["author_token_id"],
            row["author_address"],
            row["body"],
            row["deleted_at"] is not None,
            label,
        )
    if kind == "comment":
        row = post_service.get_comment(conn, chain_id, target_id)
        return Target(
            kind,
            target_id,
            row["author_token_id"],
            row["author_address"],
            row["body"],
            row["deleted_at"] is not None,
            label,
            post_id=row["post_id"],
        )
    if kind == "message":
        message = (
            conn.execute(
                select(live_messages)
                .join(live_sessions, live_sessions.c.id == live_messages.c.session_id)
                .where(live_messages.c.id == target_id, live_sessions.c.chain_id == chain_id)
            )
            .mappings()
            .one_or_none()
        )
        if message is None:
            raise NotFound(f"no chat message {target_id}")
        return Target(
            kind,
            target_id,
            message["token_id"],
            message["author_address"],
            message["body"],
            False,
            label,
            session_id=message["session_id"],
        )
    identity = identities.by_token(conn, chain_id, target_id)
    if identity is None:
        raise NotFound(f"no identity with token id {target_id} on chain {chain_id}")
    persona = profiles.persona_of(conn, identity)
    text = f"@{identity.handle}" + ("" if persona is None else f": {persona['bio']}")
    return Target(kind, target_id, identity.token_id, identity.owner, text, False, label)


def _label(conn: Connection, chain_id: int, kind: str, target_id: int) -> str | None:
    return conn.execute(
        select(hidden.c.label).where(
            hidden.c.chain_id == chain_id, hidden.c.kind == kind, hidden.c.target_id == target_id
        )
    ).scalar()


def label_of(conn: Connection, chain_id: int, kind: Kind, target_id: int) -> str | None:
    """The label content is hidden under, or None while it is shown."""
    return _label(conn, chain_id, kind, target_id)


def report(
    conn: Connection,
    who: Identity,
    kind: Kind,
    target_id: int,
    reason: str,
    note: str | None,
    now: int,
) -> str:
    """Records ``who``'s report of the content (the caller checked it exists and may be read);
    returns the reason that stands (the first one)."""
    insert_ignore(
        conn,
        reports,
        {
            "chain_id": who.chain_id,
            "kind": kind,
            "target_id": target_id,
            "reporter_token_id": who.token_id,
            "reason": reason,
            "note": note,
            "created_at": now,
        },
    )
    return conn.execute(
        select(reports.c.reason).where(
            reports.c.chain_id == who.chain_id,
            reports.c.kind == kind,
            reports.c.target_id == target_id,
            reports.c.reporter_token_id == who.token_id,
        )
    ).scalar_one()


def report_target(
    conn: Connection,
    who: Identity,
    kind: Kind,
    target_id: int,
    reason: str,
    note: str | None,
    now: int,
) -> str:
    """A report of a comment, chat message or identity (posts go through their own route,
    which checks the reader may read the post): the target must exist and not be deleted."""
    found = target(conn, who.chain_id, kind, target_id)
    if found.deleted:
        raise post_service.ContentDeleted(f"{kind} {target_id} was deleted by its author")
    return report(conn, who, kind, target_id, reason, note, now)


def queue(conn: Connection, chain_id: int, after: int, limit: int) -> list[QueueItem]:
    """Content with open reports, by first open report (oldest first), after report id
    ``after`` (the keyset cursor)."""
    first = func.min(reports.c.id)
    groups = conn.execute(
        select(reports.c.kind, reports.c.target_id, first.label("first_id"))
        .where(reports.c.chain_id == chain_id, reports.c.decision_id.is_(None))
        .group_by(reports.c.kind, reports.c.target_id)
        .having(first > after)
        .order_by(first)
        .limit(limit)
    ).all()
    items = []
    for kind, target_id, first_id in groups:
        rows = (
            conn.execute(
                select(reports).where(
                    reports.c.chain_id == chain_id,
                    reports.c.kind == kind,
                    reports.c.target_id == target_id,
                    reports.c.decision_id.is_(None),
                )
            )
            .mappings()
            .all()
        )
        items.append(
            QueueItem(
                target=target(conn, chain_id, kind, target_id),
                reports=len(rows),
                reasons=dict(Counter(r["reason"] for r in rows)),
                notes=[r["note"] for r in rows if r["note"]],
                first_reported_at=min(r["created_at"] for r in rows),
                last_reported_at=max(r["created_at"] for r in rows),
                first_report_id=first_id,
            )
        )
    return items


def _decide(
    conn: Connection,
    chain_id: int,
    found: Target,
    action: Action,
    label: str | None,
    reason: str,
    moderator: str,
    now: int,
    uids: list[str] | None = None,
) -> RowMapping:
    decision_id = conn.execute(
        insert(moderation_decisions)
        .values(
            chain_id=chain_id,
            kind=found.kind,
            target_id=found.target_id,
            author_token_id=found.author_token_id,
            action=action,
            label=label,
            reason=reason,
            decided_by=moderator,
            uids=uids,
            created_at=now,
        )
        .returning(moderation_decisions.c.id)
    ).scalar_one()
    conn.execute(
        update(reports)
        .where(
            reports.c.chain_id == chain_id,
            reports.c.kind == found.kind,
            reports.c.target_id == found.target_id,
            reports.c.decision_id.is_(None),
        )
        .values(decision_id=decision_id)
    )
    return (
        conn.execute(select(moderation_decisions).where(moderation_decisions.c.id == decision_id))
        .mappings()
        .one()
    )


def hide(
    conn: Connection,
    chain_id: int,
    moderator: str,
    kind: Kind,
    target_id: int,
    label: str,
    reason: str,
    now: int,
) -> Decision:
    """Hides the content under ``label`` (409 ``already_hidden``)."""
    found = target(conn, chain_id, kind, target_id)
    if found.hidden_label is not None:
        raise Conflict(
            f"{kind} {target_id} is already hidden ({found.hidden_label}); restore it first to "
            "change the label",
            code=ErrorCode.ALREADY_HIDDEN,
        )
    row = _decide(conn, chain_id, found, "hide", label, reason, moderator, now)
    conn.execute(
        insert(hidden).values(
            chain_id=chain_id,
            kind=kind,
            target_id=target_id,
            label=label,
            decision_id=row["id"],
            hidden_at=now,
        )
    )
    post_service.content_changed(conn, ContentChange(chain_id, kind, target_id, "hidden"))
    return Decision(row)


def restore(
    conn: Connection,
    chain_id: int,
    moderator: str,
    kind: Kind,
    target_id: int,
    reason: str,
    now: int,
) -> Decision:
    """Shows hidden content again (409 ``not_hidden``)."""
    found = target(conn, chain_id, kind, target_id)
    if found.hidden_label is None:
        raise Conflict(f"{kind} {target_id} is not hidden", code=ErrorCode.NOT_HIDDEN)
    row = _decide(conn, chain_id, found, "restore", found.hidden_label, reason, moderator, now)
    conn.execute(
        delete(hidden).where(
            hidden.c.chain_id == chain_id, hidden.c.kind == kind, hidden.c.target_id == target_id
        )
    )
    post_service.content_changed(conn, ContentChange(chain_id, kind, target_id, "restored"))
    return Decision(row)


def dismiss(
    conn: Connection,
    chain_id: int,
    moderator: str,
    kind: Kind,
    target_id: int,
    reason: str,
    now: int,
) -> Decision:
    """Closes the content's open reports with no action."""
    found = target(conn, chain_id, kind, target_id)
    return Decision(_decide(conn, chain_id, found, "dismiss", None, reason, moderator, now))


def earned(conn: Connection, chain_id: int, kind: Kind, target_id: int) -> list[Revocation]:
    """The attestations the content earned that are recorded on chain and not revoked: a
    post's own and those of the trades attributed to it; a comment's own."""
    t = contribution_attestations
    if kind == "post":
        trades = select(fills.c.id).where(
            fills.c.chain_id == chain_id, fills.c.post_id == target_id
        )
        which = or_(
            and_(t.c.activity == "post", t.c.activity_id == target_id),
            and_(t.c.activity == "trade", t.c.activity_id.in_(trades)),
        )
    elif kind == "comment":
        which = and_(t.c.activity == "comment", t.c.activity_id == target_id)
    else:
        return []
    rows = conn.execute(
        select(t)
        .join(recorded, and_(recorded.c.chain_id == t.c.chain_id, recorded.c.uid == t.c.uid))
        .where(t.c.chain_id == chain_id, which, recorded.c.revoked.is_(False))
        .order_by(t.c.activity, t.c.activity_id)
    ).mappings()
    return [
        Revocation(
            r["uid"], r["activity"], r["activity_id"], r["account"], r["epoch"], r["amount"], ""
        )
        for r in rows
    ]


def revoke(
    conn: Connection,
    chain: ChainContext,
    moderator: str,
    kind: Kind,
    target_id: int,
    reason: str,
    now: int,
) -> Decision:
    """Logs the decision to revoke what the content earned and answers the transactions the
    risk wallet sends (one ``revoke`` per attestation; 409 ``nothing_to_revoke``)."""
    if chain.points_address is None:
        raise Unavailable(
            "no ContributionPoints address is configured on this server",
            code=ErrorCode.ATTESTATIONS_UNAVAILABLE,
        )
    found = target(conn, chain.chain_id, kind, target_id)
    pending = earned(conn, chain.chain_id, kind, target_id)
    if not pending:
        raise Conflict(
            f"{kind} {target_id} earned no attestation that is recorded on chain and not revoked",
            code=ErrorCode.NOTHING_TO_REVOKE,
        )
    uids = [r.uid for r in pending]
    row = _decide(conn, chain.chain_id, found, "revoke", None, reason, moderator, now, uids)
    return Decision(
        row,
        [
            Revocation(
                r.uid,
                r.activity,
                r.activity_id,
                r.account,
                r.epoch,
                r.amount,
                revoke_calldata(r.uid, reason),
            )
            for r in pending
        ],
    )


def revoked_on_chain(conn: Connection, chain_id: int, uids: list[str]) -> set[str]:
    """Which of ``uids`` the mirror has seen revoked: a revoke decision is logged when the risk
    role makes it, before its wallet sends the transactions, so the log says which landed."""
    if not uids:
        return set()
    rows = conn.execute(
        select(recorded.c.uid).where(
            recorded.c.chain_id == chain_id,
            recorded.c.uid.in_(uids),
            recorded.c.revoked.is_(True),
        )
    )
    return {str(uid) for (uid,) in rows}


def decisions(
    conn: Connection,
    chain_id: int,
    before: int,
    limit: int,
    author: int | None = None,
    kind: Kind | None = None,
    target_id: int | None = None,
) -> list[RowMapping]:
    """The decision log, newest first, before decision id ``before``: all of it, or about
    ``author``'s content, or about one target."""
    d = moderation_decisions
    where: list[Any] = [d.c.chain_id == chain_id, d.c.id < before]
    if author is not None:
        where.append(d.c.author_token_id == author)
    if kind is not None:
        where.append(d.c.kind == kind)
    if target_id is not None:
        where.append(d.c.target_id == target_id)
    return list(
        conn.execute(select(d).where(*where).order_by(d.c.id.desc()).limit(limit)).mappings()
    )
