"""Rollover: once an epoch's claim window has closed, anyone moves what nobody claimed into a
later pool that is not final, and the epoch takes no more claims."""

import ape

from .conftest import CHALLENGE, USDT, WEEK, WINDOW_WEEKS


def test_the_unclaimed_remainder_rolls_into_a_later_epoch(usdt_vault, vault, usdt, alice, bob):
    epoch, tree = usdt_vault.ready_epoch({alice: 6 * USDT, bob: 4 * USDT}, funded=15 * USDT)
    usdt_vault.claim(epoch, tree, alice)
    usdt_vault.travel_to(vault.claimWindowClosesAt(epoch))
    target = usdt_vault.epoch
    receipt = vault.sweep(epoch, target, sender=bob)
    [event] = receipt.events.filter(vault.Swept)
    assert (event.fromEpoch, event.toEpoch, event.amount, event.caller) == (
        epoch,
        target,
        9 * USDT,
        bob,
    )
    source = vault.epochInfo(epoch)
    assert source.payout.swept and source.pool.sweptOut == 9 * USDT
    assert vault.epochInfo(target).pool.funded == 9 * USDT
    assert usdt.balanceOf(vault) == 9 * USDT  # nothing left the vault


def test_claims_stop_after_a_sweep(usdt_vault, vault, alice, bob):
    epoch, tree = usdt_vault.ready_epoch({alice: 6 * USDT, bob: 4 * USDT})
    usdt_vault.travel_to(vault.claimWindowClosesAt(epoch))
    vault.sweep(epoch, usdt_vault.epoch, sender=bob)
    assert not vault.isClaimable(epoch)
    with ape.reverts(vault.VaultEpochSwept, epoch=epoch):
        usdt_vault.claim(epoch, tree, alice)


def test_the_window_of_a_rooted_epoch_counts_from_when_its_root_became_claimable(
    usdt_vault, vault, alice
):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.end_epoch(epoch)
    usdt_vault.travel(3 * 24 * 60 * 60)  # the root comes three days after the week ended
    usdt_vault.propose(epoch, {alice: USDT})
    claimable_at = vault.epochInfo(epoch).payout.claimableAt
    closes_at = claimable_at + WINDOW_WEEKS * WEEK
    assert vault.claimWindowClosesAt(epoch) == closes_at
    usdt_vault.travel_to(closes_at - 2)
    with ape.reverts(vault.VaultClaimWindowOpen, epoch=epoch, closesAt=closes_at):
        vault.sweep(epoch, usdt_vault.epoch, sender=alice)
    usdt_vault.travel_to(closes_at)
    vault.sweep(epoch, usdt_vault.epoch, sender=alice)


def test_an_epoch_that_never_got_a_root_is_swept_a_window_after_it_ended(usdt_vault, vault, bob):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 5 * USDT)
    closes_at = vault.epochStart(epoch + 1) + WINDOW_WEEKS * WEEK
    assert vault.claimWindowClosesAt(epoch) == closes_at
    usdt_vault.travel_to(closes_at - 2)
    with ape.reverts(vault.VaultClaimWindowOpen, epoch=epoch, closesAt=closes_at):
        vault.sweep(epoch, usdt_vault.epoch, sender=bob)
    usdt_vault.travel_to(closes_at)
    vault.sweep(epoch, usdt_vault.epoch, sender=bob)
    assert vault.epochInfo(usdt_vault.epoch).pool.funded == 5 * USDT


def test_a_vetoed_epoch_is_swept_like_one_without_root(usdt_vault, vault, guardian, alice, bob):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 5 * USDT)
    usdt_vault.end_epoch(epoch)
    usdt_vault.propose(epoch, {alice: 5 * USDT})
    vault.veto(epoch, "bad file", sender=guardian)
    assert vault.claimWindowClosesAt(epoch) == vault.epochStart(epoch + 1) + WINDOW_WEEKS * WEEK
    usdt_vault.travel_to(vault.claimWindowClosesAt(epoch))
    vault.sweep(epoch, usdt_vault.epoch, sender=bob)


