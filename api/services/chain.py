"""What the API knows about the deployment it serves: the points contract and the epoch
calendar, from the settings or the deployment manifest."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address

from api.settings import ApiSettings
from planet.core.epochs import EpochCalendar, EpochError
from planet.core.manifest import ManifestError, load


@dataclass(frozen=True)
class ChainContext:
    chain_id: int
    points_address: str | None
    genesis: int | None

    @property
    def calendar(self) -> EpochCalendar | None:
        return None if self.genesis is None else EpochCalendar(self.genesis)

    def current_epoch(self, now: int) -> int | None:
        calendar = self.calendar
        if calendar is None:
            return None
        try:
            return calendar.epoch_at(now)
        except EpochError:
            return None

    @classmethod
    def from_settings(cls, settings: ApiSettings) -> ChainContext:
        points, genesis = settings.points_address, settings.genesis
        if settings.manifest is not None:
            manifest = load(settings.manifest)
            if manifest.chain_id != settings.chain_id:
                raise ManifestError(
                    f"{settings.manifest} is for chain {manifest.chain_id}, "
                    f"PLANET_API_CHAIN_ID is {settings.chain_id}"
                )
            if points is None and "ContributionPoints" in manifest.contracts:
                points = manifest.contract("ContributionPoints").address
            genesis = manifest.genesis if genesis is None else genesis
        return cls(
            chain_id=settings.chain_id,
            points_address=None if points is None else to_checksum_address(points),
            genesis=genesis,
        )
