"""Sign-In with Ethereum (EIP-4361): ask for a nonce, sign the message, get a session token."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import Conn, CurrentUser, Now, Settings
from api.errors import responses
from api.schemas import utc
from api.services import auth, siwe

router = APIRouter(prefix="/auth", tags=["auth"])


class NonceOut(BaseModel):
    nonce: str
    expires_at: datetime
    domain: str = Field(description="The domain the message must name")
    chain_id: int = Field(description="The chain id the message must name")


class VerifyIn(BaseModel):
    message: str = Field(max_length=4096, description="The EIP-4361 text the wallet signed")
    signature: str = Field(
        max_length=2 + 2 * siwe.MAX_SIGNATURE_BYTES,
        description="0x-hex signature: an EOA's personal_sign signature (65 bytes), or what a "
        "contract wallet signs with: checked through its ERC-1271 isValidSignature, or "
        "ERC-6492-wrapped when the wallet is not deployed yet",
    )


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
    ``wrong_uri``, ``wrong_chain``, ``invalid_nonce``, ``nonce_expired``, ``issued_in_future``,
    ``message_too_old``, ``message_expired``, ``not_yet_valid``, ``invalid_signature``; 422
    ``invalid_message``. The session lasts ``token_ttl`` seconds, or less if the message's
    Expiration Time comes first.

    Smart-contract wallets sign in too: when the signature is not the message address's key's,
    the chain is asked whether the address's contract accepts it (ERC-1271), or, for an
    ERC-6492-wrapped signature, whether the wallet its factory would deploy does. A refusal is
    401 ``invalid_signature`` with the reason."""
    token, session = auth.sign_in(conn, settings, body.message, body.signature, moment)
    return TokenOut(token=token, address=session.address, expires_at=utc(session.expires_at))


class SignOutIn(BaseModel):
    everywhere: bool = Field(
        default=False,
        description="End every session of this wallet, not only this token's (a token was "
        "lost or leaked)",
    )


class SignOutOut(BaseModel):
    signed_out: int = Field(description="How many sessions ended")


@router.post("/logout", response_model=SignOutOut, responses=responses(401, 429))
def logout(user: CurrentUser, conn: Conn, moment: Now, body: SignOutIn | None = None) -> SignOutOut:
    """Signs out: this token (or, with ``everywhere``, every token of the wallet) is refused
    from now on with 401 ``session_revoked``, on every API process."""
    if body is not None and body.everywhere:
        return SignOutOut(signed_out=auth.sign_out_everywhere(conn, user, moment))
    auth.sign_out(conn, user, moment)
    return SignOutOut(signed_out=1)


@router.get("/me", response_model=MeOut, responses=responses(401, 429))
def me(user: CurrentUser) -> MeOut:
    """Who the token belongs to.

    401 ``not_authenticated``, ``invalid_token``, ``token_expired``, ``session_revoked``."""
    return MeOut(address=user.address, chain_id=user.chain_id, expires_at=utc(user.expires_at))
