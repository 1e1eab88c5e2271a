"""Profiles: on-chain identity + off-chain persona + points."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from eth_utils import to_checksum_address
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, field_validator

from api.db import in_transaction
from api.deps import Chain, Conn, CurrenciesDep, CurrentIdentity, Now
from api.errors import NotFound, responses
from api.params import BodyId, HandleOrAddress, Text
from api.schemas import CurrencyOut, currency_out
from api.services import directory, passes, profiles
from api.services.posts import decode_cursor, encode_cursor

router = APIRouter(prefix="/profiles", tags=["profiles"])


class PersonaIn(BaseModel):
    bio: Text = Field(default="", max_length=1000)
    avatar_url: Text | None = Field(default=None, max_length=500)
    links: list[Text] = Field(default_factory=list, max_length=10)
    pinned_post_ids: list[BodyId] = Field(default_factory=list, max_length=5)

    @field_validator("avatar_url")
    @classmethod
    def _http_avatar(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://", "ipfs://")):
            raise ValueError("must be an https://, http:// or ipfs:// URL")
        return value

    @field_validator("links")
    @classmethod
    def _http_links(cls, value: list[str]) -> list[str]:
        for link in value:
            if len(link) > 500 or not link.startswith(("https://", "http://")):
                raise ValueError("each link must be an http(s) URL of at most 500 characters")
        return value


class PersonaOut(BaseModel):
    schema_: str = Field(alias="schema", serialization_alias="schema")
    bio: str
    avatar_url: str | None
    links: list[str]
    pinned_post_ids: list[int]


class PersonaSaved(BaseModel):
    persona: PersonaOut
    metadata_hash: str = Field(
        description="keccak256 of the canonical document: set it on chain with "
        "Identity.setMetadata(uri, hash) so the profile shows persona_verified"
    )
    onchain_metadata_hash: str
    persona_verified: bool
    onchain_update: Literal["none", "metadata_hash", "metadata_uri_and_hash"] = Field(
        description="What the chain needs for this edit to show verified: `none` (the hash on "
        "chain already matches), `metadata_hash` (the identity's metadataURI already serves "
        "this persona: only the hash changes), `metadata_uri_and_hash` (point metadataURI here "
        "too). Both are one Identity.setMetadata(metadata_uri, metadata_hash) transaction, "
        "sent from the identity's wallet: `planet identity sync-persona` does it"
    )
    metadata_uri: str = Field(description="The metadataURI to set with the hash")


class PointsOut(BaseModel):
    epoch: int | None = Field(description="The current epoch (null if genesis is unknown)")
    this_epoch: int
    total: int


class HeldPassOut(BaseModel):
    pass_id: int
    creator: str
    balance: int
    expiry: int = Field(description="Unix seconds a subscription runs to (exclusive); 0: lifetime")
    active: bool = Field(description="Whether it grants access now (CommunityPass.hasAccess)")


class CreatedPassOut(BaseModel):
    pass_id: int
    currency: str = Field(description="ERC-20 address, or the zero address for native OKB")
    price: str = Field(description="Per pass or period, in the currency's base unit (decimal)")
    duration: int = Field(description="Subscription period in seconds; 0: lifetime")
    minted: int
    max_supply: str = Field(description="Decimal (2^64-1 means unlimited)")
    paused: bool


class PassesOut(BaseModel):
    held: list[HeldPassOut] = Field(description="Passes the wallet holds (lapsed ones inactive)")
    created: list[CreatedPassOut] = Field(description="Passes this identity's wallet created")


class ProfileOut(BaseModel):
    handle: str
    address: str
    token_id: int
    verified: bool
    labels: list[str]
    labels_bitmap: str = Field(description="The raw uint256 label bitmap, decimal")
    metadata_uri: str
    metadata_hash: str
    persona: PersonaOut | None
    persona_hash: str | None
    persona_verified: bool
    points: PointsOut
    passes: PassesOut
    moderation_label: str | None = Field(
        default=None,
        description="Why the risk role hid this identity's persona (e.g. `impersonation`): "
        "`persona` is null while it is hidden; null when shown",
    )


def _persona(document: dict[str, Any] | None) -> PersonaOut | None:
    return None if document is None else PersonaOut.model_validate(document)


@router.get("/{handle_or_address}", response_model=ProfileOut, responses=responses(404))
async def get_profile(
    handle_or_address: HandleOrAddress, request: Request, chain: Chain, moment: Now
) -> ProfileOut:
    """The identity, its persona (and whether it matches the on-chain hash), its points and
    the community passes its wallet holds and created."""
    p = await in_transaction(
        request, lambda conn: profiles.profile(conn, chain, handle_or_address, moment)
    )
    i = p.identity
    return ProfileOut(
        handle=i.handle,
        address=i.owner,
        token_id=i.token_id,
        verified=i.verified,
        labels=i.label_names,
        labels_bitmap=str(i.labels),
        metadata_uri=i.metadata_uri,
        metadata_hash=i.metadata_hash,
        persona=None if p.moderation_label else _persona(p.persona),
        persona_hash=p.persona_hash,
        persona_verified=p.persona_verified,
        points=PointsOut(epoch=p.epoch, this_epoch=p.points_this_epoch, total=p.points_total),
        passes=PassesOut(
            held=[HeldPassOut(**vars(h)) for h in p.passes_held],
            created=[
                CreatedPassOut(
                    **{**vars(c), "price": str(c.price), "max_supply": str(c.max_supply)}
                )
                for c in p.passes_created
            ],
        ),
        moderation_label=p.moderation_label,
    )


@router.get(
    "/{handle_or_address}/persona",
    response_class=Response,
    responses={
        200: {"model": PersonaOut, "description": "The canonical document, as hashed"},
        **responses(404),
    },
)
def get_persona_document(handle_or_address: HandleOrAddress, conn: Conn, chain: Chain) -> Response:
    """The persona document, byte for byte what is hashed (point metadataURI here)."""
    identity = profiles.find_identity(conn, chain.chain_id, handle_or_address)
    document = profiles.persona_of(conn, identity)
    if document is None:
        raise NotFound(f"{identity.handle} has no persona yet")
    return Response(profiles.canonical_persona(document), media_type="application/json")


class ProceedsItem(BaseModel):
    currency: CurrencyOut
    withdrawable: str = Field(description="CommunityPass.proceeds: base units, decimal")
    withdrawable_display: str | None = Field(
        description="In human units, e.g. `0.0196 OKB` (null if the token's decimals are unknown)"
    )
    withdrawn: str = Field(description="Withdrawn so far, base units, decimal")
    withdrawn_display: str | None


class ProceedsOut(BaseModel):
    handle: str
    address: str = Field(description="The payee: the identity's wallet (checksummed)")
    items: list[ProceedsItem] = Field(description="One per currency sold in; native first")


@router.get(
    "/{handle_or_address}/proceeds", response_model=ProceedsOut, responses=responses(404, 422)
)
def get_proceeds(
    handle_or_address: HandleOrAddress, conn: Conn, chain: Chain, currencies: CurrenciesDep
) -> ProceedsOut:
    """What pass sales credited the identity's wallet, per currency: withdrawable now
    (``withdrawProceeds``) and withdrawn so far, as the indexer mirrored them. Empty if it
    never sold a pass."""
    identity = profiles.find_identity(conn, chain.chain_id, handle_or_address)
    items = []
    for p in passes.proceeds(conn, chain.chain_id, identity.owner):
        currency = currencies.get(p.currency)
        items.append(
            ProceedsItem(
                currency=currency_out(currency),
                withdrawable=str(p.withdrawable),
                withdrawable_display=currency.human(p.withdrawable),
                withdrawn=str(p.withdrawn),
                withdrawn_display=currency.human(p.withdrawn),
            )
        )
    return ProceedsOut(
        handle=identity.handle, address=to_checksum_address(identity.owner), items=items
    )


@router.put("/me/persona", response_model=PersonaSaved, responses=responses(401, 403, 422))
def put_persona(
    body: PersonaIn, request: Request, conn: Conn, identity: CurrentIdentity, moment: Now
) -> PersonaSaved:
    """Replaces your persona (403 ``identity_required``; 422 ``invalid_pinned_post``); the
    answer says which on-chain update the edit needs (``onchain_update``)."""
    document = profiles.set_persona(
        conn, identity, body.bio, body.avatar_url, body.links, body.pinned_post_ids, moment
    )
    digest = profiles.persona_hash(document)
    update = profiles.onchain_update(identity, digest, str(request.base_url))
    return PersonaSaved(
        persona=PersonaOut.model_validate(document),
        metadata_hash=digest,
        onchain_metadata_hash=identity.metadata_hash,
        persona_verified=digest == identity.metadata_hash,
        onchain_update=update.needs,
        metadata_uri=update.metadata_uri,
    )


class DirectoryQuery(BaseModel):
    """What GET /profiles takes (any other query parameter is 422, as on every route)."""

    sort: Literal["recent", "rank", "followers", "active"] = Field(
        default="recent",
        description="`recent`: newest registration first; `rank`: by what the latest closed "
        "week paid (its published distribution), then its points, then registration; "
        "`followers`: most followed first; `active`: latest public post first (never posted: "
        "last); ties by newest registration",
    )
    cursor: str | None = Field(
        default=None, max_length=64, description="next_cursor of the last page"
    )
    limit: int = Field(default=20, ge=1, le=100, description="Items per page")


class DirectoryEntry(BaseModel):
    handle: str
    address: str = Field(description="The identity's wallet (checksummed)")
    token_id: int
    verified: bool
    labels: list[str]
    bio: str | None = Field(description="The persona's bio; null when it has no persona")
    week_points: int = Field(description="Points its wallet earned in the latest closed week")
    week_allocation: str | None = Field(
        description="What the latest closed week paid its wallet (base units, decimal); null "
        "while that week is not published here"
    )
    followers: int = Field(description="How many identities follow it")


class DirectoryOut(BaseModel):
    sort: str
    week: int | None = Field(description="The latest closed week (epoch); null before one closes")
    items: list[DirectoryEntry]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null: end")


@router.get("", response_model=DirectoryOut, responses=responses(422))
async def list_profiles(
    query: Annotated[DirectoryQuery, Query()], request: Request, chain: Chain, moment: Now
) -> DirectoryOut:
    """The creator directory: every identity, newest first, ranked by the latest closed
    week, most followed first or most recently active first (422 ``invalid_cursor``; 422
    ``validation_error`` for an unknown parameter)."""
    state = request.app.state.rewards
    after = decode_cursor(query.cursor)
    page = await in_transaction(
        request,
        lambda conn: directory.listing(conn, chain, state, query.sort, after, query.limit, moment),
    )
    return DirectoryOut(
        sort=query.sort,
        week=page.week,
        items=[
            DirectoryEntry(
                handle=i.identity.handle,
                address=to_checksum_address(i.identity.owner),
                token_id=i.identity.token_id,
                verified=i.identity.verified,
                labels=i.identity.label_names,
                bio=i.bio,
                week_points=i.week_points,
                week_allocation=None if i.week_allocation is None else str(i.week_allocation),
                followers=i.followers,
            )
            for i in page.items
        ],
        next_cursor=None if page.next_position is None else encode_cursor(page.next_position),
    )
