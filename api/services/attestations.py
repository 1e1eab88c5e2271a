"""Contribution attestations: the platform's signed statement that a user did something, which
the user submits on chain with ``ContributionPoints.attest`` (their proof of contribution).

What an activity earns is a rule of the published formula (``attestations`` in
``ApiSettings.scoring_config``, :class:`planet.rewards.scoring.AttestationRules`), never a fixed
number per action, because points count in the weekly score and anyone can post:

=========  ===================  ==============================================================
activity   kind                 earns once ... (engagers: distinct *eligible* identities)
=========  ===================  ==============================================================
post       0 (KIND_POST)        others liked or commented on it
live       1 (KIND_LIVE)        it ended, and others attended it
comment    2 (KIND_COMMENT)     it is on someone else's post (else 422 ``own_content``)
trade      5 (KIND_TRADE)       its trader is eligible
=========  ===================  ==============================================================

With fewer engagers than the rule's ``min_engagers``: 422 ``not_enough_engagement``; the amount
is ``min(max, base + per_engager * engagers)``, fixed when signed. An identity gets at most
``weekly_quota`` attestations of one activity per week (422 ``weekly_quota``). Eligible: holds
an identity, is not the author, shares no funder with the author
(:func:`planet.rewards.standing.same_funder`), and was first seen on Planet at least
``engager_min_age_days`` before the activity (a farm's fresh identities cannot vouch for it).

A ``trade`` is an attributed fill (``api_fills.id``) of an order placed from one of the
creator's posts; the creator is the one credited, in the week of the fill. Fills of a creator's
own orders earn nothing (422 ``trade_not_attributed``), and neither do fills on an exchange
outside ``PLANET_API_ATTESTED_EXCHANGES`` (422 ``exchange_not_attested``; default ``okx``):
a paper fill costs nothing, so attesting it would hand out points for made-up volume.

A live session earns its host points once it has ended with at least one attendee (409
``session_not_ended``, 422 ``session_without_attendees`` before); its epoch is the week it started.

The uid is ``planet.core.typed_data.new_uid("planet.api.attestation", chain_id, activity, id)``:
a function of the activity alone, so one activity can never get two uids. The epoch is the week
the activity happened in; the deadline is signing time + ``attestation_ttl``. A stored
attestation is returned as it is, never signed again (even once its deadline has passed), with
one exception: after the attester key was rotated, a stored attestation that the old key signed,
still unrecorded and within its deadline, is signed again by the current key (same uid, amount
and epoch; a fresh deadline). The contract refuses a signer that lost ATTESTER_ROLE, so without
this a rotation would strand every attestation signed but not yet submitted. The uid keeps the
old signature from counting twice.

Status: ``recorded`` once the indexer mirrored the uid, ``revoked`` if the risk role revoked
it, ``expired`` if not recorded by its deadline, else ``pending``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from sqlalchemy import CompoundSelect, Connection, RowMapping, Select, func, select, union

from api.errors import ErrorCode, Forbidden, Unavailable, Unprocessable
from api.services import live as live_service
from api.services import posts as post_service
from api.services import trading
from api.services.chain import ChainContext
from api.services.identities import Identity
from api.settings import ApiSettings
from planet.core import logs
from planet.core.epochs import EpochError
from planet.core.typed_data import (
    KIND_COMMENT,
    KIND_LIVE,
    KIND_POST,
    KIND_TRADE,
    Contribution,
    new_uid,
    sign_contribution,
)
from planet.rewards import scoring, standing
from planet.rewards.scoring import ActivityRule, AttestationRules
from planet.store.mirror import attestations as recorded
from planet.store.offchain import (
    comments,
    contribution_attestations,
    fills,
    live_attendance,
    post_likes,
    posts,
)
from planet.store.sql import insert_ignore

Activity = Literal["post", "comment", "live", "trade"]
Status = Literal["pending", "recorded", "revoked", "expired"]


KINDS: dict[str, int] = {
    "post": KIND_POST,
    "comment": KIND_COMMENT,
    "live": KIND_LIVE,
    "trade": KIND_TRADE,
}
KIND_NAMES = {
    0: "post",
    1: "live",
    2: "comment",
    3: "referral",
    4: "conversion",
    5: "trade",
    6: "record",  # api.services.trading_record
}


@dataclass(frozen=True)
class Attestation:
    row: RowMapping
    status: Status


#: The formula's public relayers and public funders (never a funder cluster).
Publics = tuple[tuple[str, ...], tuple[str, ...]]
ATTEST_SIGNATURE = "attest((address,uint8,uint256,uint256,bytes32,uint256),bytes)"
log = logs.get("api.attestations")

_ATTEST_SELECTOR = function_signature_to_4byte_selector(ATTEST_SIGNATURE)


def attest_calldata(row: Mapping[str, Any] | RowMapping) -> str:
    """The calldata of ``ContributionPoints.attest(contribution, signature)`` for a stored
    attestation: what a wallet sends, as is, to the points contract (0x-hex)."""
    contribution = (
        to_checksum_address(row["account"]),
        row["kind"],
        row["amount"],
        row["epoch"],
        bytes.fromhex(row["uid"][2:]),
        row["deadline"],
    )
    signature = bytes.fromhex(row["signature"][2:])
    arguments = encode(
        ["(address,uint8,uint256,uint256,bytes32,uint256)", "bytes"], [contribution, signature]
    )
    return "0x" + (_ATTEST_SELECTOR + arguments).hex()


def activity_uid(chain_id: int, activity: str, activity_id: int) -> str:
    return "0x" + new_uid("planet.api.attestation", chain_id, activity, activity_id).hex()


def _activity(
    conn: Connection, chain_id: int, activity: str, activity_id: int
) -> Mapping[str, Any] | RowMapping:
    """The activity's credited identity (``author_token_id``) and time (``created_at``); a
    live session's is its host's, from its start."""
    if activity == "post":  # deleted or hidden content earns nothing (410, 409)
        return post_service.interactable(post_service.get(conn, chain_id, activity_id))
    if activity == "trade":  # a fill of a deleted or hidden post earns nothing, as the post
        fill = trading.attributed_fill(conn, chain_id, activity_id)
        post_service.interactable(post_service.get(conn, chain_id, fill["post_id"]))
        return fill
    if activity == "live":
        row = live_service.get(conn, chain_id, activity_id)
        when = row["started_at"] if row["started_at"] is not None else row["created_at"]
        return {**row, "author_token_id": row["host_token_id"], "created_at": when}
    return post_service.interactable(
        post_service.get_comment(conn, chain_id, activity_id), "comment"
    )


@functools.lru_cache(maxsize=8)
def _load_config(path: Path, mtime_ns: int) -> scoring.ScoringConfig:
    return scoring.load(path)


def rules(settings: ApiSettings) -> tuple[AttestationRules, Publics]:
    """The formula's attestation rules, public relayers and public funders (re-read when the
    file changes); 503 without them."""
    path = settings.scoring_config
    try:
        config = _load_config(path, path.stat().st_mtime_ns)
    except (OSError, scoring.ScoringConfigError) as err:
        raise Unavailable(
            f"attestations are unavailable: scoring config {path}: "
            f"{getattr(err, 'strerror', None) or err}",
            code=ErrorCode.ATTESTATIONS_UNAVAILABLE,
        ) from None
    if config.attestations is None:
        raise Unavailable(
            f"attestations are unavailable: scoring config {path} has no `attestations` rules",
            code=ErrorCode.ATTESTATIONS_UNAVAILABLE,
        )
    trust = config.trust
    return config.attestations, (
        (trust.public_relayers, trust.public_funders) if trust else ((), ())
    )


def _engagers(
    conn: Connection, chain_id: int, activity: str, activity_id: int, author: int
) -> set[int]:
    """Every identity other than the author that engaged with the activity (not yet filtered
    for eligibility); a comment has none."""
    query: Select[Any] | CompoundSelect[Any]
    if activity == "post":
        query = union(
            select(post_likes.c.token_id).where(post_likes.c.post_id == activity_id),
            select(comments.c.author_token_id).where(
                comments.c.post_id == activity_id,
                comments.c.chain_id == chain_id,
                comments.c.deleted_at.is_(None),
            ),
        )
    elif activity == "live":
        query = select(live_attendance.c.token_id).where(
            live_attendance.c.session_id == activity_id
        )
    elif activity == "trade":
        query = select(fills.c.trader_token_id).where(
            fills.c.id == activity_id, fills.c.chain_id == chain_id
        )
    else:
        return set()
    return {int(t) for (t,) in conn.execute(query)} - {author}


def eligible(
    conn: Connection,
    chain_id: int,
    rules_: AttestationRules,
    author: int,
    engagers: set[int],
    at: int,
    publics: Publics = ((), ()),
) -> set[int]:
    """The engagers that count for ``author``'s activity at time ``at`` (see the module)."""
    if not engagers:
        return set()
    rows, keys = standing.funders_of(conn, chain_id, engagers | {author}, *publics)
    held = {token for token, *_ in rows}
    out = {
        t for t in engagers if t in held and not standing.same_funder(keys.get(t), keys.get(author))
    }
    if rules_.engager_min_age and out:
        seen = standing.first_seen(conn, chain_id, out)
        out = {t for t in out if t in seen and seen[t] <= at - rules_.engager_min_age}
    return out


