"""Rewards: published epochs, each epoch's leaderboard, an address's allocation with its Merkle
proof, and everything an address can claim now, laid out as ``claimMany`` takes it.

Amounts are decimal strings (uint256 values exceed what JSON numbers keep exactly). Every
answer comes from a distribution file whose hash and root match what the vault recorded
(see :mod:`api.services.rewards`).
"""

from __future__ import annotations

from typing import Annotated, Any

from eth_utils import to_checksum_address
from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from api.deps import Chain, Conn, Now
from api.errors import ErrorResponse, responses
from api.params import MAX_ID
from api.schemas import Cursor, Limit
from api.services import rewards
from api.services.posts import decode_cursor, encode_cursor

router = APIRouter(prefix="/rewards", tags=["rewards"])

Epoch = Annotated[int, Path(ge=0, le=MAX_ID, description="Vault epoch number")]
Address = Annotated[
    str, Path(pattern=r"^0x[0-9a-fA-F]{40}$", description="A 0x wallet address (any case)")
]
Amount = Annotated[str, Field(pattern=r"^[0-9]+$", description="Base units, decimal")]
Hash = Annotated[str, Field(pattern=r"^0x[0-9a-f]{64}$")]


def get_rewards(request: Request) -> rewards.Rewards:
    return request.app.state.rewards


Rewards = Annotated[rewards.Rewards, Depends(get_rewards)]

_503: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ErrorResponse,
        "description": "`rewards_unavailable` (no distributions folder configured), "
        "`distribution_missing` (the epoch's file is not on this server), "
        "`distribution_mismatch` (the file's hash or root differs from what the vault "
        "recorded; the message names the epoch) or `distribution_invalid` (unreadable file)",
    }
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {**responses(*statuses), **_503}


class EpochOut(BaseModel):
    epoch: int
    root: Hash
    total: Amount = Field(description="What the root pays in all")
    pool: Amount = Field(description="What the epoch's pool holds (funding and sweeps in)")
    paid: Amount = Field(description="Claimed so far, as indexed")
    status: str = Field(description="Always `proposed`: vetoed or unproposed roots are not listed")
    claimable_at: int = Field(description="Unix time the root became (or becomes) claimable")
    claimable: bool = Field(description="Claimable now: past the challenge period, window open")
    claim_window_closes_at: int | None = Field(
        description="Unix time after which the remainder may be swept (null if unknown)"
    )
    swept: bool
    uri: str | None = Field(description="Where the distributor published the file")
    file_hash: Hash | None = Field(description="keccak256 of the file, as proposed")


class EpochList(BaseModel):
    items: list[EpochOut]


class LeaderboardEntry(BaseModel):
    rank: int = Field(description="1-based, by amount descending, then account")
    account: str
    handle: str | None = Field(description="The account's Planet handle, if it has an identity")
    amount: Amount
    score: str = Field(description="The published score (a fraction, e.g. `7/3`)")
    claimed: bool = Field(description="Whether the indexer has seen this claim paid")
    reasons: list[str] = Field(
        description="Codes of every rule that changed its inputs (meanings in `reason_codes`; "
        "before and after at GET /rewards/epochs/{epoch}/accounts/{address}); empty for a file "
        "of a formula without them"
    )


class Leaderboard(BaseModel):
    epoch: int
    root: Hash
    total: Amount
    accounts: int = Field(description="Entries in the whole distribution")
    reason_codes: dict[str, str] = Field(description="What each reason code means, as published")
    items: list[LeaderboardEntry]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null: end")


class AllocationOut(BaseModel):
    epoch: int
    account: str
    amount: Amount
    leaf: Hash = Field(description="keccak256(keccak256(abi.encode(account, amount)))")
    proof: list[Hash] = Field(description="bytes32[] for claim(epoch, account, amount, proof)")
    root: Hash
    claimed: bool


class ClaimItem(BaseModel):
    epoch: int
    amount: Amount
    proof: list[Hash]
    claim_window_closes_at: int | None = Field(
        description="Unix time after which it can no longer be claimed (null if unknown)"
    )


class PendingItem(BaseModel):
    epoch: int
    amount: Amount
    claimable_at: int = Field(description="Unix time the challenge period ends (then claimable)")


class ExpiredItem(BaseModel):
    """An allocation never claimed whose claim window closed. Until someone sweeps the epoch
    (anyone may, once the window closed) the vault still pays it: ``proof`` is given for that
    last chance; once swept, nothing can be claimed and ``proof`` is null."""

    epoch: int
    amount: Amount
    claim_window_closed_at: int | None = Field(
        description="Unix time the claim window closed (null if unknown)"
    )
    swept: bool = Field(description="Whether the epoch's remainder has been swept (as indexed)")
    proof: list[Hash] | None = Field(
        description="bytes32[] for claim(epoch, account, amount, proof) while not swept"
    )


