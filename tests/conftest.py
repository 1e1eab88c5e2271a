"""Fixtures for every test: the shared ones come from :mod:`tests.support` (databases, the
session's deployment, hypothesis profiles); here, named roles and Identity and
ContributionPoints deployed once for the contract tests.

ape's pytest plugin starts anvil (ape-foundry) and reverts the chain after every test, so
contracts deployed once per session start clean in each test.
"""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from planet.core.epochs import week_start
from tests.support.protocol import local_key, registration

pytest_plugins = [
    "tests.support.databases",
    "tests.support.deployment",
    "tests.support.profiles",
    "tests.support.rewards",
]


@pytest.fixture(scope="session")
def admin(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def attester(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def verifier(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def risk(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def attester_key(attester) -> LocalAccount:
    return local_key(attester)


@pytest.fixture(scope="session")
def chain_id(chain) -> int:
    return chain.chain_id


@pytest.fixture(scope="session")
def genesis(chain) -> int:
    return week_start(chain.pending_timestamp)


@pytest.fixture(scope="session")
def identity(project, admin, verifier):
    return admin.deploy(project.Identity, admin, verifier)


@pytest.fixture(scope="session")
def points(project, admin, attester, risk, identity, genesis):
    return admin.deploy(project.ContributionPoints, identity, genesis, admin, attester, risk)


@pytest.fixture
def register(identity):
    """Registers an account's identity from its own wallet; returns the token id."""

    def _register(account, handle: str, recovery: str = "0x" + "00" * 20) -> int:
        identity.register(registration(handle, recovery).as_tuple(), sender=account)
        return identity.identityOf(account)

    return _register
