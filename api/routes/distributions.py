"""The published distribution files, at the URI ``planet epoch close`` records on chain.

``planet epoch close --out-dir D --uri-base <api>/distributions`` writes
``D/<chain id>/epoch-<N>.json`` and proposes the root with the URI
``<api>/distributions/<chain id>/epoch-<N>.json`` and the file's keccak256; this route answers
that URI with the file's bytes exactly as written, so anyone can fetch it, hash it, compare the
hash with the vault's ``fileHash`` and recompute the root. ``D`` is ``PLANET_API_DISTRIBUTIONS_DIR``
(default ``distributions``, close's default ``--out-dir``).

The path takes two integers and nothing else, so no request can name a file outside the
folder; a file that resolves outside it (a symbolic link) is refused as well.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import Settings
from api.errors import ErrorCode, ErrorResponse, NotFound, Unavailable, responses
from api.params import MAX_ID
from planet.rewards.close import relative_path

router = APIRouter(prefix="/distributions", tags=["rewards"])

ChainId = Annotated[int, Path(ge=1, le=MAX_ID, description="The chain the file is for")]
Epoch = Annotated[int, Path(ge=0, le=MAX_ID, description="The vault epoch")]


@router.get(
    "/{chain_id}/epoch-{epoch}.json",
    response_class=Response,
    responses={
        200: {
            "description": "The file as published, byte for byte (`planet.distribution/1`): "
            "its keccak256 is the vault's `fileHash`",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **responses(404, 422),
        503: {
            "model": ErrorResponse,
            "description": "`rewards_unavailable`: no distributions folder configured",
        },
    },
)
def distribution_file(chain_id: ChainId, epoch: Epoch, settings: Settings) -> Response:
    """The distribution file of ``epoch`` on ``chain_id`` (404 if it is not here)."""
    folder = settings.distributions_dir
    if folder is None:
        raise Unavailable(
            "distribution files are not served here: PLANET_API_DISTRIBUTIONS_DIR is empty",
            code=ErrorCode.REWARDS_UNAVAILABLE,
        )
    missing = NotFound(f"no distribution file for epoch {epoch} of chain {chain_id} here")
    base = folder.resolve()
    path = (base / relative_path(chain_id, epoch)).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        raise missing
    try:
        content = path.read_bytes()
    except OSError:
        raise missing from None
    return Response(content, media_type="application/json")
