"""Every failure the API answers with, by name, and the one JSON shape they all share:

``{"error": {"code": "<stable_code>", "message": "<what to do>"}}``

Codes are part of the API contract: clients branch on ``code``, never on ``message``. So every
code is declared once, in :class:`ErrorCode`, and raised and answered by that name only (the
chat socket's error frames and close reasons included).
Validation errors keep that shape (code ``validation_error``, plus a ``details`` list naming each
bad field); unknown exceptions become ``internal_error`` with no stack trace.
"""

from __future__ import annotations

import json
from enum import StrEnum, unique
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from planet.core import logs
from planet.core.errors import PlanetError

log = logs.get("api")


@unique
class ErrorCode(StrEnum):
    """Every ``error.code`` the API answers with (HTTP bodies, chat error frames and close
    reasons), each with when it is answered."""

    # Any route
    BAD_REQUEST = "bad_request"  # 400: the body cannot be read (e.g. not UTF-8 JSON text)
    VALIDATION_ERROR = "validation_error"  # 422: a parameter or field breaks its declared type
    UNPROCESSABLE = "unprocessable"  # 422: a rule was broken (every raise today names which)
    NOT_FOUND = "not_found"  # 404: no such route, or no such row on this chain
    METHOD_NOT_ALLOWED = "method_not_allowed"  # 405: the path exists, not with this method
    JSON_TOO_DEEP = "json_too_deep"  # 400: a body nests arrays/objects past MAX_JSON_DEPTH
    REQUEST_TIMEOUT = "request_timeout"  # 408: the body (or the headers) came too slowly
    PAYLOAD_TOO_LARGE = "payload_too_large"  # 413: a body over MAX_BODY_BYTES
    HEADERS_TOO_LARGE = "headers_too_large"  # 431: request line and headers over the limit
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"  # 415: the body is not in a type taken
    HTTP_ERROR = "http_error"  # any other status the framework itself answers with
    RATE_LIMITED = "rate_limited"  # 429: the client IP's or wallet's bucket is empty
    UNAVAILABLE = "unavailable"  # 503: a feature is not configured (every raise names which)
    NOT_READY = "not_ready"  # 503 from /ready: the first failing check; details lists them all
    INTERNAL_ERROR = "internal_error"  # 500: an unexpected failure (logged, no stack trace)

    # Who is asking
    NOT_AUTHENTICATED = "not_authenticated"  # 401: no session token where one is needed
    # 401: the token is malformed, forged, for another chain or domain, or its session unknown
    INVALID_TOKEN = "invalid_token"
    TOKEN_EXPIRED = "token_expired"  # 401: the token is past its expiry: sign in again
    SESSION_REVOKED = "session_revoked"  # 401: the token's session was signed out or revoked
    FORBIDDEN = "forbidden"  # 403: signed in but not allowed (every raise names why)
    IDENTITY_REQUIRED = "identity_required"  # 403: the wallet has no Planet identity

    # Sign-in (POST /auth/verify)
    SIGN_IN_FAILED = "sign_in_failed"  # 401: the message proves nothing (every raise names why)
    WRONG_DOMAIN = "wrong_domain"  # 401: the message names another domain than this server's
    WRONG_CHAIN = "wrong_chain"  # 401: the message names another chain than this server's
    WRONG_URI = "wrong_uri"  # 401: the message's scheme or URI is not this server's origin
    INVALID_NONCE = "invalid_nonce"  # 401: the nonce was not issued here, or is already used
    NONCE_EXPIRED = "nonce_expired"  # 401: the nonce is past its expiry: ask for a new one
    ISSUED_IN_FUTURE = "issued_in_future"  # 401: Issued At is later than now (plus skew)
    MESSAGE_TOO_OLD = "message_too_old"  # 401: Issued At is before its nonce was issued
    MESSAGE_EXPIRED = "message_expired"  # 401: the message's Expiration Time has passed
    NOT_YET_VALID = "not_yet_valid"  # 401: the message's Not Before is still ahead
    # 401: neither the message address's key nor its contract wallet (ERC-1271/6492) signed it
    INVALID_SIGNATURE = "invalid_signature"
    # 422: the sign-in text is not EIP-4361, or a chat message body is not text (or holds NUL)
    INVALID_MESSAGE = "invalid_message"

    # Posts, profiles and private communities
    INVALID_CURSOR = "invalid_cursor"  # 422: ?cursor= is not a next_cursor this API returned
    INVALID_VISIBILITY = "invalid_visibility"  # 422: visibility is not public or private
    DISCLOSURE_REQUIRED = "disclosure_required"  # 422: a post naming instruments lacks one
    PASS_REQUIRED = "pass_required"  # 403: private content; the wallet has no creator's pass
    PASS_EXPIRED = "pass_expired"  # 403: private content; the wallet's subscription lapsed
    INVALID_PINNED_POST = "invalid_pinned_post"  # 422: a persona pins a post not own or public
    # 422: a search's q holds no letter or digit, or more words than a search takes
    INVALID_QUERY = "invalid_query"
    CURSOR_NEEDS_TYPE = "cursor_needs_type"  # 422: GET /search?cursor= with type=all

    # Live sessions and their chat
    HOST_REQUIRED = "host_required"  # 422: GET /live?visibility=private without ?host=
    SCHEDULED_IN_PAST = "scheduled_in_past"  # 422: a session scheduled before now
    NOT_HOST = "not_host"  # 403: starting or ending someone else's session
    CONFLICT = "conflict"  # 409: the session's state forbids it (every raise names which)
    SESSION_ALREADY_STARTED = "session_already_started"  # 409: starting a live session
    SESSION_NOT_LIVE = "session_not_live"  # 409: chatting in, or ending, a scheduled session
    SESSION_ENDED = "session_ended"  # 409: starting, ending or chatting in an ended session
    SESSION_NOT_ENDED = "session_not_ended"  # 409: attesting a session that has not ended
    SESSION_WITHOUT_ATTENDEES = "session_without_attendees"  # 422: attesting nobody's session
    EMPTY_MESSAGE = "empty_message"  # 422: a chat message that is empty or only whitespace
    MESSAGE_TOO_LONG = "message_too_long"  # 422: a chat message over its maximum length
    INVALID_FRAME = "invalid_frame"  # chat frame: not a JSON text frame {"body": ...}
    FRAME_TOO_LARGE = "frame_too_large"  # chat frame: longer than a socket reads
    CHAT_UNAVAILABLE = "chat_unavailable"  # chat frame: the broker is down (messages are kept)
    CHAT_OVERFLOW = "chat_overflow"  # chat frame: the socket fell behind; it closes (1013)
    TOO_MANY_OPEN_SESSIONS = "too_many_open_sessions"  # 409: the host has too many not ended
    TOKEN_IN_URL = "token_in_url"  # 4401: a session token in a chat socket's URL; use a ticket
    INVALID_TICKET = "invalid_ticket"  # 4401: a chat ticket unknown, used, expired or misbound
    TOO_MANY_SOCKETS = "too_many_sockets"  # 4429: the client IP holds its most chat sockets
    CHAT_FLOOD = "chat_flood"  # 4429: more chat frames than the flood limit; the socket closes

    # Editing and moderation
    NOT_AUTHOR = "not_author"  # 403: editing or deleting someone else's post or comment
    CONTENT_DELETED = "content_deleted"  # 410: the post or comment was deleted by its author
    CONTENT_HIDDEN = "content_hidden"  # 409: interacting with content the risk role hid
    RISK_ROLE_REQUIRED = "risk_role_required"  # 403: the wallet lacks the on-chain RISK_ROLE
    ALREADY_HIDDEN = "already_hidden"  # 409: hiding content that is hidden
    NOT_HIDDEN = "not_hidden"  # 409: restoring content that is not hidden
    NOTHING_TO_REVOKE = "nothing_to_revoke"  # 409: no unrevoked attestation for the content

    # Follows
    CANNOT_FOLLOW_SELF = "cannot_follow_self"  # 422: an identity following itself

    # Creator analytics
    NOT_YOUR_ANALYTICS = "not_your_analytics"  # 403: another creator's analytics
    # Notifications
    TOO_MANY_STREAMS = "too_many_streams"  # 429: the client IP holds its most streams

    # Attestations
    ATTESTATIONS_UNAVAILABLE = "attestations_unavailable"  # 503: no attester configured
    NOT_YOUR_ACTIVITY = "not_your_activity"  # 403: attesting another identity's activity
    EXCHANGE_NOT_ATTESTED = "exchange_not_attested"  # 422: a fill on an exchange not attested
    ACTIVITY_BEFORE_GENESIS = "activity_before_genesis"  # 422: older than the points calendar
    OWN_CONTENT = "own_content"  # 422: a comment on one's own post earns nothing
    NOT_ENOUGH_ENGAGEMENT = "not_enough_engagement"  # 422: too few eligible others engaged yet
    WEEKLY_QUOTA = "weekly_quota"  # 422: the identity's quota of this activity for the week

    # Trading
    INSTRUMENT_NOT_TAGGED = "instrument_not_tagged"  # 422: an order of an instrument not tagged
    ORDER_TOO_LARGE = "order_too_large"  # 422: an order's size x price is over the maximum
    EXCHANGE_MISMATCH = "exchange_mismatch"  # 409: syncing an order of another exchange
    ORDER_NOT_OPEN = "order_not_open"  # 409: cancelling an order filled, canceled or rejected
    TRADE_NOT_ATTRIBUTED = "trade_not_attributed"  # 422: attesting a creator's own fill
    EXCHANGE_UNAVAILABLE = "exchange_unavailable"  # 503: the exchange unreachable or garbled
    EXCHANGE_ERROR = "exchange_error"  # 502: the exchange refused a poll of an order

    # Trading record (api.services.trading_record)
    RECORD_OUT_OF_ORDER = "record_out_of_order"  # 409: attesting an entry before the one ahead
    RECORD_CHANGED = "record_changed"  # 409: the entry's trade was attested with other content

    # The deployment (GET /chain)
    CHAIN_UNAVAILABLE = "chain_unavailable"  # 503: no manifest configured, or a contract missing

    # Rewards
    REWARDS_UNAVAILABLE = "rewards_unavailable"  # 503: no distributions folder configured
    EPOCH_NOT_PUBLISHED = "epoch_not_published"  # 404: the epoch has no root, or was vetoed
    NO_ALLOCATION = "no_allocation"  # 404: the address is not paid in the epoch
    DISTRIBUTION_MISSING = "distribution_missing"  # 503: the epoch's file is not here/readable
    DISTRIBUTION_MISMATCH = "distribution_mismatch"  # 503: hash or root differs from the vault's
    DISTRIBUTION_INVALID = "distribution_invalid"  # 503: the file cannot be parsed or checked


