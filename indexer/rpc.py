"""A small JSON-RPC client that survives public endpoints: rate limits, flaky networks and
nodes that refuse large ``eth_getLogs`` ranges.

It speaks HTTP through httpx itself instead of web3's provider so retries are ours to control:
every request waits for a token-bucket slot (the public X Layer RPC allows about 100 requests/s
per IP), and timeouts, dropped connections, HTTP 429/5xx, malformed or truncated JSON and
transient JSON-RPC errors are retried with exponential backoff and jitter, up to a hard cap
after which :class:`RpcUnavailableError` says the endpoint is down. Errors that mean "ask for a
smaller block range" are told apart and raised as :class:`RangeTooLargeError` at once, so the
caller can shrink the range instead of retrying the same query.
"""

from __future__ import annotations

import itertools
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx
import msgspec

from indexer.errors import IndexerError

if TYPE_CHECKING:
    from indexer.config import IndexerSettings


class RpcUnavailableError(IndexerError):
    """The endpoint kept failing (or refused us outright); retrying will not help now."""


class RpcRequestError(IndexerError):
    """The node rejected the request itself (unknown method, invalid parameters)."""

    def __init__(self, method: str, code: int, message: str) -> None:
        super().__init__(f"RPC {method} rejected (code {code}): {message}")
        self.code = code
        self.message = message


class RangeTooLargeError(IndexerError):
    """The node refuses this eth_getLogs range (too many blocks or results): shrink it."""


class Log(msgspec.Struct, frozen=True, gc=False):
    """One log as the node returns it (hex strings, decoded lazily by :mod:`indexer.decode`).

    Untracked by the cycle collector (``gc=False``, topics a tuple of strings): a backfill
    holds tens of thousands of logs at once, and tracked ones make every collection rescan
    them although a log can never be part of a reference cycle.
    """

    address: str
    topics: tuple[str, ...]
    data: str
    blockNumber: str
    blockHash: str
    transactionHash: str
    transactionIndex: str
    logIndex: str
    removed: bool = False


T = TypeVar("T")


class _Header(msgspec.Struct):
    number: str
    hash: str
    parentHash: str
    timestamp: str


@dataclass(frozen=True, slots=True)
class BlockHeader:
    """The part of a block the indexer needs: where it is and what it builds on."""

    number: int
    hash: str
    parent_hash: str
    timestamp: int


class _RpcErrorBody(msgspec.Struct):
    code: int = 0
    message: str = ""


class _Envelope(msgspec.Struct, Generic[T]):
    """A JSON-RPC answer with its result typed, so one pass over the body both checks the
    envelope and builds the result (an eth_getLogs answer runs to tens of megabytes)."""

    id: Any = None
    result: T | msgspec.UnsetType = msgspec.UNSET
    error: _RpcErrorBody | None = None


_LOGS = msgspec.json.Decoder(_Envelope[list[Log]])
_HEADER = msgspec.json.Decoder(_Envelope[_Header | None])
_ANY = msgspec.json.Decoder(_Envelope[Any])

# Wordings nodes use to say "this eth_getLogs asks for too much": geth, erigon, Infura, Alchemy,
# QuickNode, Ankr, OP Stack and X Layer nodes among them. Matched case-insensitively.
_RANGE_PATTERNS = re.compile(
    "|".join(
        (
            r"query returned more than \d+ results",
            r"block range (is )?too (large|big|wide)",
            r"exceeds? (the )?max(imum)? (block )?range",
            r"(max|maximum) block range",
            r"range (is )?too (large|big|wide)",
            r"too many (results|logs|blocks)",
            r"response size (exceeded|is larger|too large)",
            r"limited to (a )?[\d,]+ (block )?range",
            r"more than [\d,]+ blocks",
            r"logs? (response|result)s? (size )?(exceeded|too large)",
            r"query timeout exceeded",
        )
    ),
    re.IGNORECASE,
)
# JSON-RPC codes that say the request itself is wrong; anything else may pass on a retry.
_PERMANENT_CODES = frozenset({-32600, -32601, -32602})


def is_range_error(code: int, message: str) -> bool:
    """Whether a JSON-RPC error to eth_getLogs means "query a smaller range"."""
    if _RANGE_PATTERNS.search(message):
        return True
    return code == -32005 and "result" in message.lower()


class TokenBucket:
    """At most ``rate`` acquisitions per second on average, bursts up to ``burst``; thread-safe.

    The clock and sleep are injectable so tests check the arithmetic without waiting.
    """

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = max(1.0, burst if burst is not None else rate)
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)


