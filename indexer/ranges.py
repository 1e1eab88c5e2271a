"""How many blocks to ask eth_getLogs for next.

Nodes bound a query by blocks or by results, and say so only by failing. The sizer starts at
``initial``, halves the span that failed (never below ``minimum``), doubles while answers are
sparse (fewer than half ``target_logs``) and halves when one range returns more than twice
``target_logs``, which also bounds the memory and transaction size of a commit.
"""

from __future__ import annotations

from indexer.errors import IndexerError


class RangeTooSmallError(IndexerError):
    """The node refuses even the smallest allowed range."""


class RangeSizer:
    """The adaptive eth_getLogs span; one sizer per sync run, used by one thread at a time."""

    def __init__(self, initial: int, minimum: int, maximum: int, target_logs: int) -> None:
        if not 1 <= minimum <= initial <= maximum:
            raise ValueError(
                f"need 1 <= minimum <= initial <= maximum, got {minimum}, {initial}, {maximum}"
            )
        self.size = initial
        self.minimum = minimum
        self.maximum = maximum
        self.target_logs = target_logs

    def shrink(self, attempted: int) -> int:
        """After the node refused ``attempted`` blocks: the span to try next."""
        if attempted <= self.minimum:
            raise RangeTooSmallError(
                f"the RPC refuses eth_getLogs even for {attempted} block(s) (range_min="
                f"{self.minimum}); use an RPC with higher limits"
            )
        self.size = max(self.minimum, attempted // 2)
        return self.size

    def observe(self, blocks: int, logs: int) -> None:
        """After ``blocks`` blocks returned ``logs`` logs."""
        if logs > 2 * self.target_logs:
            self.size = max(self.minimum, min(self.size, blocks) // 2)
        elif logs < self.target_logs // 2 and blocks >= self.size:
            self.size = min(self.maximum, self.size * 2)
