"""Moderation: anyone reports content; the risk role (a wallet holding ContributionPoints'
RISK_ROLE on chain, signed in) reviews the queue and decides; authors read the decisions about
their content. Rules: :mod:`api.services.moderation`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from eth_utils import to_checksum_address
from fastapi import APIRouter, FastAPI, Query, Request
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import Connection, RowMapping

from api.db import after_commit
from api.deps import Access, Chain, Conn, CurrentIdentity, CurrentUser, Now
from api.errors import gated_responses, responses
from api.params import MAX_ID, Text
from api.schemas import Cursor, Limit, utc
from api.services import chat, live, moderation, posts
from api.services.posts import decode_cursor, encode_cursor
from planet.core import logs

log = logs.get("api.moderation")

router = APIRouter(prefix="/moderation", tags=["moderation"])

KindField = Literal["post", "comment", "message", "identity"]
TargetId = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_ID,
        description="The post's, comment's or chat message's id, or the identity's token id",
    ),
]
Reason = Annotated[Text, Field(min_length=1, max_length=1_000)]


class ReportIn(BaseModel):
    kind: KindField
    target_id: TargetId
    reason: Literal[moderation.REPORT_REASONS]  # type: ignore[valid-type]
    note: Text | None = Field(default=None, max_length=1_000)


class ReportOut(BaseModel):
    kind: KindField
    target_id: int
    reason: str = Field(description="The reason on record (your first report's)")


class RoleOut(BaseModel):
    address: str
    risk_role: bool = Field(
        description="Whether the wallet holds ContributionPoints' RISK_ROLE (as mirrored)"
    )


class TargetOut(BaseModel):
    kind: KindField
    id: int
    author_token_id: int | None
    author_address: str | None
    text: str = Field(description="The full text, for the reviewer (private content included)")
    deleted: bool
    moderation_label: str | None = Field(description="The label it is hidden under, if hidden")
    post_id: int | None = Field(description="A comment's post")
    session_id: int | None = Field(description="A chat message's live session")


class QueueItemOut(BaseModel):
    target: TargetOut
    reports: int
    reasons: dict[str, int] = Field(description="Open reports per reason")
    notes: list[str]
    first_reported_at: datetime
    last_reported_at: datetime


class QueueOut(BaseModel):
    items: list[QueueItemOut]
    next_cursor: str | None


class DecisionIn(BaseModel):
    action: Literal["hide", "restore", "dismiss", "revoke"] = Field(
        description="`hide` under `label`; `restore` hidden content; `dismiss` its reports; "
        "`revoke`: the attestations it earned (answers the transactions to send)"
    )
    kind: KindField
    target_id: TargetId
    label: Literal[moderation.LABELS] | None = Field(  # type: ignore[valid-type]
        default=None, description="Required to hide; shown to everyone"
    )
    reason: Reason = Field(description="Why: kept in the log the author reads")

    @model_validator(mode="after")
    def _label_with_hide(self) -> DecisionIn:
        if (self.action == "hide") != (self.label is not None):
            raise ValueError("label is required to hide, and only to hide")
        return self


class RevocationOut(BaseModel):
    uid: str
    activity: str
    activity_id: int
    account: str
    epoch: int
    amount: str = Field(description="Points, as a decimal string")
    to: str = Field(description="The ContributionPoints contract")
    data: str = Field(
        description="Calldata of revoke(uid, reason), to send from a RISK_ROLE wallet"
    )


class DecisionOut(BaseModel):
    id: int
    action: str
    kind: KindField
    target_id: int
    author_token_id: int | None
    label: str | None
    reason: str
    decided_by: str
    created_at: datetime
    uids: list[str] | None = Field(description="The attestations a revoke names")
    revoked_on_chain: list[str] | None = Field(
        default=None,
        description="For a revoke: which of its `uids` the chain has revoked so far (as mirrored "
        "by the indexer). A revoke is logged when decided; the risk wallet sends the "
        "transactions after, so until they land this is shorter than `uids`.",
    )
    revocations: list[RevocationOut] = Field(
        default_factory=list, description="For a revoke just decided: the transactions to send"
    )


class DecisionPage(BaseModel):
    items: list[DecisionOut]
    next_cursor: str | None


def _decision(row: RowMapping, landed: set[str]) -> DecisionOut:
    """The decision as answered; ``landed``: uids the mirror shows revoked (a superset is fine:
    only the decision's own uids are kept)."""
    uids = row["uids"]
    return DecisionOut(
        id=row["id"],
        action=row["action"],
        kind=row["kind"],
        target_id=row["target_id"],
        author_token_id=row["author_token_id"],
        label=row["label"],
        reason=row["reason"],
        decided_by=to_checksum_address(row["decided_by"]),
        created_at=utc(row["created_at"]),
        uids=uids,
        revoked_on_chain=[u for u in uids if u in landed] if uids is not None else None,
    )


def _landed(conn: Connection, rows: list[RowMapping]) -> set[str]:
    """Which of the decisions' uids the mirror shows revoked: one query for a whole page."""
    if not rows:
        return set()
    uids = [u for r in rows for u in r["uids"] or []]
    return moderation.revoked_on_chain(conn, rows[0]["chain_id"], uids)


def _page(conn: Connection, rows: list[RowMapping], limit: int) -> DecisionPage:
    more = len(rows) > limit
    rows = rows[:limit]
    landed = _landed(conn, rows)
    return DecisionPage(
        items=[_decision(r, landed) for r in rows],
        next_cursor=encode_cursor(rows[-1]["id"]) if more and rows else None,
    )


def _tell_chat(app: FastAPI, conn: Connection, chain_id: int, message_id: int) -> None:
    """Once the decision has committed, publishes the message as it now stands (hidden or
    shown) to its session's chat sockets, on every API process. Fire and forget: the decision
    is stored either way, and a socket that missed it reads the history on reconnecting."""
    found = moderation.target(conn, chain_id, "message", message_id)
    assert found.session_id is not None
    session_id = found.session_id
    event = chat.moderated_event(session_id, message_id, found.hidden_label, found.text)

    def publish() -> None:
        try:
            delivered = chat.publish_from_thread(
                app.state.broker, app.state.settings, session_id, event
            )
        except Exception as err:  # after the commit: the request has succeeded already
            log.warning("moderation not published", error=type(err).__name__)
            return
        if not delivered:
            log.warning("moderation not delivered live", message_id=message_id)

    after_commit(conn, publish)


@router.post(
    "/reports", response_model=ReportOut, responses=gated_responses(401, 403, 404, 409, 410, 422)
)
def report(
    body: ReportIn, conn: Conn, chain: Chain, identity: CurrentIdentity, moment: Now, access: Access
) -> ReportOut:
    """Reports a post, comment, chat message or identity to the risk role, with a reason; one
    report per identity per target (repeats: 200 with the first reason). Content you may not
    read (a private community's) cannot be reported by you (401/403)."""
    reader = identity.owner
    if body.kind == "post":
        posts.interactable(
            posts.readable(conn, chain.chain_id, body.target_id, reader, moment, access)
        )
    elif body.kind == "comment":
        comment = posts.interactable(
            posts.get_comment(conn, chain.chain_id, body.target_id), "comment"
        )
        posts.readable(conn, chain.chain_id, comment["post_id"], reader, moment, access)
    elif body.kind == "message":
        found = moderation.target(conn, chain.chain_id, "message", body.target_id)
        assert found.session_id is not None
        live.readable(conn, chain.chain_id, found.session_id, reader, moment, access)
    reason = moderation.report_target(
        conn, identity, body.kind, body.target_id, body.reason, body.note, moment
    )
    return ReportOut(kind=body.kind, target_id=body.target_id, reason=reason)


@router.get("/role", response_model=RoleOut, responses=responses(401))
def role(user: CurrentUser, conn: Conn, chain: Chain) -> RoleOut:
    """Whether the signed-in wallet may moderate (holds RISK_ROLE on chain)."""
    return RoleOut(
        address=to_checksum_address(user.address),
        risk_role=moderation.is_moderator(conn, chain.chain_id, user.address),
    )


@router.get("/queue", response_model=QueueOut, responses=responses(401, 403, 422))
def queue(
    user: CurrentUser, conn: Conn, chain: Chain, cursor: Cursor = None, limit: Limit = 20
) -> QueueOut:
    """Reported content awaiting a decision, oldest report first (risk role only: 403
    ``risk_role_required``)."""
    moderation.require_moderator(conn, chain.chain_id, user.address)
    after = decode_cursor(cursor) or 0
    items = moderation.queue(conn, chain.chain_id, after, limit + 1)
    more = len(items) > limit
    items = items[:limit]
    return QueueOut(
        items=[
            QueueItemOut(
                target=TargetOut(
                    kind=i.target.kind,
                    id=i.target.target_id,
                    author_token_id=i.target.author_token_id,
                    author_address=i.target.author_address
                    and to_checksum_address(i.target.author_address),
                    text=i.target.text,
                    deleted=i.target.deleted,
                    moderation_label=i.target.hidden_label,
                    post_id=i.target.post_id,
                    session_id=i.target.session_id,
                ),
                reports=i.reports,
                reasons=i.reasons,
                notes=i.notes,
                first_reported_at=utc(i.first_reported_at),
                last_reported_at=utc(i.last_reported_at),
            )
            for i in items
        ],
        next_cursor=encode_cursor(items[-1].first_report_id) if more and items else None,
    )


@router.post(
    "/decisions",
    status_code=201,
    response_model=DecisionOut,
    responses=responses(401, 403, 404, 409, 422, 503),
)
def decide(
    body: DecisionIn, request: Request, user: CurrentUser, conn: Conn, chain: Chain, moment: Now
) -> DecisionOut:
    """Hides, restores, dismisses or revokes (risk role only: 403 ``risk_role_required``).
    Logged with who and why; closes the target's open reports. 409 ``already_hidden``,
    ``not_hidden``, ``nothing_to_revoke``. Hiding or restoring a chat message tells every open
    socket of its session (``{"type": "moderated", ...}``) once the decision is stored."""
    who = moderation.require_moderator(conn, chain.chain_id, user.address)
    kind, target_id, reason = body.kind, body.target_id, body.reason
    if body.action == "hide":
        assert body.label is not None
        made = moderation.hide(
            conn, chain.chain_id, who, kind, target_id, body.label, reason, moment
        )
    elif body.action == "restore":
        made = moderation.restore(conn, chain.chain_id, who, kind, target_id, reason, moment)
    elif body.action == "dismiss":
        made = moderation.dismiss(conn, chain.chain_id, who, kind, target_id, reason, moment)
    else:
        made = moderation.revoke(conn, chain, who, kind, target_id, reason, moment)
    if kind == "message" and body.action in ("hide", "restore"):
        _tell_chat(request.app, conn, chain.chain_id, target_id)
    out = _decision(made.row, _landed(conn, [made.row]))
    assert chain.points_address is not None or not made.revocations
    out.revocations = [
        RevocationOut(
            uid=r.uid,
            activity=r.activity,
            activity_id=r.activity_id,
            account=to_checksum_address(r.account),
            epoch=r.epoch,
            amount=str(r.amount),
            to=str(chain.points_address),
            data=r.calldata,
        )
        for r in made.revocations
    ]
    return out


@router.get("/decisions", response_model=DecisionPage, responses=responses(401, 403, 422))
def decisions(
    user: CurrentUser,
    conn: Conn,
    chain: Chain,
    kind: KindField | None = None,
    target_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> DecisionPage:
    """The whole decision log, newest first, or one target's (risk role only)."""
    moderation.require_moderator(conn, chain.chain_id, user.address)
    before = decode_cursor(cursor) or posts.NO_CURSOR
    rows = moderation.decisions(
        conn, chain.chain_id, before, limit + 1, kind=kind, target_id=target_id
    )
    return _page(conn, rows, limit)


@router.get("/decisions/mine", response_model=DecisionPage, responses=responses(401, 403, 422))
def my_decisions(
    identity: CurrentIdentity, conn: Conn, cursor: Cursor = None, limit: Limit = 20
) -> DecisionPage:
    """Decisions about your content (and your identity), newest first, with who decided and
    why (403 ``identity_required``)."""
    before = decode_cursor(cursor) or posts.NO_CURSOR
    rows = moderation.decisions(
        conn, identity.chain_id, before, limit + 1, author=identity.token_id
    )
    return _page(conn, rows, limit)
