"""Sign-In with Ethereum (EIP-4361): ask for a nonce, sign the message, get a session token."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import Conn, CurrentUser, Now, Settings
from api.errors import responses
from api.schemas import utc
from api.services import auth

router = APIRouter(prefix="/auth", tags=["auth"])


class NonceOut(BaseModel):
    nonce: str
    expires_at: datetime
    domain: str = Field(description="The domain the message must name")
    chain_id: int = Field(description="The chain id the message must name")


class VerifyIn(BaseModel):
    message: str = Field(max_length=4096, description="The EIP-4361 text the wallet signed")
    signature: str = Field(max_length=200, description="0x-hex personal_sign signature")


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"
    address: str
    expires_at: datetime


class MeOut(BaseModel):
    address: str
    chain_id: int
    expires_at: datetime


@router.post("/nonce", response_model=NonceOut, responses=responses(429))
def new_nonce(conn: Conn, settings: Settings, moment: Now) -> NonceOut:
    """A single-use nonce for one sign-in message, valid for ``nonce_ttl`` seconds."""
    nonce, expires = auth.issue_nonce(conn, moment, settings.nonce_ttl)
    return NonceOut(
        nonce=nonce,
        expires_at=utc(expires),
        domain=settings.siwe_domain,
        chain_id=settings.chain_id,
    )


@router.post("/verify", response_model=TokenOut, responses=responses(401, 422, 429))
def verify(body: VerifyIn, conn: Conn, settings: Settings, moment: Now) -> TokenOut:
    """Checks the signed message and returns a session token. 401 codes: ``wrong_domain``,
    ``wrong_chain``, ``invalid_nonce``, ``nonce_expired``, ``issued_in_future``,
    ``message_expired``, ``not_yet_valid``, ``invalid_signature``; 422 ``invalid_message``."""
    token, session = auth.sign_in(conn, settings, body.message, body.signature, moment)
    return TokenOut(token=token, address=session.address, expires_at=utc(session.expires_at))


@router.get("/me", response_model=MeOut, responses=responses(401, 429))
def me(user: CurrentUser) -> MeOut:
    """Who the token belongs to.

    401 ``not_authenticated``, ``invalid_token``, ``token_expired``."""
    return MeOut(address=user.address, chain_id=user.chain_id, expires_at=utc(user.expires_at))
