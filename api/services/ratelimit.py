"""An in-process token bucket per key (client IP, signed-in wallet).

Each key holds up to ``burst`` tokens, refilled at ``per_minute / 60`` a second; a request takes
one or is refused with how long until one is back. Process-local: behind several workers each
has its own buckets, so the effective limit is per worker (a shared store comes with Redis).
"""

from __future__ import annotations

import threading
import time
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
