"""A small closed-loop HTTP/1.1 load generator, run as its own process by the API benchmark.

    python -m benchmarks.http_load --url http://127.0.0.1:8000/posts --seconds 10

``--connections`` keep-alive connections each send a request, read the whole answer, and send
the next, for ``--seconds`` after ``--warmup`` seconds whose requests are not counted. It speaks
raw HTTP/1.1 over asyncio streams (uvloop when installed) because a full client library costs
more CPU per request than the server being measured, and on a small machine the two share the
cores. Prints one JSON object: requests, errors (non-2xx or broken answers), req/s, p50/p99 ms,
and with ``--latencies`` every latency (ms), so a caller can merge several runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None

    def fail(self, reason: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = reason


def _request(url: str, headers: dict[str, str]) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit(f"Error: --url must be http://host[:port]/path, got {url!r}")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return parts.hostname, parts.port or 80, ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _read_answer(reader: asyncio.StreamReader) -> int:
    """Reads one response (Content-Length or chunked body); returns its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if length is not None:
        await reader.readexactly(length)
    elif chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _connection(
    host: str, port: int, request: bytes, start: float, stop: float, tally: Tally
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while (began := time.perf_counter()) < stop:
            writer.write(request)
            try:
                status = await _read_answer(reader)
            except (asyncio.IncompleteReadError, ConnectionError, ValueError) as err:
                tally.fail(f"broken answer: {err!r}")
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            if began < start:
                continue
            tally.latencies.append(time.perf_counter() - began)
            if not 200 <= status < 300:
                tally.fail(f"HTTP {status}")
    finally:
        writer.close()


async def run(
    url: str,
    headers: dict[str, str],
    connections: int,
    seconds: float,
    warmup: float,
    latencies: bool = False,
) -> dict[str, object]:
    host, port, request = _request(url, headers)
    tally = Tally()
    start = time.perf_counter() + warmup
    stop = start + seconds
    await asyncio.gather(
        *(_connection(host, port, request, start, stop, tally) for _ in range(connections))
    )
    ordered = sorted(t * 1000 for t in tally.latencies)
    result: dict[str, object] = {
        "url": url,
        "requests": len(ordered),
        "errors": tally.errors,
        "first_error": tally.first_error,
        "rps": len(ordered) / seconds,
        **percentiles(ordered),
    }
    if latencies:
        result["latencies_ms"] = [round(t, 3) for t in ordered]
    return result


def percentiles(ordered_ms: list[float]) -> dict[str, float]:
    """p50 and p99 of sorted latencies in ms (nan when there are none)."""
    done = len(ordered_ms)
    if not done:
        return {"p50_ms": float("nan"), "p99_ms": float("nan")}
    return {
        "p50_ms": statistics.median(ordered_ms),
        "p99_ms": ordered_ms[min(done - 1, int(done * 0.99))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="http://host:port/path to GET")
    parser.add_argument(
        "--header", action="append", default=[], metavar="NAME:VALUE", help="extra header"
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured duration")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured lead-in")
    parser.add_argument("--latencies", action="store_true", help="add every latency (ms)")
    args = parser.parse_args()
    headers = {}
    for item in args.header:
        name, sep, value = item.partition(":")
        if not sep:
            parser.error(f"--header {item!r}: expected NAME:VALUE")
        headers[name.strip()] = value.strip()
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None
    try:
        from uvloop import new_event_loop as loop_factory
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        result = runner.run(
            run(args.url, headers, args.connections, args.seconds, args.warmup, args.latencies)
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