class ClaimedItem(BaseModel):
    epoch: int
    amount: Amount = Field(description="What the claim paid")


class ClaimManyArgs(BaseModel):
    epochs: list[int]
    account: str
    amounts: list[Amount]
    proofs: list[list[Hash]]


class ClaimableOut(BaseModel):
    chain_id: int
    vault: str | None = Field(description="The PrizeVault address (null if not configured)")
    account: str
    items: list[ClaimItem] = Field(description="Claimable now, oldest epoch first")
    total: Amount = Field(description="The sum of `items`")
    claim_many: ClaimManyArgs = Field(
        description="claimMany(epochs, account, amounts, proofs), ready to send"
    )
    pending: list[PendingItem] = Field(
        description="Allocations whose root is still in its challenge period (a guardian may "
        "veto it), oldest epoch first"
    )
    pending_total: Amount
    expired: list[ExpiredItem] = Field(
        description="Allocations never claimed whose claim window closed, oldest epoch first: "
        "claimable on chain only until the epoch is swept"
    )
    claimed: list[ClaimedItem] = Field(
        description="Epochs the indexer saw the address claim, oldest first (an epoch whose "
        "file is not on this server is left out)"
    )


def _epoch_out(p: rewards.PublishedEpoch, now: int) -> EpochOut:
    return EpochOut(
        epoch=p.epoch,
        root=p.root,
        total=str(p.total),
        pool=str(p.funded),
        paid=str(p.paid),
        status="proposed",
        claimable_at=p.claimable_at,
        claimable=p.claimable(now),
        claim_window_closes_at=p.window_closes_at,
        swept=p.swept,
        uri=p.uri,
        file_hash=p.file_hash,
    )


@router.get("/epochs", response_model=EpochList, responses=_errors())
def list_epochs(conn: Conn, chain: Chain, moment: Now, state: Rewards) -> EpochList:
    """Epochs with a proposed root, oldest first, pending ones included (``claimable``
    says which pay now)."""
    state.require_store()
    return EpochList(items=[_epoch_out(p, moment) for p in state.published(conn, chain.chain_id)])