def _quota_used(conn: Connection, chain_id: int, token_id: int, activity: str, epoch: int) -> int:
    t = contribution_attestations
    return int(
        conn.execute(
            select(func.count()).where(
                t.c.chain_id == chain_id,
                t.c.token_id == token_id,
                t.c.activity == activity,
                t.c.epoch == epoch,
            )
        ).scalar_one()
    )


def _amount(
    conn: Connection,
    chain_id: int,
    rules_: AttestationRules,
    activity: str,
    activity_id: int,
    source: Mapping[str, Any] | RowMapping,
    publics: Publics,
) -> int:
    """What the activity earns under the rules; refuses with the rule it breaks."""
    rule: ActivityRule = rules_.activities[activity]
    author = int(source["author_token_id"])
    if activity == "comment":
        post_author = conn.execute(
            select(posts.c.author_token_id).where(posts.c.id == source["post_id"])
        ).scalar()
        if post_author == author:
            raise Unprocessable(
                f"comment {activity_id} is on your own post; one's own content earns nothing",
                code=ErrorCode.OWN_CONTENT,
            )
    engagers = eligible(
        conn,
        chain_id,
        rules_,
        author,
        _engagers(conn, chain_id, activity, activity_id, author),
        int(source["created_at"]),
        publics,
    )
    if len(engagers) < rule.min_engagers:
        raise Unprocessable(
            f"{activity} {activity_id} drew {len(engagers)} eligible engager(s) other than you; "
            f"it earns points from {rule.min_engagers} (identities first seen "
            f"{rules_.engager_min_age_days} day(s) before it, not sharing your funder)",
            code=ErrorCode.NOT_ENOUGH_ENGAGEMENT,
        )
    return rule.amount(len(engagers))


