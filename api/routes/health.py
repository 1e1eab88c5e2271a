"""``/health`` (the process answers) and ``/ready`` (its answers are current and complete)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.services.readiness import readiness

router = APIRouter(tags=["meta"])


class HealthOut(BaseModel):
    status: Literal["ok"]


class CheckOut(BaseModel):
    ok: bool
    detail: str


class ReadyOut(BaseModel):
    status: Literal["ready", "not_ready"]
    reason: str | None = Field(description="The first failing check's detail; null when ready")
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
    responses={503: {"model": ReadyOut, "description": "Not ready; `reason` says why"}},
)
def ready(request: Request) -> JSONResponse:
    """Readiness: database reachable, tables migrated, indexer near the chain's head, Redis
    reachable when configured. 503 with the first failing check's reason otherwise."""
    checks = readiness(request.app.state.engine, request.app.state.settings)
    failed = next((c for c in checks if not c.ok), None)
    body = ReadyOut(
        status="not_ready" if failed else "ready",
        reason=failed.detail if failed else None,
        checks={c.name: CheckOut(ok=c.ok, detail=c.detail) for c in checks},
    )
    return JSONResponse(body.model_dump(), status_code=503 if failed else 200)
