"""Fixtures for CommunityPass: the contract, the currencies it is tested with, a registered
creator, and helpers that create a pass and buy it with the exact payment.
"""

from __future__ import annotations

import pytest

from planet.core.passes import NATIVE, PassTerms

FEE_BPS = 500
PRICE = 10**15
DAY = 24 * 60 * 60
MONTH = 30 * DAY


@pytest.fixture(scope="session")
def treasury(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def community_pass(project, admin, identity, points, treasury):
    return admin.deploy(project.CommunityPass, identity, points, admin, treasury, FEE_BPS)


@pytest.fixture(scope="session")
def token(project, admin):
    return admin.deploy(project.MockERC20, "Tether USD", "USDT", 6)


@pytest.fixture(scope="session")
def no_return_token(project, admin):
    return admin.deploy(project.NoReturnERC20)


@pytest.fixture(scope="session")
def fee_token(project, admin):
    return admin.deploy(project.FeeOnTransferERC20)


@pytest.fixture(scope="session")
def reentrant_token(project, admin):
    return admin.deploy(project.PassReentrantERC20)


@pytest.fixture
def creator(alice, register):
    """Alice, with the Planet identity a creator needs."""
    register(alice, "alice")
    return alice


def _terms(**overrides) -> PassTerms:
    values = {
        "currency": NATIVE,
        "price": PRICE,
        "max_supply": 100,
        "wallet_limit": 5,
        "uri": "ipfs://pass/meta.json",
    }
    values.update(overrides)
    return PassTerms(**values)


# The test package is named `pass`, a Python keyword, so test modules cannot import from here:
# helpers reach them as fixtures.


@pytest.fixture(scope="session")
def terms():
    """Builds terms: a lifetime, soulbound pass at PRICE in native OKB unless told otherwise."""
    return _terms


@pytest.fixture(scope="session")
def subscription():
    """Builds terms of a monthly native subscription unless told otherwise."""

    def _subscription(**overrides) -> PassTerms:
        return _terms(**{"duration": MONTH, "wallet_limit": 1, **overrides})

    return _subscription


@pytest.fixture
def create(community_pass, creator):
    """Creates a pass from `creator` (or `by`); returns its id."""

    def _create(pass_terms: PassTerms | None = None, by=None) -> int:
        community_pass.createPass((pass_terms or _terms()).as_tuple(), sender=by or creator)
        return community_pass.lastPassId()

    return _create


@pytest.fixture
def buy(community_pass):
    """Buys `quantity` of a pass for `to` (default: the payer), paying exactly what it costs:
    native value, or an ERC-20 minted to and approved by the payer first."""

    def _buy(payer, pass_id: int, quantity: int = 1, to=None, token=None):
        price = community_pass.passes(pass_id).price
        cost = price * quantity
        if token is None:
            return community_pass.mint(
                pass_id, to or payer, quantity, price, sender=payer, value=cost
            )
        token.mint(payer, cost, sender=payer)
        token.approve(community_pass, cost, sender=payer)
        return community_pass.mint(pass_id, to or payer, quantity, price, sender=payer)

    return _buy


@pytest.fixture
def renew(community_pass):
    """Renews `holder`'s subscription for `periods`, paid in native OKB by `payer`."""

    def _renew(payer, pass_id: int, periods: int = 1, holder=None):
        price = community_pass.passes(pass_id).price
        return community_pass.renew(
            pass_id, holder or payer, periods, price, sender=payer, value=price * periods
        )

    return _renew
