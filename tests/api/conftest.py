"""Fixtures for the API: an app on a migrated database with a settable clock, and wallets
that sign in (helpers in :mod:`tests.support.api`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.settings import ApiSettings
from planet.store import OFFCHAIN, migrate
from tests.support.api import (
    CHAIN_ID,
    DOMAIN,
    GENESIS,
    POINTS,
    SECRET,
    START,
    Clock,
    Member,
    add_identity,
    sign_in,
)

#: The local chains' formula: engagers need no age, as every test identity is new.
LOCAL_SCORING = Path(__file__).resolve().parents[2] / "config" / "scoring-local.yaml"


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def attester() -> LocalAccount:
    return Account.from_key(keccak(text="planet api test attester"))


@pytest.fixture
def make_client(engine, database_url, clock, attester) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        values: dict[str, object] = {
            "database_url": database_url,
            "chain_id": CHAIN_ID,
            "siwe_domain": DOMAIN,
            "session_secret": SECRET,
            "attester_private_key": attester.key.hex(),
            "points_address": POINTS,
            "genesis": GENESIS,
            "rate_limit_ip": 100_000,
            "rate_limit_identity": 100_000,
            "rate_limit_burst": 10_000,
            "scoring_config": LOCAL_SCORING,
        }
        values.update(overrides)
        app = create_app(ApiSettings(**values), clock=overrides.pop("clock", clock))
        client = TestClient(app)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.app.state.engine.dispose()
        client.close()


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture
def member(client, engine) -> Callable[..., Member]:
    """A signed-in wallet; with an identity unless ``identity=False``."""
    counter = itertools.count(1)

    def make(handle: str | None = None, identity: bool = True) -> Member:
        account = Account.create(extra_entropy=str(next(counter)))
        token_id = None
        if identity:
            handle = handle or f"member_{next(counter)}"
            token_id = add_identity(engine, account.address, handle)
        return Member(account, token_id, handle, sign_in(client, account))

    return make


@pytest.fixture
def indexed_app(
    manifest, manifest_file, database_url, settings_for, make_indexer
) -> Callable[..., tuple[FastAPI, Engine, Any]]:
    """What every API test over anvil starts from: the real indexer caught up on the session's
    chain, then the API over its database on the chain's clock. ``make(planet, **settings)``
    answers the app, the database engine and the indexer (to catch up again later)."""

    def make(planet: Any, **settings: Any) -> tuple[FastAPI, Engine, Any]:
        indexer, engine = make_indexer(settings_for(database_url))
        indexer.catch_up()
        migrate(engine, OFFCHAIN)
        api = ApiSettings(
            database_url=database_url,
            chain_id=manifest.chain_id,
            siwe_domain="planet.test",
            session_secret=SECRET,
            manifest=manifest_file,
            **settings,
        )
        app = create_app(api, clock=lambda: planet.w3.eth.get_block("latest").timestamp)
        return app, engine, indexer

    return make
