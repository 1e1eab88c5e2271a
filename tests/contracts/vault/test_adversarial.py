"""Hostile tokens and claimants: re-entry from a token transfer or a native payment is refused
by the lock, fee-on-transfer tokens are refused at funding, and USDT-style tokens that return
nothing work."""

import ape
import pytest
from eth_utils import keccak

from .conftest import OKB, USDT, VaultDriver

REENTRANT_CALL = keccak(text="ReentrancyGuardReentrantCall()")[:4]


@pytest.fixture
def hostile_token(project, admin):
    return admin.deploy(project.VaultReentrantERC20)


@pytest.fixture
def hostile_vault(deploy_vault, hostile_token, chain, carol, distributor) -> VaultDriver:
    return VaultDriver(deploy_vault(hostile_token), hostile_token, chain, carol, distributor)


@pytest.fixture
def receiver(project, admin):
    return admin.deploy(project.VaultReentrantReceiver)


def _sweepable_epoch(driver: VaultDriver) -> int:
    """An epoch with funds and no root whose window has closed, ready to be swept."""
    epoch = driver.epoch
    driver.fund(epoch, USDT)
    driver.travel_to(driver.vault.claimWindowClosesAt(epoch))
    return epoch


def _assert_blocked(attacker) -> None:
    assert not attacker.reentrySucceeded()
    assert bytes(attacker.reentryResult())[:4] == REENTRANT_CALL


@pytest.mark.parametrize("reentry", ["claim", "claimMany", "sweep"])
def test_a_token_reentering_the_vault_during_a_claim_is_refused(
    hostile_vault, hostile_token, alice, bob, reentry
):
    vault = hostile_vault.vault
    old = _sweepable_epoch(hostile_vault)
    epoch, tree = hostile_vault.ready_epoch({alice: 3 * USDT, bob: 4 * USDT})
    payload = {
        "claim": lambda: vault.claim.encode_input(epoch, bob, 4 * USDT, tree.proof(bob)),
        "claimMany": lambda: vault.claimMany.encode_input(
            [epoch], bob, [4 * USDT], [tree.proof(bob)]
        ),
        "sweep": lambda: vault.sweep.encode_input(old, hostile_vault.epoch),
    }[reentry]()
    hostile_token.arm(vault, payload, sender=alice)
    hostile_vault.claim(epoch, tree, alice)
    _assert_blocked(hostile_token)
    assert hostile_token.balanceOf(alice) == 3 * USDT
    assert not vault.isClaimed(epoch, bob) and hostile_token.balanceOf(bob) == 0
    assert not vault.epochInfo(old).payout.swept


def test_a_token_reentering_fund_during_funding_is_refused(hostile_vault, hostile_token, bob):
    vault = hostile_vault.vault
    epoch = hostile_vault.epoch
    hostile_token.mint(bob, USDT, sender=bob)
    hostile_token.approve(vault, USDT, sender=bob)
    hostile_token.arm(vault, vault.fund.encode_input(epoch, 1), sender=bob)
    hostile_vault.fund(epoch, 2 * USDT)
    _assert_blocked(hostile_token)
    assert vault.epochInfo(epoch).pool.funded == 2 * USDT


@pytest.mark.parametrize("reentry", ["claim", "claimMany", "sweep"])
def test_a_native_claimant_reentering_from_receive_is_refused(
    okb_vault, native_vault, receiver, alice, bob, reentry
):
    old = _sweepable_epoch(okb_vault)
    epoch, tree = okb_vault.ready_epoch({receiver.address: 2 * OKB, bob: OKB})
    payload = {
        "claim": lambda: native_vault.claim.encode_input(epoch, bob, OKB, tree.proof(bob)),
        "claimMany": lambda: native_vault.claimMany.encode_input(
            [epoch], receiver, [2 * OKB], [tree.proof(receiver)]
        ),
        "sweep": lambda: native_vault.sweep.encode_input(old, okb_vault.epoch),
    }[reentry]()
    receiver.arm(native_vault, payload, sender=alice)
    okb_vault.claim(epoch, tree, receiver.address, sender=alice)
    _assert_blocked(receiver)
    assert (receiver.payments(), receiver.received()) == (1, 2 * OKB)
    assert not native_vault.isClaimed(epoch, bob)
    assert not native_vault.epochInfo(old).payout.swept


def test_a_fee_on_transfer_token_is_refused_at_funding(deploy_vault, project, admin, bob):
    token = admin.deploy(project.FeeOnTransferERC20)
    vault = deploy_vault(token)
    token.mint(bob, 100 * USDT, sender=bob)
    token.approve(vault, 100 * USDT, sender=bob)
    with ape.reverts(vault.VaultFeeOnTransfer, expected=100 * USDT, received=99 * USDT):
        vault.fund(vault.currentEpoch(), 100 * USDT, sender=bob)


def test_a_token_returning_nothing_funds_and_pays(
    deploy_vault, project, admin, chain, carol, distributor, alice
):
    token = admin.deploy(project.NoReturnERC20)
    driver = VaultDriver(deploy_vault(token), token, chain, carol, distributor)
    epoch, tree = driver.ready_epoch({alice: 5 * USDT})
    assert token.balanceOf(driver.vault) == 5 * USDT
    driver.claim(epoch, tree, alice)
    assert token.balanceOf(alice) == 5 * USDT
    assert token.balanceOf(driver.vault) == 0
