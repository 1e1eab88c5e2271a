"""What a pass did, in one type: the backfill and the tip each return one and the pass that
ran them adds them up."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.reorg import Rewind


@dataclass
class PassResult:
    """What one pass did; ``retry`` asks for another pass at once (the head moved under it)."""

    blocks: int = 0
    events: int = 0
    rewinds: list[Rewind] = field(default_factory=list)
    retry: bool = False

    def __iadd__(self, other: PassResult) -> PassResult:
        self.blocks += other.blocks
        self.events += other.events
        self.rewinds += other.rewinds
        self.retry = self.retry or other.retry
        return self