def test_a_pending_root_holds_the_sweep_back_until_its_own_window_closed(usdt_vault, vault, alice):
    # Proposed just before the rootless deadline: the window now runs from its claimableAt.
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    rootless_close = vault.epochStart(epoch + 1) + WINDOW_WEEKS * WEEK
    usdt_vault.travel_to(rootless_close - 60)
    usdt_vault.propose(epoch, {alice: USDT})
    usdt_vault.travel_to(rootless_close)
    closes_at = vault.claimWindowClosesAt(epoch)
    assert closes_at > rootless_close + CHALLENGE
    with ape.reverts(vault.VaultClaimWindowOpen, epoch=epoch, closesAt=closes_at):
        vault.sweep(epoch, usdt_vault.epoch, sender=alice)


def test_a_sweep_goes_forward_and_no_further_than_the_current_epoch(usdt_vault, vault, bob):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.travel_to(vault.claimWindowClosesAt(epoch))
    now = usdt_vault.epoch
    for target in (epoch, epoch - 1 if epoch else epoch, now + 1):
        with ape.reverts(vault.VaultBadSweepTarget, fromEpoch=epoch, toEpoch=target):
            vault.sweep(epoch, target, sender=bob)
    vault.sweep(epoch, epoch + 1, sender=bob)  # an ended, unrooted later week is fine
    assert vault.epochInfo(epoch + 1).pool.funded == USDT


def test_a_sweep_into_a_finalized_epoch_is_rejected(usdt_vault, vault, alice, bob):
    old = usdt_vault.epoch
    usdt_vault.fund(old, USDT)
    usdt_vault.end_epoch(old)
    later, _ = usdt_vault.ready_epoch({alice: USDT})  # later's root is claimable: final
    usdt_vault.travel_to(vault.claimWindowClosesAt(old))
    with ape.reverts(vault.VaultEpochFinalized, epoch=later):
        vault.sweep(old, later, sender=bob)


def test_an_epoch_is_swept_once(usdt_vault, vault, bob):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.travel_to(vault.claimWindowClosesAt(epoch))
    vault.sweep(epoch, usdt_vault.epoch, sender=bob)
    with ape.reverts(vault.VaultEpochSwept, epoch=epoch):
        vault.sweep(epoch, usdt_vault.epoch, sender=bob)


def test_a_fully_claimed_epoch_has_nothing_to_sweep(usdt_vault, vault, alice, bob):
    epoch, tree = usdt_vault.ready_epoch({alice: USDT})
    usdt_vault.claim(epoch, tree, alice)
    usdt_vault.travel_to(vault.claimWindowClosesAt(epoch))
    with ape.reverts(vault.VaultNothingToSweep, epoch=epoch):
        vault.sweep(epoch, usdt_vault.epoch, sender=bob)


def test_swept_funds_pay_out_under_the_target_epoch_root(usdt_vault, vault, alice, bob, carol):
    old, _ = usdt_vault.ready_epoch({alice: 7 * USDT})  # alice never claims
    usdt_vault.travel_to(vault.claimWindowClosesAt(old))
    target = usdt_vault.epoch
    vault.sweep(old, target, sender=carol)
    usdt_vault.fund(target, 3 * USDT)
    usdt_vault.end_epoch(target)
    tree = usdt_vault.propose(target, {bob: 10 * USDT})
    usdt_vault.pass_challenge()
    usdt_vault.claim(target, tree, bob)
    assert usdt_vault.balance(bob) == 10 * USDT
    assert usdt_vault.balance(vault) == 0


def test_leftovers_cannot_be_swept_into_an_epoch_whose_root_is_pending(
    usdt_vault, vault, alice, bob
):
    """Finding: a sweep into an epoch with a pending root parked the money behind that root's
    claim window, about twelve more weeks."""
    old = usdt_vault.epoch
    usdt_vault.fund(old, 5 * USDT)
    usdt_vault.travel_to(vault.claimWindowClosesAt(old))
    pending = usdt_vault.epoch
    usdt_vault.fund(pending, USDT)
    usdt_vault.end_epoch(pending)
    usdt_vault.propose(pending, {alice: USDT})
    with ape.reverts(vault.VaultSweepTargetHasRoot, epoch=pending):
        vault.sweep(old, pending, sender=bob)
    vault.sweep(old, usdt_vault.epoch, sender=bob)
    assert vault.epochInfo(usdt_vault.epoch).pool.funded == 5 * USDT
