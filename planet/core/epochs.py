"""Weekly epochs, defined exactly as `WeeklyEpochs.sol` defines them.

Epoch ``n`` spans ``[genesis + n weeks, genesis + (n + 1) weeks)``. The genesis is fixed at
deployment and read from the manifest or the contract; nothing else may redefine a week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from planet.core.errors import PlanetError

EPOCH_DURATION = 7 * 24 * 60 * 60


class EpochError(PlanetError, ValueError):
    """A timestamp or epoch outside the calendar (before genesis, negative)."""


@dataclass(frozen=True)
class EpochCalendar:
    """The calendar of one deployment, anchored at its genesis timestamp."""

    genesis: int

    def epoch_at(self, timestamp: int) -> int:
        if timestamp < self.genesis:
            raise EpochError(f"timestamp {timestamp} is before genesis {self.genesis}")
        return (timestamp - self.genesis) // EPOCH_DURATION

    def start(self, epoch: int) -> int:
        if epoch < 0:
            raise EpochError(f"epoch must be >= 0, got {epoch}")
        return self.genesis + epoch * EPOCH_DURATION

    def end(self, epoch: int) -> int:
        """First second of the next epoch (exclusive end)."""
        return self.start(epoch + 1)


def week_start(timestamp: int) -> int:
    """Monday 00:00 UTC of the week holding ``timestamp``: the default genesis at deployment,
    so epochs line up with calendar weeks people talk about."""
    day = datetime.fromtimestamp(timestamp, tz=UTC)
    monday = day.replace(hour=0, minute=0, second=0, microsecond=0).timestamp() - (
        day.weekday() * 24 * 60 * 60
    )
    return int(monday)
