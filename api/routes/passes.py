"""Community passes: the catalogue, one pass with every term, its supply and holder counts and
its price in human units, and the ERC-1155 metadata document its ``uri`` may point at.

Amounts and uint64 quantities are decimal strings (JSON numbers lose precision past 2^53);
``*_display`` fields give the same in human units (``0.01 OKB``, ``30d``, ``2.5%``).
"""

from __future__ import annotations

import base64
import html
from typing import Annotated, Literal

from eth_utils import to_checksum_address
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import RowMapping

from api.deps import Chain, Conn, CurrenciesDep, Now
from api.errors import ErrorCode, Unprocessable, responses
from api.params import MAX_ID, Text
from api.schemas import CurrencyOut, Cursor, Limit, currency_out
from api.services import pass_rights as pass_rights_service
from api.services import passes, profiles
from api.services.currencies import Currencies
from api.services.posts import decode_cursor, encode_cursor
from planet.core.passes import Block
from planet.core.units import format_duration, format_percent

router = APIRouter(prefix="/passes", tags=["passes"])

PassId = Annotated[int, Path(ge=1, le=MAX_ID, description="The pass's id (ERC-1155 token id)")]
MetadataId = Annotated[
    str,
    Path(
        pattern=r"^(?:[0-9]{1,19}|[0-9a-f]{64})$",
        description="The pass id, decimal, or as ERC-1155 clients substitute `{id}`: 64 "
        "lowercase hex digits",
    ),
]
Creator = Annotated[
    Text | None,
    Query(max_length=42, description="Only this creator's passes: a handle or a 0x address"),
]


class PassTermsOut(BaseModel):
    """What the creator chose (``ICommunityPass.PassTerms``) and the fee fixed at creation."""

    kind: Literal["lifetime", "subscription"]
    currency: CurrencyOut
    price: str = Field(description="Per pass (lifetime) or per period, in base units, decimal")
    price_display: str | None = Field(
        description="The price in human units, e.g. `0.01 OKB` (null if the token's decimals "
        "could not be read)"
    )
    duration: int = Field(description="Subscription period in seconds; 0: lifetime")
    duration_display: str | None = Field(description="e.g. `30d`; null for a lifetime pass")
    max_supply: str = Field(description="Supply cap, decimal (2^64-1: unlimited)")
    wallet_limit: str = Field(description="Tokens one wallet may mint, decimal")
    transferable: bool
    royalty_bps: int = Field(description="ERC-2981 royalty, basis points")
    royalty: str = Field(description="The royalty as a percentage, e.g. `2.5%`")
    fee_bps: int = Field(description="Platform fee on each sale, basis points, fixed at creation")
    fee: str = Field(description="The fee as a percentage")
    uri: str = Field(description="The metadata URI the creator set (CommunityPass.uri)")


class PassRequirementsOut(BaseModel):
    """What a wallet must have earned to buy, renew or receive the pass (protocol v2)."""

    min_points: str = Field(description="Contribution points required, decimal; 0: none")
    points_weeks: int = Field(
        description="0: lifetime points count; otherwise points earned in the current weekly "
        "epoch and the weeks before it, this many in all"
    )
    verified_identity: bool = Field(description="Whether a verified Planet identity is required")


class PassCreatorOut(BaseModel):
    address: str
    handle: str | None = Field(description="null if the wallet no longer owns an identity")
    token_id: int | None


class PassOut(BaseModel):
    id: int
    creator: PassCreatorOut
    terms: PassTermsOut
    paused: bool = Field(description="Sales paused by the creator")
    requirements: PassRequirementsOut
    refund_window: int = Field(
        description="Seconds after a subscription payment during which it may be cancelled "
        "for a pro-rata refund; 0: no refunds"
    )
    holders_price_from: int | None = Field(
        description="Until this Unix time, subscribers renew at no more than the price they "
        "last paid (the notice after the latest price change); null: no change pending"
    )
    supply: str = Field(description="Tokens minted so far (never burned), decimal")
    remaining: str = Field(description="Tokens that may still be minted, decimal")
    holders: int = Field(description="Wallets holding at least one token")
    active_holders: int = Field(
        description="Wallets CommunityPass.hasAccess grants now (lapsed subscriptions excluded)"
    )
    metadata_url: str = Field(description="This pass's ERC-1155 metadata document")
    created_block: int
    created_tx: str