def _stored(conn: Connection, chain_id: int, activity: str, activity_id: int) -> RowMapping | None:
    t = contribution_attestations
    return (
        conn.execute(
            select(t).where(
                t.c.chain_id == chain_id, t.c.activity == activity, t.c.activity_id == activity_id
            )
        )
        .mappings()
        .one_or_none()
    )


def _status(conn: Connection, row: RowMapping, now: int) -> Status:
    revoked = conn.execute(
        select(recorded.c.revoked).where(
            recorded.c.chain_id == row["chain_id"], recorded.c.uid == row["uid"]
        )
    ).scalar()
    if revoked is not None:
        return "revoked" if revoked else "recorded"
    return "expired" if row["deadline"] < now else "pending"


def status_of(conn: Connection, row: RowMapping, now: int) -> Status:
    """A stored attestation's status (see the module docstring), for other services."""
    return _status(conn, row, now)


def attest(
    conn: Connection,
    settings: ApiSettings,
    chain: ChainContext,
    identity: Identity,
    activity: Activity,
    activity_id: int,
    now: int,
) -> tuple[Attestation, bool]:
    """The signed attestation for the caller's ``activity``; True if it was signed just now."""
    attester, calendar = settings.attester, chain.calendar
    if attester is None or chain.points_address is None or calendar is None:
        raise Unavailable(
            "attestations are not configured on this server (attester key, points contract "
            "and genesis are needed)",
            code=ErrorCode.ATTESTATIONS_UNAVAILABLE,
        )
    source = _activity(conn, chain.chain_id, activity, activity_id)
    if source["author_token_id"] != identity.token_id:
        raise Forbidden(f"{activity} {activity_id} is not yours", code=ErrorCode.NOT_YOUR_ACTIVITY)
    if activity == "live":
        live_service.attestable(conn, source)
    if activity == "trade" and source["exchange"] not in settings.attested_exchanges:
        attested = ", ".join(settings.attested_exchanges) or "no exchange"
        raise Unprocessable(
            f"fill {activity_id} is on the {source['exchange']} exchange; this server attests "
            f"trades on {attested} only",
            code=ErrorCode.EXCHANGE_NOT_ATTESTED,
        )
    stored = _stored(conn, chain.chain_id, activity, activity_id)
    if stored is not None:
        status = _status(conn, stored, now)
        if status == "pending" and stored["attester"].lower() != attester.address.lower():
            stored = _signed_again(conn, settings, chain, stored, now)
        return Attestation(stored, status), False
    try:
        epoch = calendar.epoch_at(source["created_at"])
    except EpochError:
        raise Unprocessable(
            f"{activity} {activity_id} predates the points calendar",
            code=ErrorCode.ACTIVITY_BEFORE_GENESIS,
        ) from None
    rules_, publics = rules(settings)
    amount = _amount(conn, chain.chain_id, rules_, activity, activity_id, source, publics)
    quota = rules_.activities[activity].weekly_quota
    if _quota_used(conn, chain.chain_id, identity.token_id, activity, epoch) >= quota:
        raise Unprocessable(
            f"you have {quota} {activity} attestation(s) for epoch {epoch}, its weekly quota",
            code=ErrorCode.WEEKLY_QUOTA,
        )
    kind = KINDS[activity]
    uid = activity_uid(chain.chain_id, activity, activity_id)
    contribution = Contribution(
        account=to_checksum_address(identity.owner),
        kind=kind,
        amount=amount,
        epoch=epoch,
        uid=bytes.fromhex(uid[2:]),
        deadline=now + settings.attestation_ttl,
    )
    signature = sign_contribution(attester, contribution, chain.chain_id, chain.points_address)
    created = insert_ignore(
        conn,
        contribution_attestations,
        {
            "chain_id": chain.chain_id,
            "uid": uid,
            "activity": activity,
            "activity_id": activity_id,
            "token_id": identity.token_id,
            "account": identity.owner,
            "kind": kind,
            "amount": amount,
            "epoch": epoch,
            "deadline": contribution.deadline,
            "points_contract": chain.points_address,
            "attester": attester.address,
            "signature": "0x" + signature.hex(),
            "created_at": now,
        },
    )
    # A concurrent request may have stored it first: answer with what is stored either way.
    row = _stored(conn, chain.chain_id, activity, activity_id)
    assert row is not None
    return Attestation(row, _status(conn, row, now)), created


