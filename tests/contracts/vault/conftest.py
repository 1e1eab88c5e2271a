"""Prize vault fixtures: a USDT-like (6 decimals) vault, a native-OKB vault, and a small driver
that funds epochs, publishes OpenZeppelin-built trees and moves time like a week of operations.

Both vaults take their weeks from the shared ``points`` contract (tests/conftest.py), with a one
day challenge period and a four week claim window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.oz_merkle import OzTree, build_tree

ZERO_ADDRESS = "0x" + "00" * 20
HOUR = 60 * 60
DAY = 24 * HOUR
WEEK = 7 * DAY
CHALLENGE = DAY
WINDOW_WEEKS = 4
USDT = 10**6
OKB = 10**18


@pytest.fixture(scope="session")
def distributor(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def guardian(accounts):
    return accounts[8]


@pytest.fixture(scope="session")
def usdt(project, admin):
    return admin.deploy(project.MockERC20, "Tether USD", "USDT", 6)


@pytest.fixture(scope="session")
def deploy_vault(project, admin, points, distributor, guardian):
    """Deploys a PrizeVault on the points calendar; keyword arguments override the defaults."""

    def _deploy(asset: Any = ZERO_ADDRESS, **overrides: Any) -> Any:
        args = {
            "epochSource": points,
            "asset": asset,
            "challengePeriod": CHALLENGE,
            "claimWindowWeeks": WINDOW_WEEKS,
            "admin": admin,
            "distributor": distributor,
            "guardian": guardian,
        } | overrides
        return admin.deploy(project.PrizeVault, *args.values())

    return _deploy


@pytest.fixture(scope="session")
def vault(deploy_vault, usdt):
    return deploy_vault(usdt)


@pytest.fixture(scope="session")
def native_vault(deploy_vault):
    return deploy_vault(ZERO_ADDRESS)


@dataclass
class VaultDriver:
    """What operators and users do to one vault, in the terms tests speak."""

    vault: Any
    token: Any  # None for a native vault
    chain: Any
    funder: Any
    distributor: Any

    @property
    def epoch(self) -> int:
        return self.vault.currentEpoch()

    def fund(self, epoch: int, amount: int, funder: Any = None) -> Any:
        funder = funder or self.funder
        if self.token is None:
            return self.vault.fund(epoch, amount, value=amount, sender=funder)
        self.token.mint(funder, amount, sender=funder)
        self.token.approve(self.vault, amount, sender=funder)
        return self.vault.fund(epoch, amount, sender=funder)

    def travel(self, seconds: int) -> None:
        self.chain.pending_timestamp = self.chain.blocks.head.timestamp + seconds
        self.chain.mine()

    def travel_to(self, timestamp: int) -> None:
        if timestamp > self.chain.blocks.head.timestamp:
            self.chain.pending_timestamp = timestamp
            self.chain.mine()

    def end_epoch(self, epoch: int) -> None:
        """Moves time to the first second after ``epoch`` (no-op if already later)."""
        self.travel_to(self.vault.epochStart(epoch + 1))

    def propose(self, epoch: int, rewards: dict[Any, int], total: int | None = None) -> OzTree:
        tree = build_tree(rewards.items())
        total = sum(rewards.values()) if total is None else total
        uri = f"ipfs://planet/distributions/{epoch}.json"
        self.vault.proposeRoot(
            epoch, tree.root, total, uri, tree.file_hash(), sender=self.distributor
        )
        return tree

    def pass_challenge(self) -> None:
        self.travel(CHALLENGE)

    def ready_epoch(self, rewards: dict[Any, int], funded: int | None = None) -> tuple[int, OzTree]:
        """Funds the current epoch, ends it, proposes ``rewards`` and waits out the challenge
        period: the state in which users claim."""
        epoch = self.epoch
        self.fund(epoch, sum(rewards.values()) if funded is None else funded)
        self.end_epoch(epoch)
        tree = self.propose(epoch, rewards)
        self.pass_challenge()
        return epoch, tree

    def claim(self, epoch: int, tree: OzTree, account: Any, sender: Any = None) -> Any:
        return self.vault.claim(
            epoch, account, tree.amount(account), tree.proof(account), sender=sender or account
        )

    def balance(self, account: Any) -> int:
        if self.token is None:
            return self.chain.provider.get_balance(str(getattr(account, "address", account)))
        return self.token.balanceOf(account)


@pytest.fixture
def usdt_vault(vault, usdt, chain, carol, distributor) -> VaultDriver:
    return VaultDriver(vault, usdt, chain, carol, distributor)


@pytest.fixture
def okb_vault(native_vault, chain, carol, distributor) -> VaultDriver:
    return VaultDriver(native_vault, None, chain, carol, distributor)
