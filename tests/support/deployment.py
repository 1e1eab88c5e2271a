"""The four contracts deployed once per session on ape's anvil, and the people who use them.

ape's pytest plugin snapshots the chain around every test and reverts it afterwards, so a
deployment made once serves every test from a clean state; each test's own transactions,
time travel and reorgs are undone before the next. The epoch genesis lies three weeks and a day
back, so epochs 0-2 have ended, the vault's weeks can be closed, and no test starts close to a
week's end; a one-hour challenge period and a one-week claim window keep time travel short.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from eth_account import Account
from sqlalchemy import Engine
from web3 import Web3

from indexer.config import IndexerSettings
from indexer.rpc import RpcClient
from indexer.sync import Indexer
from planet.chain.deploy import deploy_all
from planet.chain.deploy_config import NetworkSettings
from planet.core.epochs import EPOCH_DURATION
from planet.core.manifest import Manifest, load, manifest_path
from tests.support.indexing import close_indexer, open_indexer
from tests.support.protocol import Actors, Planet

DAY = 24 * 60 * 60


@pytest.fixture(scope="session")
def actors(accounts) -> Actors:
    keys = [Account.from_key(a.private_key) for a in accounts]
    return Actors(admin=keys[0], attester=keys[1], verifier=keys[2], risk=keys[3], users=keys[4:10])


@pytest.fixture(scope="session")
def rpc_url(chain) -> str:
    return chain.provider.uri


@pytest.fixture(scope="session")
def manifest_file(project, chain, accounts, actors, tmp_path_factory) -> Path:
    """The four contracts, deployed once; the path of their manifest. Attester, verifier and
    risk are their own accounts (1-3); the deployer (0) holds the other roles."""
    folder = tmp_path_factory.mktemp("deployments")
    settings = NetworkSettings(
        attester=actors.attester.address,
        verifier=actors.verifier.address,
        risk=actors.risk.address,
        genesis=chain.blocks.head.timestamp - 3 * EPOCH_DURATION - DAY,
        challenge_period=3600,
        claim_window_weeks=1,
    )
    manifest, _ = deploy_all(project, chain, accounts[0], "ethereum:local", settings, folder, True)
    return manifest_path(manifest.chain_id, folder)


@pytest.fixture
def manifest(manifest_file) -> Manifest:
    """The deployment's manifest, read afresh for each test (tests may edit their copy)."""
    return load(manifest_file)


@pytest.fixture(scope="session")
def erc20_token(project, accounts):
    """A USDT-like token (6 decimals) that passes may be priced in and vaults paid in."""
    return accounts[0].deploy(project.MockERC20, "Tether USD", "USDT", 6)


@pytest.fixture
def planet(rpc_url, manifest, actors) -> Planet:
    """The protocol driver, fresh for each test (it remembers what it did)."""
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
    return Planet(w3, manifest, actors, random.Random(1234))


@pytest.fixture
def planet_with_token(planet, erc20_token) -> Planet:
    """The driver with the USDT-like token that passes may be priced in."""
    abi = erc20_token.contract_type.model_dump(mode="json", by_alias=True)["abi"]
    planet.erc20 = planet.w3.eth.contract(address=str(erc20_token.address), abi=abi)
    planet.currencies.add(str(erc20_token.address).lower())
    return planet


@pytest.fixture
def settings_for(rpc_url, manifest_file) -> Callable[..., IndexerSettings]:
    """Indexer settings for a database on the test chain: no confirmation depth, no bar, fast
    retries, no rate limit, unless overridden."""

    def make(database_url: str, **overrides: object) -> IndexerSettings:
        values: dict[str, object] = {
            "rpc_url": rpc_url,
            "database_url": database_url,
            "manifest": manifest_file,
            "finality": 0,
            "progress": False,
            "backoff_base": 0.01,
            "backoff_max": 0.05,
            "rate_limit": 10_000,
        }
        values.update(overrides)
        return IndexerSettings(**values)

    return make


@pytest.fixture
def make_indexer(manifest) -> Iterator[Callable[[IndexerSettings], tuple[Indexer, Engine]]]:
    """An Indexer on a migrated database, closed after the test."""
    opened: list[tuple[Indexer, RpcClient, Engine]] = []

    def make(settings: IndexerSettings) -> tuple[Indexer, Engine]:
        opened.append(open_indexer(settings, manifest))
        indexer, _, engine = opened[-1]
        return indexer, engine

    yield make
    for parts in opened:
        close_indexer(*parts)
