"""Follow mode rides out a chain outage: the indexer keeps retrying with backoff, logs the
outage and the recovery, and ends with exactly the rows the chain calls for."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import structlog

from tests.indexer.compare import assert_mirrors_chain


class Switch:
    """A JSON-RPC relay to the test chain that can be cut (answers 503 while down)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.down = False


@contextmanager
def relay(upstream: str) -> Iterator[tuple[str, Switch]]:
    switch = Switch(upstream)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if switch.down:
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            reply = httpx.post(
                switch.upstream, content=body, headers={"Content-Type": "application/json"}
            )
            self.send_response(reply.status_code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply.content)))
            self.end_headers()
            self.wfile.write(reply.content)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", switch
    finally:
        server.shutdown()


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def test_follow_rides_out_a_chain_outage_and_says_when_it_recovers(
    planet, database_url, settings_for, make_indexer, rpc_url
):
    planet.random_activity(5)
    with relay(rpc_url) as (url, switch), structlog.testing.capture_logs() as logs:
        settings = settings_for(
            database_url, rpc_url=url, max_attempts=2, poll_interval=0.05, outage_backoff_max=0.2
        )
        indexer, engine = make_indexer(settings)
        stop = threading.Event()
        follower = threading.Thread(target=indexer.follow, args=(stop,), daemon=True)
        follower.start()
        try:
            wait_for(lambda: indexer.cursor.block_number >= planet.w3.eth.block_number)
            switch.down = True
            planet.random_activity(5)  # the chain moves on while the indexer cannot see it
            wait_for(lambda: sum(e["event"] == "outage" for e in logs) >= 3)
            assert follower.is_alive()
            switch.down = False
            head = planet.w3.eth.block_number
            wait_for(lambda: indexer.cursor.block_number >= head)
        finally:
            stop.set()
            follower.join(30)
    outages = [e for e in logs if e["event"] == "outage"]
    assert outages[0]["source"] == "chain" and outages[0]["attempt"] == 1
    assert [e["retry_in_s"] for e in outages[:3]] == [0.2, 0.2, 0.2]  # capped by the setting
    assert any(e["event"] == "recovered" for e in logs)
    assert_mirrors_chain(engine, planet)
