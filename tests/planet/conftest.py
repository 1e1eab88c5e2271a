"""Rewards test fixtures: a database per backend with the indexer's and the API's tables, and
a vault deployed on the test chain with a week of activity to close."""

# Fixtures imported from the indexer tests are parameters here by design (pytest injects them).
# ruff: noqa: F811

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from planet.chain.deploy import deploy_all
from planet.chain.deploy_config import NetworkSettings
from planet.core.epochs import EPOCH_DURATION, EpochCalendar, week_start
from planet.core.manifest import manifest_path
from planet.store import MIRROR, OFFCHAIN, make_engine, migrate
from tests.indexer.conftest import (  # noqa: F401
    backend,
    database_url,
    new_database,
    postgres_admin,
)
from tests.planet.rewards_seed import Seeder

POOL = 10**18 + 7


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine, MIRROR)
    migrate(engine, OFFCHAIN)
    yield engine
    engine.dispose()


@pytest.fixture
def deployed(project, chain, accounts, tmp_path):
    """Everything deployed with genesis three weeks back (epochs 0-2 ended, 3 current); epochs
    0 and 1 funded, 2 not."""
    settings = NetworkSettings(
        genesis=week_start(chain.blocks.head.timestamp) - 3 * EPOCH_DURATION,
        challenge_period=3600,
        claim_window_weeks=1,
    )
    manifest, _ = deploy_all(
        project, chain, accounts[0], "ethereum:local", settings, tmp_path / "deployments", True
    )
    vault = project.PrizeVault.at(manifest.contracts["PrizeVault"].address)
    for epoch in (0, 1, 3):
        vault.fund(epoch, POOL, value=POOL, sender=accounts[1])
    return manifest, vault, manifest_path(manifest.chain_id, tmp_path / "deployments")


@pytest.fixture
def database(new_database, deployed):
    """A SQLite database with activity in epochs 0 (five creators), 2 and 3, none in 1."""
    url = new_database("sqlite")
    engine = make_engine(url)
    migrate(engine, MIRROR)
    migrate(engine, OFFCHAIN)
    calendar = EpochCalendar(deployed[0].genesis)
    seed = Seeder(engine, at=calendar.start(0) + 60)
    fans = [seed.user()[0] for _ in range(6)]
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