class RpcClient:
    """JSON-RPC over HTTP with rate limiting, retries and typed failures."""

    def __init__(
        self,
        url: str,
        *,
        rate: float = 50.0,
        timeout: float = 30.0,
        max_attempts: int = 8,
        backoff_base: float = 0.25,
        backoff_max: float = 15.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.requests = 0  # HTTP requests sent, retries included (for logs and tests)
        self.retries = 0
        self._sleep = sleep
        self._bucket = TokenBucket(rate, sleep=sleep)
        self._ids = itertools.count(1)
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            headers={"content-type": "application/json"},
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=4),
            # a plain-HTTP node needs no TLS context, whose certificates take 30-80 ms to load
            verify=not url.startswith("http://"),
        )

    @classmethod
    def from_settings(cls, settings: IndexerSettings) -> RpcClient:
        """The client the settings describe (URL, rate ceiling, timeout, retries)."""
        return cls(
            settings.rpc_url,
            rate=settings.rate_limit,
            timeout=settings.request_timeout,
            max_attempts=settings.max_attempts,
            backoff_base=settings.backoff_base,
            backoff_max=settings.backoff_max,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RpcClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ typed calls

    def chain_id(self) -> int:
        return int(self.call("eth_chainId", []), 16)

    def block_number(self) -> int:
        return int(self.call("eth_blockNumber", []), 16)

    def header(self, block: int | str) -> BlockHeader | None:
        """The header of a block number or tag (``latest``, ``safe``, ``finalized``); None if the
        node has no such block (yet)."""
        tag = hex(block) if isinstance(block, int) else block
        raw = self.call("eth_getBlockByNumber", [tag, False], decoder=_HEADER)
        if raw is None:
            return None
        return BlockHeader(int(raw.number, 16), raw.hash, raw.parentHash, int(raw.timestamp, 16))

    def logs(self, from_block: int, to_block: int, addresses: Sequence[str]) -> list[Log]:
        """All logs of ``addresses`` in ``[from_block, to_block]``; raises
        :class:`RangeTooLargeError` when the node wants a smaller range."""
        query = {"fromBlock": hex(from_block), "toBlock": hex(to_block), "address": list(addresses)}
        return self.call("eth_getLogs", [query], decoder=_LOGS, range_sensitive=True)

    # ------------------------------------------------------------------ the one request path

    def call(
        self,
        method: str,
        params: list[Any],
        *,
        decoder: msgspec.json.Decoder = _ANY,
        range_sensitive: bool = False,
    ) -> Any:
        """One JSON-RPC call, retried on transient failures; see the module docstring.
        ``decoder`` reads the whole answer: an ``_Envelope`` of the result's type."""
        last = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                self.retries += 1
            request_id = next(self._ids)
            body = msgspec.json.encode(
                {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
            )
            self._bucket.acquire()
            self.requests += 1
            retry_after: float | None = None
            try:
                response = self._http.post(self.url, content=body)
            except httpx.TimeoutException:
                last = "request timed out"
            except httpx.TransportError as err:
                last = f"connection failed ({type(err).__name__}: {err})"
            else:
                status = response.status_code
                if status == 429 or status >= 500:
                    last = f"HTTP {status}"
                    retry_after = _retry_after(response)
                elif status >= 400:
                    raise RpcUnavailableError(
                        f"RPC {self.url} answered HTTP {status} to {method}: check the URL or key"
                    )
                else:
                    try:
                        envelope = decoder.decode(response.content)
                    except msgspec.ValidationError as err:  # JSON, but not of this shape
                        envelope = None
                        last = f"unexpected answer shape ({err})"
                    except msgspec.DecodeError as err:
                        envelope = None
                        last = f"malformed JSON answer ({err})"
                    if envelope is not None:
                        if envelope.error is not None:
                            code, message = envelope.error.code, envelope.error.message
                            if range_sensitive and is_range_error(code, message):
                                raise RangeTooLargeError(f"{method}: {message}")
                            if code in _PERMANENT_CODES:
                                raise RpcRequestError(method, code, message)
                            last = f"JSON-RPC error {code}: {message}"
                        elif envelope.id != request_id or envelope.result is msgspec.UNSET:
                            last = "answer without a result for this request"
                        else:
                            return envelope.result
            if attempt < self.max_attempts:
                self._sleep(self._backoff(attempt, retry_after))
        raise RpcUnavailableError(
            f"RPC {self.url} failed {self.max_attempts} times in a row on {method}: {last}"
        )

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential with jitter (so many clients do not retry in step); a server's
        Retry-After wins when it asks for longer."""
        delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        delay *= random.uniform(0.5, 1.0)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.backoff_max))
        return delay


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
