"""Every failure the API answers with, by name, and the one JSON shape they all share:

``{"error": {"code": "<stable_code>", "message": "<what to do>"}}``

Codes are part of the API contract: clients branch on ``code``, never on ``message``.
Validation errors keep that shape (code ``validation_error``, plus a ``details`` list naming each
bad field); unknown exceptions become ``internal_error`` with no stack trace.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from planet.core import logs
from planet.core.errors import PlanetError

log = logs.get("api")


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """What every 4xx/5xx answer carries."""

    error: ErrorBody


class ApiError(PlanetError):
    """A failure with a stable code and an HTTP status; raise it from services."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.headers: dict[str, str] = {}


class NotAuthenticated(ApiError):
    status, code = 401, "not_authenticated"


class InvalidToken(ApiError):
    status, code = 401, "invalid_token"


class SignInFailed(ApiError):
    """A sign-in message or signature that does not prove what it claims; ``code`` says why."""

    status, code = 401, "sign_in_failed"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class IdentityRequired(ApiError):
    status, code = 403, "identity_required"

    def __init__(self, message: str = "register a Planet identity with this wallet first") -> None:
        super().__init__(message)


class NotFound(ApiError):
    status, code = 404, "not_found"


class Unprocessable(ApiError):
    status, code = 422, "unprocessable"


class RateLimited(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many requests; retry in {retry_after:.0f} s")
        self.headers = {"Retry-After": str(max(1, round(retry_after)))}


class Unavailable(ApiError):
    status, code = 503, "unavailable"


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
    422: "The request is malformed (validation_error) or breaks a rule named by its code",
    429: "Rate limited (rate_limited); see Retry-After",
    503: "The feature is not configured on this server",
}
_BAD_BODY = "The body could not be read as JSON text, e.g. it is not UTF-8 (bad_request)"

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_response(
    status: int,
    code: str,
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
    return error_response(422, "validation_error", message, details)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", path=request.url.path, error=type(exc).__name__)
    return error_response(500, "internal_error", "the server failed; the error was logged")


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
    400 for a body that does not parse (any operation with a request body) and 422 wherever
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
