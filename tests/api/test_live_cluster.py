"""Live chat across API processes: real ``python -m api`` (uvicorn) processes sharing one
database (SQLite file or PostgreSQL) and one Redis, real sockets (the ``websockets`` client).

A message sent to process A reaches a socket on process B, and the other way round. A Redis
outage at send time answers ``chat_unavailable`` while the message is kept; chat recovers
once Redis is back."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

from planet.store.offchain import live_attendance, live_messages
from tests.support.api import (
    CHAIN_ID,
    DOMAIN,
    SECRET,
    add_identity,
    grant_risk_role,
    sign,
    siwe_text,
)
from tests.support.ports import free_port
from tests.support.serving import ApiProcess

# Real server processes and Redis: the cluster tests are slow.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/0"
WAIT = 5.0  # seconds a fanned-out message may take


@pytest.fixture
def start_api(engine, database_url, tmp_path) -> Iterator[Callable[..., ApiProcess]]:
    """Starts API processes on the test database (migrated by ``engine``)."""
    started: list[ApiProcess] = []

    def start(name: str, **settings: str) -> ApiProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLANET_API_")}
        env.update(
            PYTHONPATH=str(ROOT),
            PLANET_API_DATABASE_URL=database_url,
            PLANET_API_CHAIN_ID=str(CHAIN_ID),
            PLANET_API_SIWE_DOMAIN=DOMAIN,
            PLANET_API_SESSION_SECRET=SECRET,
            PLANET_API_RATE_LIMIT_IP="100000",
            PLANET_API_RATE_LIMIT_IDENTITY="100000",
            PLANET_API_RATE_LIMIT_BURST="10000",
        )
        env.update({f"PLANET_API_{k.upper()}": v for k, v in settings.items()})
        process = ApiProcess(env, tmp_path / f"api_{name}.log")
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def sign_in(api: ApiProcess, account: LocalAccount) -> str:
    """A session token from a real sign-in over HTTP (valid on every process: shared secret)."""
    nonce = httpx.post(f"{api.url}/auth/nonce").json()["nonce"]
    text = siwe_text(account.address, nonce, int(time.time()))
    reply = httpx.post(
        f"{api.url}/auth/verify", json={"message": text, "signature": sign(account, text)}
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["token"]


def members(engine, api: ApiProcess, *handles: str) -> dict[str, str]:
    tokens = {}
    for handle in handles:
        account = Account.create(extra_entropy=handle)
        add_identity(engine, account.address, handle)
        tokens[handle] = sign_in(api, account)
    return tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def next_frame(ws: ClientConnection, timeout: float = WAIT) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def open_chat(api: ApiProcess, session_id: int, token: str) -> ClientConnection:
    """A socket signed in with a ticket asked of the process it connects to."""
    async with httpx.AsyncClient() as http:
        reply = await http.post(f"{api.url}/live/{session_id}/chat/ticket", headers=bearer(token))
    assert reply.status_code == 201, reply.text
    ws = await connect(f"{api.ws_url}{reply.json()['url']}")
    ready = await next_frame(ws)
    assert ready["type"] == "ready", ready
    return ws


def live_session(api: ApiProcess, host_token: str) -> int:
    body = {"title": "cross-process AMA", "scheduled_at": "2099-01-01T00:00:00Z"}
    created = httpx.post(f"{api.url}/live", json=body, headers=bearer(host_token))
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert httpx.post(f"{api.url}/live/{sid}/start", headers=bearer(host_token)).is_success
    return sid


def test_a_message_sent_to_one_process_reaches_a_socket_on_the_other(engine, start_api):
    prefix = f"planet:test:{secrets.token_hex(6)}"
    a = start_api("a", redis_url=REDIS, redis_channel_prefix=prefix)
    b = start_api("b", redis_url=REDIS, redis_channel_prefix=prefix)
    a.wait_ready()
    b.wait_ready()
    tokens = members(engine, a, "alice", "bob", "carol")
    sid = live_session(a, tokens["alice"])
    latencies: list[float] = []

    async def scenario() -> None:
        on_b = await open_chat(b, sid, tokens["bob"])
        on_a = await open_chat(a, sid, tokens["carol"])
        async with httpx.AsyncClient() as http, on_b, on_a:
            # REST on A -> socket on B (and A's own socket)
            started = time.perf_counter()
            sent = await http.post(
                f"{a.url}/live/{sid}/messages",
                json={"body": "hello from A"},
                headers=bearer(tokens["alice"]),
            )
            assert sent.status_code == 201 and sent.json()["delivered"] is True
            heard = await next_frame(on_b)
            latencies.append(time.perf_counter() - started)
            assert heard["type"] == "message" and heard["id"] == sent.json()["id"]
            assert heard["body"] == "hello from A" and heard["handle"] == "alice"
            assert (await next_frame(on_a))["id"] == heard["id"]

            # a socket on A -> a socket on B
            started = time.perf_counter()
            await on_a.send(json.dumps({"body": "carol via A's socket"}))
            heard = await next_frame(on_b)
            latencies.append(time.perf_counter() - started)
            assert heard["handle"] == "carol" and heard["body"] == "carol via A's socket"
            assert (await next_frame(on_a))["id"] == heard["id"]

            # a socket on B -> a socket on A
            await on_b.send(json.dumps({"body": "bob via B"}))
            assert (await next_frame(on_a))["body"] == "bob via B"
            assert (await next_frame(on_b))["body"] == "bob via B"

            # the host ends it on B: both processes' sockets hear it, then are closed
            assert await http.post(f"{b.url}/live/{sid}/end", headers=bearer(tokens["alice"]))
            for ws in (on_a, on_b):
                assert await next_frame(ws) == {
                    "type": "status",
                    "session_id": sid,
                    "status": "ended",
                }
                with pytest.raises(ConnectionClosedOK) as closed:
                    await next_frame(ws)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000

    asyncio.run(scenario())
    print(f"cross-process fan-out latency: {', '.join(f'{s * 1000:.1f} ms' for s in latencies)}")
    with engine.connect() as conn:
        bodies = conn.execute(select(live_messages.c.body).order_by(live_messages.c.id)).scalars()
        assert list(bodies) == ["hello from A", "carol via A's socket", "bob via B"]
        assert conn.execute(select(live_attendance.c.session_id)).scalars().all() == [sid, sid]


def test_a_decision_on_one_process_reaches_the_open_sockets_of_both(engine, start_api):
    """The risk role hides a message through process A and restores it through B: the sockets
    already open on both processes hear each decision, through Redis, without a reload."""
    prefix = f"planet:test:{secrets.token_hex(6)}"
    a = start_api("a", redis_url=REDIS, redis_channel_prefix=prefix)
    b = start_api("b", redis_url=REDIS, redis_channel_prefix=prefix)
    a.wait_ready()
    b.wait_ready()
    tokens = members(engine, a, "alice", "bob")
    officer = Account.create(extra_entropy="risk officer")
    grant_risk_role(engine, officer.address)  # the indexer's row for RoleGranted(RISK_ROLE)
    risk = sign_in(a, officer)
    sid = live_session(a, tokens["alice"])

    async def scenario() -> None:
        on_a = await open_chat(a, sid, tokens["alice"])
        on_b = await open_chat(b, sid, tokens["bob"])
        async with httpx.AsyncClient() as http, on_a, on_b:
            await on_b.send(json.dumps({"body": "send me 1 ETH"}))
            heard = [await next_frame(ws) for ws in (on_a, on_b)]
            mid = heard[0]["id"]
            assert heard[1]["id"] == mid

            for api, action, label in ((a, "hide", "scam"), (b, "restore", None)):
                decision = {"action": action, "kind": "message", "target_id": mid}
                decision |= {"reason": "checked"} | ({"label": label} if label else {})
                made = await http.post(
                    f"{api.url}/moderation/decisions", json=decision, headers=bearer(risk)
                )
                assert made.status_code == 201, made.text
                expected = {
                    "type": "moderated",
                    "session_id": sid,
                    "message_id": mid,
                    "label": label,
                    "body": "" if label else "send me 1 ETH",
                }
                for ws in (on_a, on_b):
                    assert await next_frame(ws) == expected

    asyncio.run(scenario())


@contextmanager
def redis_server(port: int, workdir: Path) -> Iterator[subprocess.Popen[bytes]]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise AssertionError("redis-server did not start") from None
            time.sleep(0.05)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_redis_outage_keeps_the_message_and_says_chat_unavailable(engine, start_api, tmp_path):
    redis_port = free_port()
    tokens: dict[str, str] = {}
    with redis_server(redis_port, tmp_path) as first_redis:
        api = start_api("solo", redis_url=f"redis://127.0.0.1:{redis_port}/0")
        api.wait_ready()
        tokens = members(engine, api, "alice", "bob")
        sid = live_session(api, tokens["alice"])

        async def before_and_during_outage() -> ClientConnection:
            ws = await open_chat(api, sid, tokens["bob"])
            await ws.send(json.dumps({"body": "before"}))
            assert (await next_frame(ws))["body"] == "before"
            first_redis.terminate()
            first_redis.wait(10)
            await ws.send(json.dumps({"body": "during"}))
            frame = await next_frame(ws, timeout=15)
            assert frame["type"] == "error" and frame["error"]["code"] == "chat_unavailable"
            assert isinstance(frame["id"], int)
            return ws

        async def outage() -> tuple[int, ClientConnection]:
            ws = await before_and_during_outage()
            async with httpx.AsyncClient() as http:
                sent = await http.post(
                    f"{api.url}/live/{sid}/messages",
                    json={"body": "rest during"},
                    headers=bearer(tokens["alice"]),
                    timeout=30,
                )
            assert sent.status_code == 201 and sent.json()["delivered"] is False
            return sent.json()["id"], ws

        loop = asyncio.new_event_loop()
        try:
            _, ws = loop.run_until_complete(outage())
            history = httpx.get(f"{api.url}/live/{sid}/messages").json()["items"]
            assert [m["body"] for m in history] == ["before", "during", "rest during"]

            with redis_server(redis_port, tmp_path):
                # Redis is back: the process reconnects and resubscribes on its own
                async def recovered() -> None:
                    deadline = time.monotonic() + 30
                    while time.monotonic() < deadline:
                        await ws.send(json.dumps({"body": "after"}))
                        try:
                            frame = await next_frame(ws, timeout=1)
                        except TimeoutError:
                            continue  # published before the resubscription: not heard live
                        if frame["type"] == "message":
                            assert frame["body"] == "after"
                            await ws.close()
                            return
                        assert frame["error"]["code"] == "chat_unavailable"
                        await asyncio.sleep(0.5)
                    raise AssertionError(f"chat did not recover: {api.log.read_text()}")

                loop.run_until_complete(recovered())
        finally:
            loop.close()


def test_no_session_token_or_ticket_is_written_to_the_servers_log(engine, start_api):
    """``python -m api`` as deployed (uvicorn's access log on): a client that still puts its
    session token in the socket URL is refused, and neither that token nor a ticket, nor a
    token in an HTTP query string, appears in the log; the paths do, redacted."""
    api = start_api("logs")
    api.wait_ready()
    tokens = members(engine, api, "alice", "bob")
    sid = live_session(api, tokens["alice"])
    ticket = httpx.post(f"{api.url}/live/{sid}/chat/ticket", headers=bearer(tokens["bob"]))
    assert ticket.status_code == 201, ticket.text

    async def scenario() -> None:
        async with await connect(f"{api.ws_url}/live/{sid}/chat?token={tokens['bob']}") as ws:
            frame = await next_frame(ws)
            assert frame["error"]["code"] == "token_in_url"
            with pytest.raises(ConnectionClosed) as closed:
                await next_frame(ws)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
        async with await connect(f"{api.ws_url}{ticket.json()['url']}") as ws:
            assert (await next_frame(ws))["type"] == "ready"

    asyncio.run(scenario())
    # a token where none belongs: refused as an unknown parameter, and still redacted in the log
    assert httpx.get(f"{api.url}/live", params={"token": tokens["alice"]}).status_code == 422
    api.stop()
    log = api.log.read_text()
    assert f'"WebSocket /live/{sid}/chat?token=[redacted]"' in log, log
    assert f'"WebSocket /live/{sid}/chat?ticket=[redacted]"' in log, log
    assert '"GET /live?token=[redacted] HTTP/1.1" 422' in log, log
    for secret in (tokens["alice"], tokens["bob"], ticket.json()["ticket"]):
        assert secret not in log
