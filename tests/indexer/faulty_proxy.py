"""An HTTP proxy that sits between the indexer and anvil and misbehaves on purpose.

Each request may be dropped without an answer, delayed (past the client's timeout, sometimes),
answered 429 or 5xx, answered with a transient JSON-RPC error, or answered with a body cut short
(either the connection closes mid-body or the declared length is the cut one, so the JSON is
malformed). Optionally it refuses eth_getLogs ranges wider than a limit, in a real node's words.
Seeded, so a failing run can be replayed.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

FAULTS = ("drop", "delay", "timeout", "429", "5xx", "rpc_error", "cut_connection", "cut_length")


class FaultyProxy:
    def __init__(
        self,
        upstream: str,
        *,
        fault_rate: float = 0.3,
        seed: int = 0,
        always: str | None = None,
        range_limit: int | None = None,
        timeout_delay: float = 1.2,
        weights: dict[str, float] | None = None,
    ) -> None:
        self.upstream = upstream
        self.fault_rate = fault_rate
        self.always = always
        self.range_limit = range_limit
        self.timeout_delay = timeout_delay
        self.weights = weights or {f: 1.0 for f in FAULTS}
        self.faults: Counter[str] = Counter()
        self.requests = 0
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                proxy.handle(self, body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FaultyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    # ------------------------------------------------------------------ behaviour

    def _pick(self) -> str | None:
        with self._lock:
            self.requests += 1
            if self.always:
                fault = self.always
            elif self._rng.random() < self.fault_rate:
                names = list(self.weights)
                fault = self._rng.choices(names, weights=[self.weights[n] for n in names])[0]
            else:
                return None
            self.faults[fault] += 1
            return fault

    def handle(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        refusal = self._range_refusal(body)
        if refusal is not None:
            self._send(h, 200, refusal)
            return
        fault = self._pick()
        if fault == "drop":
            h.close_connection = True
            return
        if fault == "timeout":
            time.sleep(self.timeout_delay)
            h.close_connection = True
            return
        if fault == "delay":
            time.sleep(self._rng.uniform(0.01, 0.2))
        if fault == "429":
            self._send(h, 429, b"slow down", {"Retry-After": "0"})
            return
        if fault == "5xx":
            self._send(h, self._rng.choice([500, 502, 503]), b"<html>bad gateway</html>")
            return
        request = json.loads(body)
        if fault == "rpc_error":
            error = {"code": -32005, "message": "rate limit exceeded, try again later"}
            answer = {"jsonrpc": "2.0", "id": request["id"], "error": error}
            self._send(h, 200, json.dumps(answer).encode())
            return
        upstream = self._client.post(
            self.upstream, content=body, headers={"content-type": "application/json"}
        )
        content = upstream.content
        if fault == "cut_connection":
            h.send_response(200)
            h.send_header("content-type", "application/json")
            h.send_header("content-length", str(len(content)))
            h.end_headers()
            h.wfile.write(content[: len(content) // 2])
            h.close_connection = True
            return
        if fault == "cut_length":
            content = content[: max(1, len(content) // 2)]
        self._send(h, upstream.status_code, content)

    def _range_refusal(self, body: bytes) -> bytes | None:
        if self.range_limit is None:
            return None
        request = json.loads(body)
        if request.get("method") != "eth_getLogs":
            return None
        query = request["params"][0]
        span = int(query["toBlock"], 16) - int(query["fromBlock"], 16) + 1
        if span <= self.range_limit:
            return None
        with self._lock:
            self.faults["range"] += 1
        error = {"code": -32005, "message": "query returned more than 10000 results"}
        return json.dumps({"jsonrpc": "2.0", "id": request["id"], "error": error}).encode()

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler, status: int, content: bytes, headers: dict | None = None
    ) -> None:
        try:
            h.send_response(status)
            h.send_header("content-type", "application/json")
            h.send_header("content-length", str(len(content)))
            for name, value in (headers or {}).items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(content)
        except OSError:
            h.close_connection = True
