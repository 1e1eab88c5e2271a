"""Fixtures for the indexer: throw-away databases (SQLite and PostgreSQL), a fresh deployment
with a manifest, random activity, and indexers pointed at ape's anvil."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from eth_account import Account
from sqlalchemy import Engine, text
from web3 import Web3

from indexer.config import IndexerSettings
from indexer.rpc import RpcClient
from indexer.sync import Indexer
from planet.chain.deploy import deploy_all
from planet.chain.deploy_config import NetworkSettings
from planet.core.epochs import EPOCH_DURATION, week_start
from planet.core.manifest import Manifest, manifest_path
from planet.store import MIRROR, make_engine, migrate
from tests.indexer.activity import Actors, Planet
from tests.indexer.harness import close_indexer, open_indexer

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    engine = make_engine(f"{POSTGRES}/test").execution_options(isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def new_database(tmp_path, request) -> Iterator[Callable[[str], str]]:
    """Makes empty databases of a backend on demand; drops them after the test."""
    created: list[str] = []
    engines: list[Engine] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path}/planet_{secrets.token_hex(4)}.sqlite"
        admin = request.getfixturevalue("postgres_admin")
        engines.append(admin)
        name = f"planet_idx_{secrets.token_hex(6)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return f"{POSTGRES}/{name}"

    yield make
    for name in created:
        with engines[0].connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(new_database, backend) -> str:
    return new_database(backend)


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    """An engine on a migrated database of each backend."""
    engine = make_engine(database_url)
    migrate(engine, MIRROR)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def sqlite_scratch(tmp_path_factory) -> Iterator[Engine]:
    """One migrated SQLite file per test module, for property tests whose examples each roll
    their transaction back."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('scratch') / 'scratch.sqlite'}")
    migrate(engine, MIRROR)
    yield engine
    engine.dispose()


@pytest.fixture
def rpc_url(chain) -> str:
    return chain.provider.uri


@pytest.fixture
def actors(accounts) -> Actors:
    keys = [Account.from_key(a.private_key) for a in accounts]
    return Actors(admin=keys[0], attester=keys[1], verifier=keys[2], risk=keys[3], users=keys[4:10])


@pytest.fixture
def manifest_file(project, chain, accounts, actors, tmp_path) -> Path:
    """The four contracts freshly deployed, genesis three weeks back (so four epochs can hold
    points and three have ended for the vault); a one-hour challenge period and a one-week claim
    window keep vault tests' time travel short. The manifest path."""
    settings = NetworkSettings(
        attester=actors.attester.address,
        verifier=actors.verifier.address,
        risk=actors.risk.address,
        genesis=week_start(chain.blocks.head.timestamp) - 3 * EPOCH_DURATION,
        challenge_period=3600,
        claim_window_weeks=1,
    )
    manifest, _ = deploy_all(
        project, chain, accounts[0], "ethereum:local", settings, tmp_path / "deployments", True
    )
    return manifest_path(manifest.chain_id, tmp_path / "deployments")


@pytest.fixture
def manifest(manifest_file) -> Manifest:
    from planet.core.manifest import load

    return load(manifest_file)


@pytest.fixture
def planet(rpc_url, manifest, actors) -> Planet:
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
    return Planet(w3, manifest, actors, random.Random(1234))


@pytest.fixture
def settings_for(rpc_url, manifest_file) -> Callable[..., IndexerSettings]:
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


@pytest.fixture
def planet_with_token(planet, project, accounts) -> Planet:
    """The planet helper with a USDT-like MockERC20 that passes may be priced in."""
    token = accounts[0].deploy(project.MockERC20, "Tether USD", "USDT", 6)
    abi = project.MockERC20.contract_type.model_dump(mode="json", by_alias=True)["abi"]
    planet.erc20 = planet.w3.eth.contract(address=str(token.address), abi=abi)
    planet.currencies.add(str(token.address).lower())
    return planet
