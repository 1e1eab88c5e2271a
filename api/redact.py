"""Keeps credentials out of the server's logs.

uvicorn logs every request's path with its query string, WebSocket handshakes included
(``"WebSocket /live/1/chat?ticket=..." [accepted]``). The chat socket refuses session tokens
in its URL, and its tickets are single-use and short-lived, but a client that sends
``?token=`` anyway would still have it written down. This filter rewrites the value of every
credential-named query parameter in uvicorn's access and error records before any handler
sees them.
"""

from __future__ import annotations

import logging
import re

SECRET_PARAMS = ("token", "ticket", "access_token")
_SECRET = re.compile(r"([?&](?:" + "|".join(SECRET_PARAMS) + r")=)[^&\s\"']*", re.IGNORECASE)
LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    """``text`` with the value of each credential query parameter replaced by ``[redacted]``."""
    return _SECRET.sub(r"\1[redacted]", text)


class RedactCredentials(logging.Filter):
    """Rewrites a record's message arguments (where uvicorn puts the path) and message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    """Adds the filter to uvicorn's loggers once per process (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactCredentials) for f in logger.filters):
            logger.addFilter(RedactCredentials())
