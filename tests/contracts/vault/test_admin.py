"""Deployment, roles and pause: the vault counts weeks exactly as the points contract does, a
guardian stops it, and only the admin restarts it."""

import ape
import pytest

from .conftest import CHALLENGE, DAY, USDT, WEEK, WINDOW_WEEKS, ZERO_ADDRESS


def test_weeks_are_the_points_contract_weeks(vault, native_vault, points):
    for v in (vault, native_vault):
        assert v.GENESIS() == points.GENESIS()
        assert v.EPOCH_DURATION() == points.EPOCH_DURATION()
        assert v.currentEpoch() == points.currentEpoch()
        assert v.epochStart(9) == points.epochStart(9)
        assert v.EPOCH_SOURCE() == points.address


def test_deployment_records_settings_and_role_holders(vault, admin, distributor, guardian):
    assert vault.CHALLENGE_PERIOD() == CHALLENGE
    assert vault.CLAIM_WINDOW() == WINDOW_WEEKS * WEEK
    assert vault.hasRole(vault.DEFAULT_ADMIN_ROLE(), admin)
    assert vault.hasRole(vault.DISTRIBUTOR_ROLE(), distributor)
    assert vault.hasRole(vault.GUARDIAN_ROLE(), guardian)
    assert not vault.paused()


@pytest.mark.parametrize(
    "override",
    [
        {"admin": ZERO_ADDRESS},
        {"distributor": ZERO_ADDRESS},
        {"guardian": ZERO_ADDRESS},
        {"asset": "0x000000000000000000000000000000000000dEaD"},  # no code: not a token
        {"challengePeriod": 0},
        {"challengePeriod": 30 * DAY + 1},
        {"claimWindowWeeks": 0},
    ],
)
def test_deployment_rejects_unusable_settings(deploy_vault, project, override):
    with ape.reverts(project.PrizeVault.VaultBadConfig):
        deploy_vault(**override)


def test_guardian_pause_stops_funding_claims_and_sweeps(
    usdt_vault, vault, usdt, guardian, alice, bob
):
    epoch, tree = usdt_vault.ready_epoch({alice: USDT})
    old = usdt_vault.epoch
    usdt_vault.fund(old, USDT)
    usdt_vault.travel_to(vault.claimWindowClosesAt(old))
    usdt.mint(bob, USDT, sender=bob)
    usdt.approve(vault, USDT, sender=bob)
    receipt = vault.pause(sender=guardian)
    assert receipt.events.filter(vault.Paused)[0].account == guardian
    with ape.reverts(vault.EnforcedPause):
        vault.fund(usdt_vault.epoch, USDT, sender=bob)
    with ape.reverts(vault.EnforcedPause):
        usdt_vault.claim(epoch, tree, alice)
    with ape.reverts(vault.EnforcedPause):
        vault.claimMany([epoch], alice, [USDT], [tree.proof(alice)], sender=alice)
    with ape.reverts(vault.EnforcedPause):
        vault.sweep(old, usdt_vault.epoch, sender=bob)


def test_roots_can_be_proposed_and_vetoed_while_paused(usdt_vault, vault, guardian, alice):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.end_epoch(epoch)
    vault.pause(sender=guardian)
    usdt_vault.propose(epoch, {alice: USDT})
    vault.veto(epoch, "checking during the incident", sender=guardian)


def test_only_a_guardian_pauses(vault, admin, distributor):
    for who in (admin, distributor):
        with ape.reverts(vault.AccessControlUnauthorizedAccount, account=who):
            vault.pause(sender=who)


def test_only_the_admin_unpauses_and_claims_resume(usdt_vault, vault, admin, guardian, alice):
    epoch, tree = usdt_vault.ready_epoch({alice: USDT})
    vault.pause(sender=guardian)
    with ape.reverts(vault.AccessControlUnauthorizedAccount, account=guardian):
        vault.unpause(sender=guardian)
    receipt = vault.unpause(sender=admin)
    assert receipt.events.filter(vault.Unpaused)[0].account == admin
    usdt_vault.claim(epoch, tree, alice)
    assert usdt_vault.balance(alice) == USDT


def test_pausing_twice_or_unpausing_a_running_vault_is_rejected(vault, admin, guardian):
    with ape.reverts(vault.ExpectedPause):
        vault.unpause(sender=admin)
    vault.pause(sender=guardian)
    with ape.reverts(vault.EnforcedPause):
        vault.pause(sender=guardian)
