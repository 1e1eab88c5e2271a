"""ASGI middleware every process serving the API runs, because :func:`api.app.create_app`
installs it (``planet serve``, ``python -m api``, the demo's thread and the tests alike):

* :class:`RequestLimits` reads a request body whole before the app sees it, and refuses one
  over ``max_body_bytes`` (413, as soon as ``Content-Length`` says so, else once the bytes
  read pass it), one that takes longer than ``body_timeout`` to arrive (408), and one whose
  arrays and objects nest deeper than ``max_json_depth`` (400). The depth is counted on the
  raw bytes, before any JSON parser recurses into them: a parser's recursion guard is no
  guard in a process that raised Python's recursion limit (``ape run`` does), where 100,000
  nested brackets overflowed the C stack and killed the process.
* :class:`SecurityHeaders` adds the Content-Security-Policy and the other security headers
  to every answer.

Trusted proxies (``X-Forwarded-For``) are uvicorn's ``ProxyHeadersMiddleware``, installed
only for the addresses ``trusted_proxies`` lists (see :func:`api.app.create_app`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ErrorCode, error_response
from api.json_depth import json_depth_exceeds


class RequestLimits:
    """See the module docstring; bodyless requests pass straight through."""

    def __init__(
        self, app: ASGIApp, max_body_bytes: int, max_json_depth: int, body_timeout: float
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, chunked = _body_headers(scope["headers"])
        if length == 0 and not chunked:
            await self.app(scope, receive, send)
            return
        if length is not None and length > self.max_body_bytes:
            await _refuse(scope, send, 413, ErrorCode.PAYLOAD_TOO_LARGE, self._too_large())
            return
        body = bytearray()
        disconnected = False
        with anyio.move_on_after(self.body_timeout) as waited:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    disconnected = True
                    break
                body += message.get("body", b"")
                if len(body) > self.max_body_bytes:
                    await _refuse(scope, send, 413, ErrorCode.PAYLOAD_TOO_LARGE, self._too_large())
                    return
                if not message.get("more_body", False):
                    break
        if disconnected:
            return  # no one to answer
        if waited.cancel_called:
            late = f"the request body did not arrive within {self.body_timeout:g} s"
            await _refuse(scope, send, 408, ErrorCode.REQUEST_TIMEOUT, late)
            return
        if json_depth_exceeds(bytes(body), self.max_json_depth):
            deep = f"the JSON body nests deeper than {self.max_json_depth} levels"
            await _refuse(scope, send, 400, ErrorCode.JSON_TOO_DEEP, deep)
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_body_bytes} bytes"


def _body_headers(headers: Iterable[tuple[bytes, bytes]]) -> tuple[int | None, bool]:
    """(Content-Length or None, whether the body is chunked)."""
    length: int | None = None
    chunked = False
    for name, value in headers:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = None
        elif name == b"transfer-encoding":
            chunked = True
    return (length, chunked) if length is not None or chunked else (0, False)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then the client's own events
    (a disconnect, while the app answers)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(scope: Scope, send: Send, status: int, code: ErrorCode, message: str) -> None:
    """Answers with the API's error shape and closes the connection: what is left of the
    body is never read."""
    answer = error_response(status, code, message, headers={"Connection": "close"})
    await answer(scope, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - a JSONResponse never reads
    return {"type": "http.disconnect"}


# ------------------------------------------------------------------------- security headers


def content_security_policy(connect_sources: Iterable[str] = (), docs: bool = False) -> str:
    """The policy of the web app served from ``/`` (its scripts and styles from this origin,
    talking to this API, its WebSockets and ``connect_sources``, e.g. the chain's RPC URL);
    ``docs`` relaxes styles and images for Swagger UI, which sets inline styles and SVG data
    images."""
    connect = " ".join(["'self'", *connect_sources])
    styles = "'self' 'unsafe-inline'" if docs else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            "img-src 'self' data: https:",
            "font-src 'self'",
            f"connect-src {connect}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """Adds the headers below to every HTTP answer that does not set them itself."""

    def __init__(self, app: ASGIApp, connect_sources: Iterable[str] = ()) -> None:
        self.app = app
        sources = tuple(connect_sources)
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        self.headers = [
            *common,
            (b"content-security-policy", content_security_policy(sources).encode()),
        ]
        self.docs_headers = [
            *common,
            (b"content-security-policy", content_security_policy(sources, docs=True).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs_headers if scope["path"].startswith("/docs") else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in extra if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = [
    "RequestLimits",
    "SecurityHeaders",
    "content_security_policy",
]
