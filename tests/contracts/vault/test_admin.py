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


def _timestamp(chain, receipt) -> int:
    return chain.blocks[receipt.block_number].timestamp


def test_time_paused_does_not_count_against_claimants(
    usdt_vault, vault, chain, admin, guardian, alice, bob
):
    """Finding: the window kept running while paused, so an unpause, a third party's sweep and
    the winner's claim in one block sent her prize to a later pool. Now a pause that begins 100
    seconds before the window closes leaves those 100 seconds after the unpause."""
    epoch, tree = usdt_vault.ready_epoch({alice: 6 * USDT})
    closes_at = vault.claimWindowClosesAt(epoch)
    usdt_vault.travel_to(closes_at - 100)
    paused_at = _timestamp(chain, vault.pause(sender=guardian))
    usdt_vault.travel(10 * DAY)
    assert vault.claimWindowClosesAt(epoch) == closes_at + chain.blocks.head.timestamp - paused_at
    unpaused_at = _timestamp(chain, vault.unpause(sender=admin))
    moved = closes_at + (unpaused_at - paused_at)
    assert vault.claimWindowClosesAt(epoch) == moved
    assert moved - unpaused_at == closes_at - paused_at  # as long left as when the pause began
    with ape.reverts(vault.VaultClaimWindowOpen, epoch=epoch, closesAt=moved):
        vault.sweep(epoch, usdt_vault.epoch, sender=bob)
    usdt_vault.claim(epoch, tree, alice)
    assert usdt_vault.balance(alice) == 6 * USDT
    usdt_vault.travel_to(moved)
    with ape.reverts(vault.VaultNothingToSweep, epoch=epoch):
        vault.sweep(epoch, usdt_vault.epoch, sender=bob)


def test_pauses_add_up_and_count_only_after_the_root(
    usdt_vault, vault, chain, admin, guardian, alice
):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.end_epoch(epoch)
    vault.pause(sender=guardian)  # before the root: claimants lose nothing to it
    usdt_vault.travel(DAY)
    vault.unpause(sender=admin)
    usdt_vault.propose(epoch, {alice: USDT})
    closes_at = vault.claimWindowClosesAt(epoch)
    assert closes_at == vault.epochInfo(epoch).payout.claimableAt + WINDOW_WEEKS * WEEK
    total = 0
    for _ in range(2):
        start = _timestamp(chain, vault.pause(sender=guardian))
        usdt_vault.travel(3 * DAY)
        total += _timestamp(chain, vault.unpause(sender=admin)) - start
    assert vault.claimWindowClosesAt(epoch) == closes_at + total
