"""The web app, served by the API process at ``/`` from the files ``make setup`` builds.

Same origin as the API, so the app needs no CORS. The app's pages use paths of their own
(``/post/7``, ``/creator/alice``, ...), so a reload or a shared link must answer with the app's
``index.html``; that fallback only ever answers what would otherwise be the router's own 404 (no
route matched), only for a browser asking for HTML, and never under a path the API owns
(``/posts/...``, ``/docs``, ...): unknown API paths keep their JSON 404, and no API route,
``/docs`` or ``/openapi.json`` can be shadowed, whatever the build contains.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import FileResponse, Response

#: Where ``make setup`` builds the app (git-ignored), beside the ``api`` package.
BUILT = Path(__file__).resolve().parent.parent / "web" / "dist"

#: Hashed file names under /assets never change content: browsers may keep them for a year.
IMMUTABLE = "public, max-age=31536000, immutable"


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def api_segments(app: FastAPI) -> frozenset[str]:
    """The first path segments the API lives under (``posts``, ``docs``, ...): those of every
    documented operation (WebSocket routes sit under documented ones) and of the docs pages."""
    paths = [*app.openapi().get("paths", {}), app.docs_url, app.redoc_url, app.openapi_url]
    segments = {_first_segment(p) for p in paths if p}
    return frozenset(s for s in segments if s and not s.startswith("{"))


def install(app: FastAPI, folder: Path) -> None:
    """Answers the router's 404s for GET/HEAD with the built app's files (or its index.html
    for a page path a browser asks for); every other 404 keeps the API's JSON error."""
    root = folder.resolve()
    previous = app.exception_handlers.get(StarletteHTTPException, http_exception_handler)
    reserved: frozenset[str] | None = None

    async def delegate(request: Request, exc: Exception) -> Response:
        answer = previous(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    def static_file(path: str) -> Path | None:
        if not path or path.endswith("/"):
            return None
        candidate = (root / path).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
        return None

    async def web_or_error(request: Request, exc: Exception) -> Response:
        nonlocal reserved
        assert isinstance(exc, StarletteHTTPException)
        routed = "endpoint" in request.scope  # a route raised it: not the router's "no match"
        if exc.status_code != 404 or routed or request.method not in ("GET", "HEAD"):
            return await delegate(request, exc)
        if reserved is None:
            reserved = api_segments(app)
        path = request.url.path.lstrip("/")
        if _first_segment(path) in reserved:
            return await delegate(request, exc)
        found = static_file(path)
        if found is not None:
            cache = IMMUTABLE if path.startswith("assets/") else "no-cache"
            return FileResponse(found, headers={"Cache-Control": cache})
        index = root / "index.html"
        wants_page = "text/html" in request.headers.get("accept", "")
        if (path == "" or wants_page) and "." not in path.rsplit("/", 1)[-1] and index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return await delegate(request, exc)

    app.add_exception_handler(StarletteHTTPException, web_or_error)
