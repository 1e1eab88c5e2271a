"""Rewards fixtures: the session's deployment with funded epochs, and a database with a
week of activity to close."""

from __future__ import annotations

import pytest

from planet.core.epochs import EpochCalendar
from planet.store import make_engine
from tests.support.rows import Seeder

POOL = 10**18 + 7


@pytest.fixture
def deployed(project, manifest, manifest_file, accounts):
    """The session's deployment (epochs 0-2 ended, 3 current) with epochs 0, 1 and 3 funded,
    2 not: the manifest, the vault and the manifest's path."""
    vault = project.PrizeVault.at(manifest.contracts["PrizeVault"].address)
    for epoch in (0, 1, 3):
        vault.fund(epoch, POOL, value=POOL, sender=accounts[1])
    return manifest, vault, manifest_file


@pytest.fixture
def database(new_database, deployed):
    """A SQLite database with activity in epochs 0 (five creators), 2 and 3, none in 1; the
    fans are verified, so their engagement counts under the published (trust) formula."""
    url = new_database("sqlite", migrated=True)
    engine = make_engine(url)
    calendar = EpochCalendar(deployed[0].genesis)
    seed = Seeder(engine, at=calendar.start(0) + 60)
    fans = [seed.user(verified=True)[0] for _ in range(6)]
    creators = [seed.user() for _ in range(5)]
    for i, (token, address) in enumerate(creators):
        post = seed.post(token)
        for fan in fans[: i + 1]:
            seed.like(post, fan)
        seed.attest(address, 0, 10 * i)
    for epoch in (2, 3):
        seed.like(seed.post(creators[0][0]), fans[0], at=calendar.start(epoch) + 60)
    engine.dispose()
    return url, [address for _, address in creators]
