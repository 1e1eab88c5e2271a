"""A route's writes are committed before its answer leaves: a client that acts on an answer at
once (verifies the nonce it was just given, starts the session it just created) must find what
the answer describes. FastAPI's default for dependencies with ``yield`` ran the commit after the
answer was sent, which made ``make demo`` fail now and then with ``invalid_nonce``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select

from planet.store.offchain import siwe_nonces


def _call(app: Any, method: str, path: str, on_answer: Any) -> None:
    """Runs one request through the ASGI app, calling ``on_answer(body)`` the moment the answer's
    body is handed to the server, before the app has finished."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"planet.test")],
        "client": ("127.0.0.1", 50000),
        "server": ("planet.test", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            on_answer(json.loads(message["body"]))

    asyncio.run(app(scope, receive, send))


def test_a_nonce_is_committed_before_the_answer_that_names_it_is_sent(client, engine):
    found: list[object] = []

    def look(answer: dict[str, Any]) -> None:
        with engine.connect() as conn:  # another connection: sees only what was committed
            query = select(siwe_nonces).where(siwe_nonces.c.nonce == answer["nonce"])
            found.append(conn.execute(query).one_or_none())

    _call(client.app, "POST", "/auth/nonce", look)
    assert len(found) == 1 and found[0] is not None