@router.get("/epochs/{epoch}/leaderboard", response_model=Leaderboard, responses=_errors(404, 422))
def leaderboard(
    conn: Conn,
    chain: Chain,
    state: Rewards,
    epoch: Epoch,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Leaderboard:
    """The epoch's allocations ranked by amount (404 ``epoch_not_published``; 422
    ``invalid_cursor``)."""
    store = state.require_store()
    published = state.published_epoch(conn, chain.chain_id, epoch)
    file = store.get(published)
    start = decode_cursor(cursor) or 0  # the last rank seen
    page = file.ranking[start : start + limit]
    accounts = [e.account for e in page]
    handles = rewards.handles_of(conn, chain.chain_id, accounts)
    why = {a.lower(): file.reasons.get(a.lower(), {}) for a in accounts}
    codes = {a: sorted(report.get("reasons", ())) for a, report in why.items()}
    claimed = rewards.claimed_accounts(conn, chain.chain_id, epoch, accounts)
    more = start + limit < len(file.ranking)
    return Leaderboard(
        epoch=epoch,
        root=file.root,
        total=str(file.total),
        accounts=len(file.ranking),
        reason_codes=file.reason_codes,
        items=[
            LeaderboardEntry(
                rank=e.rank,
                account=to_checksum_address(e.account),
                handle=handles.get(e.account.lower()),
                amount=str(e.amount),
                score=e.score,
                claimed=e.account.lower() in claimed,
                reasons=codes[e.account.lower()],
            )
            for e in page
        ],
        next_cursor=encode_cursor(page[-1].rank) if more and page else None,
    )


@router.get(
    "/epochs/{epoch}/allocations/{address}",
    response_model=AllocationOut,
    responses=_errors(404, 422),
)
def allocation(
    conn: Conn, chain: Chain, state: Rewards, epoch: Epoch, address: Address
) -> AllocationOut:
    """The address's amount and Merkle proof for the epoch (404 ``epoch_not_published`` or
    ``no_allocation``)."""
    store = state.require_store()
    file = store.get(state.published_epoch(conn, chain.chain_id, epoch))
    entry = file.by_account.get(address.lower())
    if entry is None:
        raise rewards.no_allocation(epoch, address)
    claimed = rewards.claimed_accounts(conn, chain.chain_id, epoch, [entry.account])
    return AllocationOut(
        epoch=epoch,
        account=to_checksum_address(entry.account),
        amount=str(entry.amount),
        leaf=rewards.leaf_hex(entry.account, entry.amount),
        proof=file.proof(entry.account),
        root=file.root,
        claimed=bool(claimed),
    )


class Reason(BaseModel):
    code: str = Field(description="e.g. capped, low_trust_discounted, same_funder_cluster")
    meaning: str


class AccountOut(BaseModel):
    epoch: int
    account: str
    amount: Amount = Field(description="What the root pays the account (0: scored nothing)")
    rank: int | None = Field(description="By amount, 1 first; null when not paid")
    score: str | None = Field(description="The published score, a fraction; null when 0")
    standing: str | None = Field(
        description="The account's own standing in [0, 1] (its points count times it); null "
        "for a formula that does not weigh by trust"
    )
    before: dict[str, str] = Field(description="Its quantities before the rules (raw counts)")
    after: dict[str, str] = Field(description="Its quantities after the rules (what scored)")
    reasons: list[Reason] = Field(description="Every rule that changed its inputs")


@router.get(
    "/epochs/{epoch}/accounts/{address}",
    response_model=AccountOut,
    responses=_errors(404, 422),
)
def account_reasons(
    conn: Conn, chain: Chain, state: Rewards, epoch: Epoch, address: Address
) -> AccountOut:
    """Why the address got what it got in the epoch: its inputs before and after each rule and
    the reason codes applied, as the distribution file publishes them (404
    ``epoch_not_published``, or ``no_allocation`` when the file neither pays nor scores it)."""
    store = state.require_store()
    file = store.get(state.published_epoch(conn, chain.chain_id, epoch))
    entry = file.by_account.get(address.lower())
    why = file.reasons.get(address.lower())
    if entry is None and why is None:
        raise rewards.no_allocation(epoch, address)
    codes = sorted(why["reasons"]) if why else []
    return AccountOut(
        epoch=epoch,
        account=to_checksum_address(address),
        amount=str(entry.amount if entry else 0),
        rank=entry.rank if entry else None,
        score=entry.score if entry else None,
        standing=why["standing"] if why else None,
        before=dict(why["before"]) if why else {},
        after=dict(why["after"]) if why else {},
        reasons=[Reason(code=c, meaning=file.reason_codes.get(c, "")) for c in codes],
    )


@router.get("/claimable/{address}", response_model=ClaimableOut, responses=_errors(422))
def claimable(
    conn: Conn, chain: Chain, moment: Now, state: Rewards, address: Address
) -> ClaimableOut:
    """Every epoch the address can claim now (claimable root, window open, positive amount,
    no claim indexed), with proofs and the total: the arguments of ``claimMany``; then its
    allocations still in their challenge period (``pending``, with when they become
    claimable) and those it never claimed whose window closed (``expired``; the vault pays
    them until someone sweeps the epoch, so their proofs are given until then), and the epochs
    it claimed (``claimed``). An address with
    nothing allocated gets empty lists. An epoch whose file is not served here fails the
    request if it is claimable (503), and is left out if it is pending or expired."""
    store = state.require_store()
    done = rewards.claimed_epochs(conn, chain.chain_id, address)
    items: list[ClaimItem] = []
    pending: list[PendingItem] = []
    expired: list[ExpiredItem] = []
    claimed: list[ClaimedItem] = []
    for published in state.published(conn, chain.chain_id):
        if published.epoch in done:
            try:
                paid = store.get(published).by_account.get(address.lower())
            except rewards.DistributionUnavailable:
                continue
            if paid is not None:
                claimed.append(ClaimedItem(epoch=published.epoch, amount=str(paid.amount)))
            continue
        phase = published.phase(moment)
        try:
            file = store.get(published)
        except rewards.DistributionUnavailable:
            if phase == "claimable":
                raise
            continue
        entry = file.by_account.get(address.lower())
        if entry is None or entry.amount == 0:
            continue
        amount = str(entry.amount)
        if phase == "pending":
            pending.append(
                PendingItem(
                    epoch=published.epoch, amount=amount, claimable_at=published.claimable_at
                )
            )
        elif phase == "expired":
            expired.append(
                ExpiredItem(
                    epoch=published.epoch,
                    amount=amount,
                    claim_window_closed_at=published.window_closes_at,
                    swept=published.swept,
                    proof=None if published.swept else file.proof(entry.account),
                )
            )
        else:
            items.append(
                ClaimItem(
                    epoch=published.epoch,
                    amount=amount,
                    proof=file.proof(entry.account),
                    claim_window_closes_at=published.window_closes_at,
                )
            )
    account = to_checksum_address(address)
    return ClaimableOut(
        chain_id=chain.chain_id,
        vault=state.vault,
        account=account,
        items=items,
        total=str(sum(int(i.amount) for i in items)),
        claim_many=ClaimManyArgs(
            epochs=[i.epoch for i in items],
            account=account,
            amounts=[i.amount for i in items],
            proofs=[i.proof for i in items],
        ),
        pending=pending,
        pending_total=str(sum(int(i.amount) for i in pending)),
        expired=expired,
        claimed=claimed,
    )
