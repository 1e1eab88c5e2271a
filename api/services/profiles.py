"""Profiles: the on-chain identity joined with the off-chain persona its owner edits.

The persona document is served at ``GET /profiles/{handle}/persona`` exactly as hashed, so the
owner can point the identity's metadataURI there and set metadataHash to its keccak. Canonical
form (what is hashed): the JSON object
``{"avatar_url", "bio", "links", "pinned_post_ids", "schema"}`` (``schema`` is
``"planet.persona/1"``; absent avatar is ``null``), keys sorted, no insignificant whitespace
(separators ``,`` and ``:``), non-ASCII characters written as UTF-8 (not ``\\u`` escapes), then
UTF-8 encoded; the hash is keccak256 of those bytes, 0x-hex. ``persona_verified`` is true only
when that hash equals the on-chain metadataHash the indexer mirrored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from eth_utils import keccak
from sqlalchemy import Connection, bindparam, select

from api.errors import ErrorCode, NotFound, Unprocessable
from api.services import identities, passes
from api.services.chain import ChainContext
from api.services.identities import Identity
from planet.store import fulltext
from planet.store.offchain import hidden, personas, posts
from planet.store.sql import insert_ignore

PERSONA_SCHEMA = "planet.persona/1"
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def canonical_persona(document: dict[str, Any]) -> bytes:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def persona_hash(document: dict[str, Any]) -> str:
    return "0x" + keccak(canonical_persona(document)).hex()


@dataclass(frozen=True)
class Profile:
    identity: Identity
    persona: dict[str, Any] | None
    persona_hash: str | None
    epoch: int | None
    points_this_epoch: int
    points_total: int
    passes_held: list[passes.Held]
    passes_created: list[passes.Created]
    moderation_label: str | None = None  # set while the risk role hides the identity

    @property
    def persona_verified(self) -> bool:
        return self.persona_hash is not None and self.persona_hash == self.identity.metadata_hash


@dataclass(frozen=True)
class OnchainUpdate:
    """What an edited persona needs on chain: ``none``, ``metadata_hash`` (the metadataURI
    already serves it) or ``metadata_uri_and_hash``; and the URI to set."""

    needs: Literal["none", "metadata_hash", "metadata_uri_and_hash"]
    metadata_uri: str


def onchain_update(identity: Identity, digest: str, base_url: str) -> OnchainUpdate:
    """Compares the persona's hash and this server's persona URL with what the identity holds
    on chain (as mirrored); a matching hash needs nothing, wherever it is served. Any URL
    ending in the persona's path counts as serving it: one API is often reached under several
    origins."""
    path = f"/profiles/{identity.handle}/persona"
    current = identity.metadata_uri
    serves = current.rstrip("/").lower().endswith(path.lower())
    if digest == identity.metadata_hash:
        return OnchainUpdate("none", current)
    uri = current if serves else base_url.rstrip("/") + path
    return OnchainUpdate("metadata_hash" if serves else "metadata_uri_and_hash", uri)


def find_identity(conn: Connection, chain_id: int, handle_or_address: str) -> Identity:
    if _ADDRESS.match(handle_or_address):
        identity = identities.by_owner(conn, chain_id, handle_or_address)
    else:
        identity = identities.by_handle(conn, chain_id, handle_or_address)
    if identity is None:
        raise NotFound(f"no identity {handle_or_address!r} on chain {chain_id}")
    return identity


_PERSONA = select(personas).where(
    personas.c.chain_id == bindparam("chain_id"), personas.c.token_id == bindparam("token_id")
)


def persona_of(conn: Connection, identity: Identity) -> dict[str, Any] | None:
    row = conn.execute(
        _PERSONA, {"chain_id": identity.chain_id, "token_id": identity.token_id}
    ).one_or_none()
    if row is None:
        return None
    return _document(row.bio, row.avatar_url, row.links, row.pinned_post_ids)


def _document(
    bio: str, avatar_url: str | None, links: list[str], pinned: list[int]
) -> dict[str, Any]:
    return {
        "schema": PERSONA_SCHEMA,
        "bio": bio,
        "avatar_url": avatar_url,
        "links": list(links),
        "pinned_post_ids": list(pinned),
    }


def profile(conn: Connection, chain: ChainContext, handle_or_address: str, now: int) -> Profile:
    identity = find_identity(conn, chain.chain_id, handle_or_address)
    persona = persona_of(conn, identity)
    epoch = chain.current_epoch(now)
    this_epoch, total = identities.points(conn, chain.chain_id, identity.owner, epoch)
    return Profile(
        identity=identity,
        persona=persona,
        persona_hash=None if persona is None else persona_hash(persona),
        epoch=epoch,
        points_this_epoch=this_epoch,
        points_total=total,
        passes_held=passes.held(conn, chain.chain_id, identity.owner, now),
        passes_created=passes.created(conn, chain.chain_id, identity.owner),
        moderation_label=conn.execute(
            select(hidden.c.label).where(
                hidden.c.chain_id == identity.chain_id,
                hidden.c.kind == "identity",
                hidden.c.target_id == identity.token_id,
            )
        ).scalar(),
    )


def set_persona(
    conn: Connection,
    identity: Identity,
    bio: str,
    avatar_url: str | None,
    links: list[str],
    pinned_post_ids: list[int],
    now: int,
) -> dict[str, Any]:
    """Replaces the owner's persona; pinned posts must be the owner's own. Returns the
    document whose hash the owner should now set on chain."""
    if pinned_post_ids:
        own = set(
            conn.execute(
                select(posts.c.id).where(
                    posts.c.id.in_(pinned_post_ids),
                    posts.c.chain_id == identity.chain_id,
                    posts.c.author_token_id == identity.token_id,
                    posts.c.visibility == "public",  # a public persona pins no private post
                    posts.c.deleted_at.is_(None),
                )
            ).scalars()
        )
        foreign = [p for p in pinned_post_ids if p not in own]
        if foreign:
            raise Unprocessable(
                f"only your own public posts can be pinned (not: {foreign})",
                code=ErrorCode.INVALID_PINNED_POST,
            )
    values = {
        "bio": bio,
        "avatar_url": avatar_url,
        "links": links,
        "pinned_post_ids": pinned_post_ids,
        "updated_at": now,
    }
    key = {"chain_id": identity.chain_id, "token_id": identity.token_id}
    if not insert_ignore(conn, personas, {**key, **values}):
        conn.execute(
            personas.update()
            .where(personas.c.chain_id == key["chain_id"], personas.c.token_id == key["token_id"])
            .values(**values)
        )
    fulltext.index_persona(conn, identity.chain_id, identity.token_id)
    return _document(bio, avatar_url, links, pinned_post_ids)
