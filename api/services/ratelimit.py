"""In-process limits per key: a token bucket (requests per client IP or signed-in wallet), a cap
on what a key holds at once (chat sockets per IP), and a flood window (chat frames).

Each key holds up to ``burst`` tokens, refilled at ``per_minute / 60`` a second; a request takes
one or is refused with how long until one is back. With ``PLANET_API_REDIS_URL`` set the buckets
live in Redis (:class:`RedisTokenBucket`), shared by every worker and process, so three workers
enforce one limit, not three; without Redis they are process-local. Socket caps and flood
windows stay process-local.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from api.errors import RateLimited
from planet.core import logs

log = logs.get("api.ratelimit")

_SWEEP_AT = 10_000  # keys kept before full (idle) buckets are dropped


class Limiter(Protocol):
    def take(self, key: str) -> None: ...


class TokenBucket:
    def __init__(
        self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Takes one token for ``key``; :class:`RateLimited` when its bucket is empty."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                raise RateLimited((1 - tokens) / self.rate)
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > _SWEEP_AT:
                self._sweep(now)

    def _sweep(self, now: float) -> None:
        full = [
            k
            for k, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * self.rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]


# One atomic step per request, on the Redis server's clock (workers' clocks may differ):
# refill by elapsed time, take a token if there is one, keep the bucket for as long as it takes
# to refill completely. Returns {1, "0"} or {0, seconds until a token is back}.
_TAKE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or burst
local at = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
if taken == 1 then return {1, '0'} end
return {0, tostring((1 - tokens) / rate)}
"""


class RedisTokenBucket:
    """The same bucket, kept in Redis so every API process shares it.

    Redis down must not take the API down with it: a failed call falls back to a
    process-local bucket (logged once per outage) until Redis answers again."""

    def __init__(self, url: str, prefix: str, per_minute: float, burst: int) -> None:
        import redis

        self.rate = per_minute / 60.0
        self.burst = burst
        self.prefix = prefix
        self._client: Any = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        self._script = self._client.register_script(_TAKE)
        self._fallback = TokenBucket(per_minute, burst)
        self._degraded = False
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)

    def take(self, key: str) -> None:
        try:
            taken, wait = self._script(keys=[f"{self.prefix}:{key}"], args=[self.rate, self.burst])
        except self._errors as err:
            if not self._degraded:
                log.warning("rate limit store unreachable; limiting per process", error=str(err))
                self._degraded = True
            self._fallback.take(key)
            return
        if self._degraded:
            log.info("rate limit store back")
            self._degraded = False
        if not int(taken):
            raise RateLimited(float(wait))


def token_bucket(redis_url: str | None, prefix: str, per_minute: float, burst: int) -> Limiter:
    """Shared through Redis when it is configured, process-local otherwise."""
    if redis_url:
        return RedisTokenBucket(redis_url, prefix, per_minute, burst)
    return TokenBucket(per_minute, burst)


class ConcurrencyCap:
    """How many of something (chat sockets) each key (client IP) holds at once, capped.

    Process-local like the buckets: behind several workers each enforces the cap on its own."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> bool:
        """Takes a slot for ``key``; False (and nothing taken) when it holds ``cap`` already."""
        with self._lock:
            held = self._held.get(key, 0)
            if held >= self.cap:
                return False
            self._held[key] = held + 1
            return True

    def release(self, key: str) -> None:
        with self._lock:
            held = self._held.get(key, 0) - 1
            if held > 0:
                self._held[key] = held
            else:
                self._held.pop(key, None)

    def held(self, key: str) -> int:
        return self._held.get(key, 0)


class FloodGuard:
    """At most ``frames`` hits per key within any ``window`` seconds (a sliding window over
    the last ``frames`` hit times), for chat frames: unlike a bucket's per-message refusal,
    going over it ends the socket, so a flood costs the flooder its connection."""

    def __init__(
        self, frames: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.frames = frames
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Counts one frame for ``key``; False when it is one too many for the window."""
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque(maxlen=self.frames)
            if len(hits) == self.frames and now - hits[0] < self.window:
                return False
            hits.append(now)
            if len(self._hits) > _SWEEP_AT:
                self._sweep(now)
            return True

    def forget(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def _sweep(self, now: float) -> None:
        idle = [k for k, hits in self._hits.items() if not hits or now - hits[-1] >= self.window]
        for key in idle:
            del self._hits[key]