class ErrorBody(BaseModel):
    code: str  # an ErrorCode; typed str so the OpenAPI document lists no enum to keep in step
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """What every 4xx/5xx answer carries."""

    error: ErrorBody


class ApiError(PlanetError):
    """A failure with a stable code and an HTTP status; raise it from services."""

    status: int = 400
    code: ErrorCode = ErrorCode.BAD_REQUEST

    def __init__(
        self, message: str, *, code: ErrorCode | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.headers: dict[str, str] = {}


class NotAuthenticated(ApiError):
    status, code = 401, ErrorCode.NOT_AUTHENTICATED


class InvalidToken(ApiError):
    status, code = 401, ErrorCode.INVALID_TOKEN


class SignInFailed(ApiError):
    """A sign-in message or signature that does not prove what it claims; ``code`` says why."""

    status, code = 401, ErrorCode.SIGN_IN_FAILED


class Forbidden(ApiError):
    status, code = 403, ErrorCode.FORBIDDEN


class IdentityRequired(ApiError):
    status, code = 403, ErrorCode.IDENTITY_REQUIRED

    def __init__(self, message: str = "register a Planet identity with this wallet first") -> None:
        super().__init__(message)


class NotFound(ApiError):
    status, code = 404, ErrorCode.NOT_FOUND


class Unprocessable(ApiError):
    status, code = 422, ErrorCode.UNPROCESSABLE


class RateLimited(ApiError):
    status, code = 429, ErrorCode.RATE_LIMITED

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many requests; retry in {retry_after:.0f} s")
        self.headers = {"Retry-After": str(max(1, round(retry_after)))}


class Unavailable(ApiError):
    status, code = 503, ErrorCode.UNAVAILABLE


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the error shape for ``statuses``."""
    return {s: {"model": ErrorResponse, "description": _DESCRIPTIONS[s]} for s in statuses}


def gated_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Like :func:`responses`, for routes that may name a private community post: 401 and 403
    say what a reader without a session or without a pass gets."""
    out = responses(*statuses)
    out[401] = {"model": ErrorResponse, "description": _GATED_401}
    out[403] = {"model": ErrorResponse, "description": _GATED_403}
    return out


_GATED_401 = (
    "Not signed in (or the token is invalid), and the post is private: sign in with a wallet "
    "holding one of the creator's passes"
)
_GATED_403 = (
    "A private community post the wallet may not read: `pass_required` (no access to any of "
    "the creator's community passes; another creator's pass does not count) or `pass_expired` "
    "(its subscription to one of them lapsed; renew it); or `identity_required` where the "
    "route needs an identity"
)

_DESCRIPTIONS = {
    401: "Not signed in, or the token is invalid or expired",
    403: "Signed in, but not allowed (e.g. identity_required)",
    404: "No such resource",
    409: "Conflicts with the current state",
    410: "The content was deleted by its author (content_deleted)",
    422: "The request is malformed (validation_error) or breaks a rule named by its code",
    429: "Rate limited (rate_limited); see Retry-After",
    503: "The feature is not configured on this server",
}
_BAD_BODY = (
    "The body could not be read as JSON text, e.g. it is not UTF-8 (bad_request), or it nests "
    "arrays and objects deeper than the server allows (json_too_deep)"
)
_TOO_LARGE = "The body is larger than the server accepts (payload_too_large)"

_HTTP_CODES = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
}