def _signed_again(
    conn: Connection, settings: ApiSettings, chain: ChainContext, row: RowMapping, now: int
) -> RowMapping:
    """``row``'s contribution signed by the current attester key (see the module's docstring)."""
    attester = settings.attester
    assert attester is not None and chain.points_address is not None
    contribution = Contribution(
        account=to_checksum_address(row["account"]),
        kind=row["kind"],
        amount=row["amount"],
        epoch=row["epoch"],
        uid=bytes.fromhex(row["uid"][2:]),
        deadline=now + settings.attestation_ttl,
    )
    signature = sign_contribution(attester, contribution, chain.chain_id, chain.points_address)
    t = contribution_attestations
    conn.execute(
        t.update()
        .where(t.c.chain_id == row["chain_id"], t.c.uid == row["uid"])
        .values(
            attester=attester.address,
            signature="0x" + signature.hex(),
            deadline=contribution.deadline,
            points_contract=chain.points_address,
        )
    )
    log.info("attestation_signed_again", uid=row["uid"], old_attester=row["attester"])
    fresh = _stored(conn, row["chain_id"], row["activity"], row["activity_id"])
    assert fresh is not None
    return fresh


def mine(conn: Connection, identity: Identity, now: int) -> list[Attestation]:
    t = contribution_attestations
    rows = conn.execute(
        select(t)
        .where(t.c.chain_id == identity.chain_id, t.c.token_id == identity.token_id)
        .order_by(t.c.created_at.desc(), t.c.uid)
    ).mappings()
    return [Attestation(r, _status(conn, r, now)) for r in rows]