class PassPage(BaseModel):
    items: list[PassOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null: end")


class PassMetadata(BaseModel):
    """ERC-1155 metadata JSON (name, description, image, decimals, properties)."""

    name: str
    description: str
    image: str = Field(
        description="The creator's persona avatar, or a generated SVG card (data: URI)"
    )
    decimals: int = Field(description="Always 0: a pass is indivisible")
    properties: PassTermsOut


def _terms(r: RowMapping, currencies: Currencies) -> PassTermsOut:
    """The terms of a mirrored ``passes`` row."""
    currency = currencies.get(r["currency"])
    price, duration = int(r["price"]), int(r["duration"])
    return PassTermsOut(
        kind="subscription" if duration else "lifetime",
        currency=currency_out(currency),
        price=str(price),
        price_display=currency.human(price),
        duration=duration,
        duration_display=format_duration(duration) if duration else None,
        max_supply=str(r["max_supply"]),
        wallet_limit=str(r["wallet_limit"]),
        transferable=bool(r["transferable"]),
        royalty_bps=int(r["royalty_bps"]),
        royalty=format_percent(int(r["royalty_bps"])),
        fee_bps=int(r["fee_bps"]),
        fee=format_percent(int(r["fee_bps"])),
        uri=str(r["uri"]),
    )


def _out(p: passes.Listed, currencies: Currencies, request: Request, now: int) -> PassOut:
    r = p.row
    pass_id = int(r["pass_id"])
    supply, cap = int(r["minted"]), int(r["max_supply"])
    return PassOut(
        id=pass_id,
        creator=PassCreatorOut(
            address=to_checksum_address(r["creator"]),
            handle=p.creator_handle,
            token_id=p.creator_token_id,
        ),
        terms=_terms(r, currencies),
        paused=bool(r["paused"]),
        requirements=PassRequirementsOut(
            min_points=str(r["min_points"]),
            points_weeks=int(r["points_weeks"]),
            verified_identity=bool(r["verified_identity"]),
        ),
        refund_window=int(r["refund_window"]),
        holders_price_from=(
            int(r["holders_price_from"]) if int(r["holders_price_from"]) > now else None
        ),
        supply=str(supply),
        remaining=str(max(cap - supply, 0)),
        holders=p.holders,
        active_holders=p.active_holders,
        metadata_url=str(request.url_for("pass_metadata", pass_id=str(pass_id))),
        created_block=int(r["created_block"]),
        created_tx=r["created_tx"],
    )


@router.get("", response_model=PassPage, responses=responses(404, 422))
def list_passes(
    request: Request,
    conn: Conn,
    chain: Chain,
    currencies: CurrenciesDep,
    moment: Now,
    creator: Creator = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PassPage:
    """Every pass by id, oldest first; ``?creator=`` keeps one creator's (404 if no such
    identity; 422 ``invalid_cursor``)."""
    wallet = None
    if creator is not None:
        wallet = profiles.find_identity(conn, chain.chain_id, creator).owner.lower()
    items, more = passes.page(
        conn, chain.chain_id, moment, decode_cursor(cursor), limit, creator=wallet
    )
    return PassPage(
        items=[_out(p, currencies, request, moment) for p in items],
        next_cursor=encode_cursor(int(items[-1].row["pass_id"])) if more and items else None,
    )


@router.get("/{pass_id}", response_model=PassOut, responses=responses(404, 422))
def get_pass(
    request: Request,
    pass_id: PassId,
    conn: Conn,
    chain: Chain,
    currencies: CurrenciesDep,
    moment: Now,
) -> PassOut:
    """One pass: every term, its supply, its holders and its price in human units (404 if the
    indexer has not seen it created)."""
    return _out(passes.get(conn, chain.chain_id, pass_id, moment), currencies, request, moment)


Wallet = Annotated[
    str, Path(pattern=r"^0x[0-9a-fA-F]{40}$", description="A 0x wallet address (any case)")
]


class MissingOut(BaseModel):
    requirement: Literal["points", "verified_identity"]
    required: str | None = Field(description="Points required, decimal (null for identity)")
    has: str | None = Field(description="Points the wallet has as the pass counts them")


class RefundOut(BaseModel):
    """What ``cancelSubscription`` would credit the wallet now (withdrawn afterwards)."""

    available: bool = Field(description="A refundable payment exists and the creator can pay")
    amount: str = Field(description="Base units, decimal; 0 when nothing is refundable")
    amount_display: str | None
    funded: bool = Field(description="The creator's unwithdrawn proceeds cover the amount")
    until: int | None = Field(description="Unix time the refund window closes (exclusive)")


class PassRightsOut(BaseModel):
    """One wallet's standing on one pass, as CommunityPass's ``canMint``, ``canRenew``,
    ``renewalPrice`` and ``refundable`` answer it (from the mirror)."""

    pass_id: int
    wallet: str = Field(description="Checksummed")
    points: str = Field(description="Contribution points as the pass counts them, decimal")
    verified_identity: bool = Field(description="The wallet owns a verified Planet identity")
    missing: list[MissingOut] = Field(description="Requirements the wallet does not meet")
    can_mint: bool = Field(description="One token (or period) may be minted to it now")
    mint_blocked: Block | None = Field(description="Why not, if not (the first reason)")
    can_renew: bool
    renew_blocked: Block | None
    expiry: int = Field(description="Subscription end (exclusive); 0: none")
    snapshot_price: str = Field(description="Unit price of its latest purchase, decimal")
    renewal_price: str | None = Field(
        description="Unit price its renewal costs now (null unless it holds the subscription)"
    )
    refund: RefundOut


@router.get(
    "/{pass_id}/rights/{wallet}", response_model=PassRightsOut, responses=responses(404, 422)
)
def pass_rights(
    pass_id: PassId,
    wallet: Wallet,
    conn: Conn,
    chain: Chain,
    currencies: CurrenciesDep,
    moment: Now,
) -> PassRightsOut:
    """What ``wallet`` may do with the pass now: the requirements it misses, whether it may
    buy or renew and why not, its renewal price and the refund a cancel would pay (404 if the
    indexer has not seen the pass created)."""
    p = passes.get(conn, chain.chain_id, pass_id, moment).row
    r = pass_rights_service.rights(
        conn, chain.chain_id, p, wallet, moment, chain.current_epoch(moment)
    )
    currency = currencies.get(p["currency"])
    return PassRightsOut(
        pass_id=pass_id,
        wallet=to_checksum_address(wallet),
        points=str(r.points),
        verified_identity=r.verified,
        missing=[
            MissingOut(
                requirement="points" if m.requirement == "points" else "verified_identity",
                required=str(m.required) if m.requirement == "points" else None,
                has=str(m.has) if m.requirement == "points" else None,
            )
            for m in r.missing
        ],
        can_mint=r.can_mint,
        mint_blocked=r.mint_blocked,
        can_renew=r.can_renew,
        renew_blocked=r.renew_blocked,
        expiry=r.expiry,
        snapshot_price=str(r.snapshot_price),
        renewal_price=None if r.renewal_price is None else str(r.renewal_price),
        refund=RefundOut(
            available=r.refund > 0 and r.refund_funded,
            amount=str(r.refund),
            amount_display=currency.human(r.refund),
            funded=r.refund_funded,
            until=r.refund_until,
        ),
    )


def _card(name: str, lines: list[str]) -> str:
    """A small SVG card naming the pass: an image for wallets when the creator has no avatar."""
    texts = "".join(
        f'<text x="24" y="{96 + 36 * i}" font-size="22">{html.escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" '
        'font-family="sans-serif"><rect width="400" height="400" rx="24" fill="#0b1f3a"/>'
        f'<g fill="#ffffff"><text x="24" y="56" font-size="28">{html.escape(name)}</text>'
        f"{texts}</g></svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@router.get(
    "/{pass_id}/metadata",
    name="pass_metadata",
    response_model=PassMetadata,
    responses=responses(404, 422),
)
def pass_metadata(
    pass_id: MetadataId, conn: Conn, chain: Chain, currencies: CurrenciesDep, moment: Now
) -> PassMetadata:
    """The pass's ERC-1155 metadata document. A creator may set the pass's ``uri`` to
    ``<api>/passes/{id}/metadata``: ERC-1155 clients put the id there as 64 hex digits, which
    this route takes as well as a decimal id."""
    number = int(pass_id, 16) if len(pass_id) == 64 else int(pass_id)
    if not 1 <= number <= MAX_ID:
        raise Unprocessable(f"pass id {pass_id} is out of range", code=ErrorCode.VALIDATION_ERROR)
    listed = passes.get(conn, chain.chain_id, number, moment)
    terms = _terms(listed.row, currencies)
    by = f"@{listed.creator_handle}" if listed.creator_handle else listed.row["creator"]
    name = f"{by} {terms.kind} pass #{number}"
    price = terms.price_display or f"{terms.price} base units"
    period = f" per {terms.duration_display}" if terms.duration_display else ""
    description = (
        f"Membership of {by}'s private community on Planet: {terms.kind} pass, {price}{period}"
        f", {'transferable' if terms.transferable else 'soulbound'}."
    )
    avatar = None
    if listed.creator_handle is not None:
        identity = profiles.find_identity(conn, chain.chain_id, listed.creator_handle)
        persona = profiles.persona_of(conn, identity)
        avatar = persona.get("avatar_url") if persona else None
    image = avatar or _card(f"{by}", [f"{terms.kind} pass #{number}", price + period])
    return PassMetadata(
        name=name, description=description, image=image, decimals=0, properties=terms
    )