def error_response(
    status: int,
    code: ErrorCode,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(code=code, message=message, details=details)
    return JSONResponse(
        {"error": body.model_dump(exclude_none=True)}, status_code=status, headers=headers
    )


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p != "body") or "request"


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, headers=exc.headers or None)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [{"field": _field(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
    first = details[0] if details else {"field": "request", "message": "invalid"}
    message = f"{first['field']}: {first['message']}"
    return error_response(422, ErrorCode.VALIDATION_ERROR, message, details)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, ErrorCode.HTTP_ERROR)
    headers = dict(exc.headers) if exc.headers else None
    return error_response(exc.status_code, code, str(exc.detail), headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", path=request.url.path, error=type(exc).__name__)
    return error_response(500, ErrorCode.INTERNAL_ERROR, "the server failed; the error was logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    _document_framework_errors(app)


_ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
_FASTAPI_422 = "#/components/schemas/HTTPValidationError"


def _document_framework_errors(app: FastAPI) -> None:
    """Documents the answers FastAPI itself gives, in the shape the handlers above give them:
    400 for a body that does not parse or nests too deep and 413 for one too large (any
    operation with a request body; :mod:`api.middleware`), and 422 wherever
    FastAPI filled in its own ``HTTPValidationError`` (``{"detail": ...}``), which this API
    never sends. Done once on the generated document, so no route has to remember either."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                answers = operation.setdefault("responses", {})
                if "requestBody" in operation:
                    answers.setdefault("400", _error_answer(_BAD_BODY))
                    answers.setdefault("413", _error_answer(_TOO_LARGE))
                invalid = answers.get("422", {})
                content = invalid.get("content", {}).get("application/json", {})
                if content.get("schema", {}).get("$ref") == _FASTAPI_422:
                    answers["422"] = _error_answer(_DESCRIPTIONS[422])
        if _FASTAPI_422 not in json.dumps(schema):
            components = schema.get("components", {}).get("schemas", {})
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _error_answer(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}
