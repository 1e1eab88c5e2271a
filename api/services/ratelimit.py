"""In-process limits per key: a token bucket (requests per client IP or signed-in wallet), a cap
on what a key holds at once (chat sockets per IP), and a flood window (chat frames).

Each key holds up to ``burst`` tokens, refilled at ``per_minute / 60`` a second; a request takes
one or is refused with how long until one is back. Process-local: behind several workers each
has its own buckets, so the effective limit is per worker (a shared store comes with Redis).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from api.errors import RateLimited

_SWEEP_AT = 10_000  # keys kept before full (idle) buckets are dropped


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
