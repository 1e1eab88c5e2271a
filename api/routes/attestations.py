"""Contribution attestations for the signed-in user to submit with ``attest()``."""

from __future__ import annotations

from datetime import datetime

from eth_utils import to_checksum_address
from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from api.deps import Chain, Conn, CurrentIdentity, Now, Settings
from api.errors import responses
from api.params import BodyId
from api.schemas import utc
from api.services import attestations, trading_record
from api.services.attestations import Activity, Attestation, Status

router = APIRouter(prefix="/attestations", tags=["attestations"])


class AttestationIn(BaseModel):
    activity: Activity = Field(
        description="What you did: a post or a comment of yours, a live session you hosted "
        "(ended, with at least one attendee), or a trade (an attributed fill of an order "
        "placed from one of your posts)"
    )
    id: BodyId = Field(description="The post, comment, live session or fill id")


class ContributionOut(BaseModel):
    """The ``Contribution`` tuple, in the contract's field order."""

    account: str
    kind: int
    amount: int
    epoch: int
    uid: str
    deadline: int


class TransactionOut(BaseModel):
    """The ``attest`` call, ready for any wallet: send it as is, from the contribution's
    account (``eth_sendTransaction`` with these ``to`` and ``data``, no value)."""

    to: str = Field(description="The ContributionPoints contract (checksummed)")
    data: str = Field(description="Calldata of attest(contribution, signature), 0x-hex")
    chain_id: int


class AttestationOut(BaseModel):
    activity: str
    activity_id: int
    kind_name: str
    contribution: ContributionOut
    signature: str = Field(description="The attester's EIP-712 signature, 0x-hex")
    points_contract: str
    chain_id: int
    status: Status
    created_at: datetime
    transaction: TransactionOut


class AttestationList(BaseModel):
    items: list[AttestationOut]


def _out(a: Attestation) -> AttestationOut:
    r = a.row
    return AttestationOut(
        activity=r["activity"],
        activity_id=r["activity_id"],
        kind_name=attestations.KIND_NAMES.get(r["kind"], str(r["kind"])),
        contribution=ContributionOut(
            account=to_checksum_address(r["account"]),
            kind=r["kind"],
            amount=r["amount"],
            epoch=r["epoch"],
            uid=r["uid"],
            deadline=r["deadline"],
        ),
        signature=r["signature"],
        points_contract=r["points_contract"],
        chain_id=r["chain_id"],
        status=a.status,
        created_at=utc(r["created_at"]),
        transaction=TransactionOut(
            to=to_checksum_address(r["points_contract"]),
            data=attestations.attest_calldata(r),
            chain_id=r["chain_id"],
        ),
    )


@router.post(
    "",
    response_model=AttestationOut,
    status_code=201,
    responses={
        200: {"model": AttestationOut, "description": "Already signed: the stored attestation"},
        **responses(401, 403, 404, 409, 410, 422, 503),
    },
)
def create_attestation(
    body: AttestationIn,
    response: Response,
    conn: Conn,
    settings: Settings,
    chain: Chain,
    identity: CurrentIdentity,
    moment: Now,
) -> AttestationOut:
    """Signs an attestation for your post or comment (201), or returns the one already signed
    for it (200). 403 ``identity_required`` / ``not_your_activity``; 409 ``session_not_ended``
    (a live session earns points once it has ended); 503
    ``attestations_unavailable``."""
    attestation, created = attestations.attest(
        conn, settings, chain, identity, body.activity, body.id, moment
    )
    if not created:
        response.status_code = 200
    return _out(attestation)


@router.get("/mine", response_model=AttestationList, responses=responses(401, 403))
def my_attestations(conn: Conn, identity: CurrentIdentity, moment: Now) -> AttestationList:
    """Your attestations, newest first, with status pending / recorded / revoked / expired."""
    return AttestationList(items=[_out(a) for a in attestations.mine(conn, identity, moment)])


class RecordAttestationIn(BaseModel):
    uid: str = Field(
        pattern=r"^0x[0-9a-fA-F]{64}$",
        description="The entry's uid (GET /profiles/{handle}/trading-record), 32 bytes, 0x-hex",
    )


@router.post(
    "/trading-record",
    response_model=AttestationOut,
    status_code=201,
    responses={
        200: {"model": AttestationOut, "description": "Already signed: the stored attestation"},
        **responses(401, 403, 404, 409, 422, 503),
    },
)
def attest_record_entry(
    body: RecordAttestationIn,
    response: Response,
    conn: Conn,
    settings: Settings,
    chain: Chain,
    identity: CurrentIdentity,
    moment: Now,
) -> AttestationOut:
    """Signs the attestation of one entry of your trading record, by its uid (201), or returns
    the one already signed (200; signed again with a fresh deadline if it expired). Submit it
    with ``transaction`` from your wallet. Kind 6, 1 point, which the weekly formula weighs at
    zero. 404 no such entry in your record; 409 ``record_out_of_order`` (attest the entry
    before it first) or ``record_changed``; 503 ``attestations_unavailable``."""
    attestation, created = trading_record.attest(conn, settings, chain, identity, body.uid, moment)
    if not created:
        response.status_code = 200
    return _out(attestation)
