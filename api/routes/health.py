"""``/health`` (the process answers) and ``/ready`` (its answers are current and complete)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.errors import ErrorBody, ErrorCode, ErrorResponse
from api.services.readiness import readiness

router = APIRouter(tags=["meta"])


class HealthOut(BaseModel):
    status: Literal["ok"]


class CheckOut(BaseModel):
    ok: bool
    detail: str


class ReadyOut(BaseModel):
    status: Literal["ready"]
    checks: dict[str, CheckOut] = Field(
        description="database, schema, indexer (cursor within PLANET_API_READY_MAX_LAG blocks "
        "of the head) and redis (when configured)"
    )


@router.get("/health", response_model=HealthOut)
def health() -> HealthOut:
    """Liveness: the process answers. Says nothing of the database or the chain (see /ready)."""
    return HealthOut(status="ok")


@router.get(
    "/ready",
    response_model=ReadyOut,
    responses={
        503: {
            "model": ErrorResponse,
            "description": "Not ready: `not_ready`, the message is the first failing check, "
            "`details` lists every check ({check, ok, detail})",
        }
    },
)
def ready(request: Request) -> JSONResponse:
    """Readiness: database reachable, tables migrated, indexer near the chain's head, Redis
    reachable when configured. 503 ``not_ready`` naming the first failing check otherwise."""
    checks = readiness(request.app.state.engine, request.app.state.settings)
    failed = next((c for c in checks if not c.ok), None)
    if failed is None:
        body = ReadyOut(
            status="ready", checks={c.name: CheckOut(ok=c.ok, detail=c.detail) for c in checks}
        )
        return JSONResponse(body.model_dump())
    error = ErrorBody(
        code=ErrorCode.NOT_READY,
        message=failed.detail,
        details=[{"check": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
    )
    return JSONResponse(ErrorResponse(error=error).model_dump(), status_code=503)
