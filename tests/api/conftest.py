"""Fixtures for the API: a migrated database per backend (SQLite and PostgreSQL), an app with a
settable clock, identities as the indexer would mirror them, and wallets that sign in."""

# Fixtures imported from the indexer tests are parameters here by design (pytest injects them).
# ruff: noqa: F811

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from api.app import create_app
from api.services.siwe import SiweMessage, compose
from api.settings import ApiSettings
from planet.core.epochs import EPOCH_DURATION
from planet.store import MIRROR, OFFCHAIN, make_engine, migrate
from planet.store.mirror import identities

# Throw-away databases and the anvil deployment fixtures are the indexer tests' own.
from tests.indexer.conftest import (  # noqa: F401
    actors,
    backend,
    database_url,
    make_indexer,
    manifest,
    manifest_file,
    new_database,
    planet,
    postgres_admin,
    rpc_url,
    settings_for,
)

CHAIN_ID = 31337
DOMAIN = "planet.test"
SECRET = "s" * 40
START = 1_900_000_000  # a fixed "now" for tests that do not touch the chain
GENESIS = START - 3 * EPOCH_DURATION
POINTS = "0x" + "ab" * 20


class Clock:
    """The app's clock; tests move it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    """The shared database: the indexer's tables and the API's, both migrated."""
    engine = make_engine(database_url)
    migrate(engine, MIRROR)
    migrate(engine, OFFCHAIN)
    yield engine
    engine.dispose()


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


_tokens = itertools.count(1)


@dataclass
class Member:
    """A wallet, its mirrored identity (if any) and its session headers."""

    account: LocalAccount
    token_id: int | None
    handle: str | None
    headers: dict[str, str]

    @property
    def address(self) -> str:
        return self.account.address.lower()


def siwe_text(
    address: str,
    nonce: str,
    issued_at: int,
    domain: str = DOMAIN,
    chain_id: int = CHAIN_ID,
    **extra: object,
) -> str:
    return compose(
        SiweMessage(
            domain=domain,
            address=address,
            statement="Sign in to Planet.",
            uri=f"https://{domain}/login",
            version="1",
            chain_id=chain_id,
            nonce=nonce,
            issued_at=datetime.fromtimestamp(issued_at, tz=UTC),
            **extra,  # type: ignore[arg-type]
        )
    )


def sign(account: LocalAccount, text: str) -> str:
    return "0x" + account.sign_message(encode_defunct(text=text)).signature.hex()


def sign_in(client: TestClient, account: LocalAccount) -> dict[str, str]:
    nonce = client.post("/auth/nonce").json()["nonce"]
    text = siwe_text(account.address, nonce, int(client.app.state.clock()))
    reply = client.post("/auth/verify", json={"message": text, "signature": sign(account, text)})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def add_identity(
    engine: Engine, address: str, handle: str, metadata_hash: str = "0x" + "00" * 32, **kw: object
) -> int:
    """An identity row as the indexer writes it for a registration."""
    token_id = next(_tokens)
    row = {
        "chain_id": CHAIN_ID,
        "token_id": token_id,
        "owner": address.lower(),
        "handle": handle.lower(),
        "metadata_uri": f"https://{DOMAIN}/profiles/{handle}/persona",
        "metadata_hash": metadata_hash,
        "recovery": "0x" + "00" * 20,
        "verified": False,
        "labels": 0,
        "relayer": address.lower(),
        "registered_block": 1,
        "registered_tx": "0x" + "11" * 32,
        "updated_block": 1,
    }
    row.update(kw)
    with engine.begin() as conn:
        conn.execute(insert(identities).values(**row))
    return token_id


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


def error(reply) -> tuple[int, str]:
    """(status, error code) of an error reply, after checking the error shape."""
    body = reply.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return reply.status_code, body["error"]["code"]
