"""The notification stream across API processes: real ``python -m api`` processes sharing one
database and one Redis, real Server-Sent Events over HTTP (httpx).

A notification written by process A reaches a stream open on process B; a client that
reconnects with Last-Event-ID gets what it missed; a stream whose session is signed out says
so and closes; the scheduled scan's findings reach streams too."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from eth_account import Account
from sqlalchemy import insert

from planet.store.mirror import pass_holdings, passes
from tests.api import test_live_cluster as cluster
from tests.api.test_live_cluster import REDIS, bearer, members, sign_in
from tests.support.api import CHAIN_ID, add_identity

pytestmark = pytest.mark.slow

WAIT = 10.0
start_api = cluster.start_api  # the cluster tests' fixture: API processes on the test database


class Events:
    """One open stream, parsed into (event, id, data) as an EventSource would."""

    def __init__(self, lines: AsyncIterator[str]) -> None:
        self._lines = lines

    async def next(self, timeout: float = WAIT) -> tuple[str, int | None, Any]:
        return await asyncio.wait_for(self._next(), timeout)

    async def _next(self) -> tuple[str, int | None, Any]:
        event, event_id, data = "message", None, None
        async for line in self._lines:
            if line == "":
                if data is not None:
                    return event, event_id, data
                event, event_id = "message", None
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "id":
                event_id = int(value)
            elif field == "data":
                data = json.loads(value)
        raise EOFError("the stream ended")

    async def notification(self) -> tuple[int, dict[str, Any]]:
        event, event_id, data = await self.next()
        assert event == "notification", (event, data)
        assert event_id == data["id"]
        return event_id, data


@asynccontextmanager
async def stream(url: str, token: str, last_id: int | None = None) -> AsyncIterator[Events]:
    headers = bearer(token)
    if last_id is not None:
        headers["Last-Event-ID"] = str(last_id)
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(5, read=None)) as http,
        http.stream("GET", f"{url}/notifications/stream", headers=headers) as reply,
    ):
        assert reply.status_code == 200, await reply.aread()
        assert reply.headers["content-type"].startswith("text/event-stream")
        events = Events(reply.aiter_lines())
        event, _, ready = await events.next()
        assert event == "ready", ready
        yield events


def follow(url: str, token: str, handle: str) -> None:
    reply = httpx.put(f"{url}/profiles/{handle}/follow", headers=bearer(token))
    assert reply.status_code == 200, reply.text


def post(url: str, token: str, body: str) -> int:
    reply = httpx.post(f"{url}/posts", json={"body": body}, headers=bearer(token))
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def test_a_notification_written_on_one_process_reaches_a_stream_on_the_other(engine, start_api):
    prefix = f"planet:test:{secrets.token_hex(6)}"
    a = start_api("a", redis_url=REDIS, redis_channel_prefix=prefix)
    b = start_api("b", redis_url=REDIS, redis_channel_prefix=prefix)
    a.wait_ready()
    b.wait_ready()
    tokens = members(engine, a, "alice", "bob", "fan")
    follow(a.url, tokens["fan"], "alice")
    latencies: list[float] = []

    async def scenario() -> None:
        async with stream(b.url, tokens["fan"]) as fans, stream(a.url, tokens["alice"]) as hers:
            started = time.perf_counter()
            pid = await asyncio.to_thread(post, a.url, tokens["alice"], "written on A")
            last, told = await fans.notification()
            latencies.append(time.perf_counter() - started)
            assert told["kind"] == "post" and told["post_id"] == pid
            assert told["text"] == "@alice posted" and told["excerpt"] == "written on A"

            # a comment through B reaches the author's stream on A
            started = time.perf_counter()
            async with httpx.AsyncClient() as http:
                reply = await http.post(
                    f"{b.url}/posts/{pid}/comments",
                    json={"body": "from B"},
                    headers=bearer(tokens["bob"]),
                )
            assert reply.status_code == 201, reply.text
            _, told = await hers.notification()
            latencies.append(time.perf_counter() - started)
            assert told["kind"] == "comment" and told["text"] == "@bob commented on your post"

        # disconnected, two more posts; reconnecting with Last-Event-ID gets both, in order
        missed = [
            await asyncio.to_thread(post, b.url, tokens["alice"], f"missed {i}") for i in (1, 2)
        ]
        async with stream(a.url, tokens["fan"], last_id=last) as fans:
            got = [(await fans.notification())[1]["post_id"] for _ in missed]
            assert got == missed

    asyncio.run(scenario())
    print(
        f"cross-process notification latency: {', '.join(f'{s * 1000:.1f} ms' for s in latencies)}"
    )
    listed = httpx.get(f"{a.url}/notifications", headers=bearer(tokens["fan"])).json()
    assert [n["kind"] for n in listed["items"]] == ["post"] * 3 and listed["unread"] == 3


def test_a_signed_out_stream_says_so_and_closes(engine, start_api):
    api = start_api("solo", notification_scan_interval="0")
    api.wait_ready()
    tokens = members(engine, api, "alice", "fan")
    follow(api.url, tokens["fan"], "alice")

    async def scenario() -> None:
        async with stream(api.url, tokens["fan"]) as fans:
            out = httpx.post(f"{api.url}/auth/logout", headers=bearer(tokens["fan"]))
            assert out.is_success, out.text
            await asyncio.to_thread(post, api.url, tokens["alice"], "after the sign-out")
            event, _, data = await fans.next()
            assert event == "error" and data["error"]["code"] == "session_revoked"
            with pytest.raises(EOFError):
                await fans.next()

    asyncio.run(scenario())
    reply = httpx.get(f"{api.url}/notifications/stream")
    assert reply.status_code == 401 and reply.json()["error"]["code"] == "not_authenticated"


def test_the_scheduled_scan_reaches_an_open_stream(engine, start_api):
    """A subscription lapsing in two days, mirrored while the fan listens: the API's own
    schedule (every second here) finds it and the fan hears of it, once."""
    api = start_api("scan", notification_scan_interval="1")
    api.wait_ready()
    alice, fan = Account.create(), Account.create()
    add_identity(engine, alice.address, "alice")
    add_identity(engine, fan.address, "fan")
    fan_token = sign_in(api, fan)
    fan_address, alice_address = fan.address.lower(), alice.address.lower()

    async def scenario() -> None:
        async with stream(api.url, fan_token) as fans:
            with engine.begin() as conn:
                conn.execute(insert(passes).values(**_subscription(alice_address)))
                conn.execute(
                    insert(pass_holdings).values(
                        chain_id=CHAIN_ID,
                        pass_id=7,
                        holder=fan_address,
                        balance=1,
                        minted=1,
                        expiry=int(time.time()) + 2 * 24 * 3600,
                        updated_block=1,
                    )
                )
            _, told = await fans.notification()
            assert told["kind"] == "pass_expiring"
            assert told["text"].startswith("Your pass #7 of @alice lapses on ")
            with pytest.raises(TimeoutError):  # scanned every second, told once
                await fans.next(timeout=3)

    asyncio.run(scenario())


def _subscription(creator: str) -> dict[str, Any]:
    return {
        "chain_id": CHAIN_ID,
        "pass_id": 7,
        "creator": creator,
        "currency": "0x" + "00" * 20,
        "price": 10**15,
        "max_supply": 2**64 - 1,
        "wallet_limit": 1,
        "duration": 30 * 24 * 3600,
        "transferable": False,
        "royalty_bps": 0,
        "fee_bps": 0,
        "paused": False,
        "minted": 1,
        "uri": "",
        "created_block": 1,
        "created_tx": "0x" + "22" * 32,
        "updated_block": 1,
    }
