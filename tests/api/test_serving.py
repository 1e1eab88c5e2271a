"""Hostile clients against real servers: ``python -m api`` (what ``planet serve`` runs, with
uvicorn as it is configured there) and the demo's uvicorn thread, over real sockets.

No timing is asserted: each test waits for the server to close the connection or to answer,
with a generous bound only so that a regression fails instead of hanging."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.api import CHAIN_ID, DOMAIN, SECRET
from tests.support.serving import ROOT, ApiProcess

pytestmark = pytest.mark.slow  # server processes

BOUND = 60.0  # seconds: only a test timeout, far above the limits the servers are given
DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def start_api(engine, database_url, tmp_path) -> Iterator[Callable[..., ApiProcess]]:
    """Starts ``python -m api`` on the test database with the limits a test names."""
    started: list[ApiProcess] = []

    def start(**settings: str) -> ApiProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLANET_API_")}
        env.update(
            PYTHONPATH=str(ROOT),
            PLANET_API_DATABASE_URL=database_url,
            PLANET_API_CHAIN_ID=str(CHAIN_ID),
            PLANET_API_SIWE_DOMAIN=DOMAIN,
            PLANET_API_SESSION_SECRET=SECRET,
            PLANET_API_HEADER_TIMEOUT="1",
            PLANET_API_BODY_TIMEOUT="1",
            PLANET_API_MAX_BODY_BYTES="65536",
        )
        env.update({f"PLANET_API_{k.upper()}": v for k, v in settings.items()})
        process = ApiProcess(env, tmp_path / f"api_{len(started)}.log")
        started.append(process)
        process.wait_ready()
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def api(start_api) -> ApiProcess:
    return start_api()


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=BOUND)
    sock.settimeout(BOUND)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a timeout fails the test)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_slowloris_client_is_cut_off(api: ApiProcess) -> None:
    """Headers sent a byte at a time, never finished: uvicorn alone kept such connections
    open for as long as the client kept trickling."""
    sock = connect(api.port)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    deadline = time.monotonic() + BOUND
    closed = False
    while time.monotonic() < deadline:
        try:
            sock.sendall(b"X")
        except OSError:  # reset or broken pipe: the server closed it
            closed = True
            break
        sock.settimeout(0.2)
        try:
            answer = sock.recv(65536)
        except TimeoutError:
            continue
        sock.settimeout(BOUND)
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert b'"request_timeout"' in answer
        read_until_closed(sock)
        closed = True
        break
    sock.close()
    assert closed, "the server kept the slowloris connection open"


def test_a_connection_that_never_sends_is_closed(api: ApiProcess) -> None:
    sock = connect(api.port)
    answer = read_until_closed(sock)
    sock.close()
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer


def test_kept_alive_connections_get_the_same_deadline_for_their_next_request(
    api: ApiProcess,
) -> None:
    sock = connect(api.port)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    first = b""
    while not first.endswith(b'{"status":"ok"}'):
        first += sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200"), first
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
    answer = read_until_closed(sock)
    sock.close()
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer


def test_headers_over_the_limit_are_431(api: ApiProcess) -> None:
    sock = connect(api.port)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n")
    answer = read_until_closed(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert b'"headers_too_large"' in answer


def test_a_huge_body_is_refused_before_it_is_read(api: ApiProcess) -> None:
    """A 100 MiB Content-Length is answered 413 at once: the server reads none of it (it grew
    by 400 MiB when it buffered one)."""
    sock = connect(api.port)
    size = 100 * 1024 * 1024
    sock.sendall(
        b"POST /auth/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % size + b"{" + b" " * 1000
    )
    answer = read_until_closed(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"payload_too_large"' in answer and b"connection: close" in answer.lower()


def test_a_chunked_body_is_cut_off_at_the_limit(api: ApiProcess) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b" " * 10_000

    reply = httpx.post(
        f"{api.url}/auth/verify",
        content=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=BOUND,
    )
    assert reply.status_code == 413, reply.text
    assert reply.json()["error"]["code"] == "payload_too_large"


def test_a_body_sent_too_slowly_is_408(api: ApiProcess) -> None:
    sock = connect(api.port)
    sock.sendall(
        b"POST /auth/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{"
    )
    answer = read_until_closed(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"request_timeout"' in answer


def test_deeply_nested_json_is_400_before_parsing(start_api) -> None:
    api = start_api(MAX_BODY_BYTES="1048576")  # the 200 KB body is within the size limit
    reply = httpx.post(
        f"{api.url}/auth/verify",
        content=DEEP,
        headers={"Content-Type": "application/json"},
        timeout=BOUND,
    )
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["code"] == "json_too_deep"
    assert httpx.get(f"{api.url}/health", timeout=BOUND).status_code == 200


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(start_api) -> None:
    """Rotating X-Forwarded-For from 127.0.0.1 used to give every request a fresh bucket."""
    # one token a minute: however slow the machine, none comes back during the test
    limited = start_api(RATE_LIMIT_IP="1", RATE_LIMIT_BURST="3")
    statuses = [
        httpx.get(
            f"{limited.url}/health", headers={"X-Forwarded-For": f"10.9.0.{i}"}, timeout=BOUND
        ).status_code
        for i in range(6)
    ]
    # one bucket, whatever the header says (wait_ready's /health took its first token)
    assert statuses == [200] * 2 + [429] * 4, statuses

    proxied = start_api(RATE_LIMIT_IP="1", RATE_LIMIT_BURST="3", TRUSTED_PROXIES="127.0.0.1")
    statuses = [
        httpx.get(
            f"{proxied.url}/health", headers={"X-Forwarded-For": f"10.9.0.{i}"}, timeout=BOUND
        ).status_code
        for i in range(6)
    ]
    assert statuses == [200] * 6  # each named client has its own bucket behind the proxy


DEMO_SERVER = """
import sys, threading, httpx
from planet.demo.runtime import ApiServer
from api.settings import ApiSettings
from tests.support.ports import free_port

sys.setrecursionlimit(1_000_000)  # as ape does inside `ape run`, where the demo runs
threading.stack_size(8 * 1024 * 1024)
settings = ApiSettings(database_url=sys.argv[1], chain_id={chain}, siwe_domain="{domain}",
                       session_secret="{secret}")
server = ApiServer(settings, clock=lambda: 1.9e9, host="127.0.0.1", port=free_port())
server.start()
deep = b"[" * 100_000 + b"]" * 100_000
reply = httpx.post(server.url + "/auth/verify", content=deep, timeout=60,
                   headers={{"Content-Type": "application/json"}})
print(reply.status_code, reply.json()["error"]["code"])
print(httpx.get(server.url + "/health", timeout=60).status_code)
server.stop()
"""


def test_the_demo_server_thread_survives_deep_json_under_a_raised_recursion_limit(
    database_url: str, tmp_path: Path
) -> None:
    """The demo serves the API from a thread of a process whose recursion limit ape raised;
    100,000 nested brackets overflowed the C stack there and killed the API, the indexer
    and anvil with it."""
    script = DEMO_SERVER.format(chain=CHAIN_ID, domain=DOMAIN, secret=SECRET)
    run = subprocess.run(
        [sys.executable, "-c", script, database_url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=BOUND * 2,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == ["400", "json_too_deep", "200"], run.stdout
