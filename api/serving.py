"""How uvicorn serves the API, the same in every process that does (``planet serve``,
``python -m api`` and the demo's thread): :func:`uvicorn_options` turns the settings into
uvicorn's, and :class:`GuardedHttpProtocol` adds what uvicorn lacks.

uvicorn starts no timer on a new connection (its keep-alive timer runs only after a first
answer) and its httptools parser takes headers of any size, so a client sending a header byte
now and then held a connection, and its memory, for as long as it liked: 200 such clients
held 200 connections for as long as they kept trickling. The protocol below gives every
request ``header_timeout`` seconds for its request line and headers, counted from the
connection's opening or from the previous answer, and ``max_header_bytes`` for their size;
past either the connection is answered (408 / 431, the API's error shape) and closed. Bodies
are bounded by :class:`api.middleware.RequestLimits`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.errors import ErrorCode
from api.settings import ApiSettings

_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit on request headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = _settings_of(self.app)
        self._header_timeout = settings.header_timeout
        self._max_header_bytes = settings.max_header_bytes
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0  # read since the request's first byte; -1 once headers are in
        self._tail = b""  # the last bytes read, to find a blank line split across two reads

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._header_bytes >= 0:
            # Counted before the parser sees the bytes (it would dispatch the request as soon
            # as the headers end): up to the blank line that ends them, if this read holds it.
            seen = self._tail + data
            end = seen.find(b"\r\n\r\n")
            self._header_bytes += len(data) if end < 0 else end + 4 - len(self._tail)
            self._tail = seen[-3:] if end < 0 else b""
            if self._header_bytes > self._max_header_bytes:
                limit = self._max_header_bytes
                self._refuse(431, f"request line and headers are over {limit} bytes")
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._await_headers()  # the next request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._stop_header_timer()
        self._header_bytes = -1
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_headers()

    def _await_headers(self) -> None:
        self._stop_header_timer()
        self._header_bytes = 0
        self._tail = b""
        self._header_timer = self.loop.call_later(self._header_timeout, self._headers_late)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            self._await_headers()  # a pipelined request waits behind an answer in progress
            return
        self._refuse(408, f"the request headers did not arrive within {self._header_timeout:g} s")

    def _refuse(self, status: int, message: str) -> None:
        self._stop_header_timer()
        if self.transport.is_closing():
            return
        code = ErrorCode.REQUEST_TIMEOUT if status == 408 else ErrorCode.HEADERS_TOO_LARGE
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        head = (
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n" % (status, _REASONS[status], len(body))
        )
        self.transport.write(head + body)
        self.transport.close()


def _settings_of(app: Any) -> ApiSettings:
    """The settings the served app was built from (under any middleware uvicorn wrapped it
    in), so the limits come from the one settings object, in every worker process."""
    for _ in range(8):
        settings = getattr(getattr(app, "state", None), "settings", None)
        if isinstance(settings, ApiSettings):
            return settings
        app = getattr(app, "app", None)
    raise TypeError("GuardedHttpProtocol serves apps made by api.app.create_app only")


def uvicorn_options(settings: ApiSettings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config`` from ``settings``.

    ``proxy_headers`` is off: uvicorn's default trusts ``X-Forwarded-For`` from 127.0.0.1 (or
    whatever ``FORWARDED_ALLOW_IPS`` says), so a client on the same host could name any
    address and rotate past the per-IP rate limit. The app itself applies ``trusted_proxies``
    (see :func:`api.app.create_app`)."""
    return {
        "http": GuardedHttpProtocol,
        "proxy_headers": False,
        "server_header": False,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": settings.max_connections,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        # a stop cancels what is still running after this long: a notification stream is
        # open for minutes by design (its client reconnects with Last-Event-ID), and would
        # otherwise hold the stop back until it ends
        "timeout_graceful_shutdown": 5,
    }
