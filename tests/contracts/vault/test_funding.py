"""Funding: anyone adds to any pool that is not final yet, in exactly the vault's asset."""

import ape

from .conftest import OKB, USDT, ZERO_ADDRESS


def test_anyone_funds_an_epoch_and_the_tokens_move_into_the_vault(usdt_vault, vault, usdt, bob):
    epoch = usdt_vault.epoch
    receipt = usdt_vault.fund(epoch, 100 * USDT, funder=bob)
    assert usdt.balanceOf(vault) == 100 * USDT
    assert usdt.balanceOf(bob) == 0
    assert vault.epochInfo(epoch).pool.funded == 100 * USDT
    [event] = receipt.events.filter(vault.Funded)
    assert (event.epoch, event.funder, event.amount, event.funded) == (
        epoch,
        bob,
        100 * USDT,
        100 * USDT,
    )


def test_funding_adds_up_across_funders(usdt_vault, vault, alice, bob):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 100 * USDT, funder=alice)
    receipt = usdt_vault.fund(epoch, 50 * USDT, funder=bob)
    assert vault.epochInfo(epoch).pool.funded == 150 * USDT
    assert receipt.events.filter(vault.Funded)[0].funded == 150 * USDT


def test_future_and_ended_epochs_without_final_root_can_be_funded(usdt_vault, vault):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch + 3, USDT)
    usdt_vault.end_epoch(epoch)
    usdt_vault.fund(epoch, USDT)
    assert vault.epochInfo(epoch + 3).pool.funded == vault.epochInfo(epoch).pool.funded == USDT


def test_funding_zero_is_rejected(usdt_vault, vault, alice):
    with ape.reverts(vault.VaultZeroAmount):
        vault.fund(usdt_vault.epoch, 0, sender=alice)


def test_native_vault_takes_exactly_the_value_sent(okb_vault, native_vault, alice):
    epoch = okb_vault.epoch
    native_vault.fund(epoch, OKB, value=OKB, sender=alice)
    assert okb_vault.balance(native_vault) == OKB
    assert native_vault.epochInfo(epoch).pool.funded == OKB


def test_native_vault_rejects_a_value_other_than_the_amount(okb_vault, native_vault, alice):
    epoch = okb_vault.epoch
    with ape.reverts(native_vault.VaultWrongValue, expected=OKB, sent=OKB - 1):
        native_vault.fund(epoch, OKB, value=OKB - 1, sender=alice)
    with ape.reverts(native_vault.VaultWrongValue, expected=OKB, sent=OKB + 1):
        native_vault.fund(epoch, OKB, value=OKB + 1, sender=alice)


def test_erc20_vault_rejects_native_value(usdt_vault, vault, usdt, alice):
    usdt.mint(alice, USDT, sender=alice)
    usdt.approve(vault, USDT, sender=alice)
    with ape.reverts(vault.VaultWrongValue, expected=0, sent=1):
        vault.fund(usdt_vault.epoch, USDT, value=1, sender=alice)


def test_plain_okb_transfers_to_the_vault_are_refused(native_vault, alice):
    # No receive(): OKB enters only through fund(), so every wei is booked to an epoch.
    with ape.reverts():
        alice.transfer(native_vault, 1)


def test_an_epoch_with_a_pending_root_can_still_be_topped_up(usdt_vault, vault, alice):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 10 * USDT)
    usdt_vault.end_epoch(epoch)
    usdt_vault.propose(epoch, {alice: 10 * USDT})
    usdt_vault.fund(epoch, 5 * USDT)
    assert vault.epochInfo(epoch).pool.funded == 15 * USDT


def test_an_epoch_whose_root_is_claimable_cannot_be_funded(usdt_vault, vault, alice, bob):
    # Its total is fixed, so new money there could only wait for a sweep: fund a later week.
    epoch, _ = usdt_vault.ready_epoch({alice: 10 * USDT})
    with ape.reverts(vault.VaultEpochFinalized, epoch=epoch):
        usdt_vault.fund(epoch, USDT, funder=bob)


def test_a_swept_epoch_cannot_be_funded(usdt_vault, vault, bob):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.travel_to(vault.claimWindowClosesAt(epoch))
    vault.sweep(epoch, usdt_vault.epoch, sender=bob)
    with ape.reverts(vault.VaultEpochFinalized, epoch=epoch):
        usdt_vault.fund(epoch, USDT, funder=bob)


def test_a_pool_above_2_pow_96_units_is_rejected(usdt_vault, vault, alice):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 2**96 - 1)
    with ape.reverts(vault.VaultAmountOverflow, epoch=epoch, amount=2**96):
        usdt_vault.fund(epoch, 1, funder=alice)


def test_vaults_hold_their_asset(vault, native_vault, usdt):
    assert vault.ASSET() == usdt.address
    assert native_vault.ASSET() == ZERO_ADDRESS


def test_funding_reaches_a_year_ahead_and_no_further(usdt_vault, vault, alice):
    """Finding: money sent to epoch 2**256-1 was locked for good (claimWindowClosesAt
    panicked). Now a pool may be funded at most 52 weeks ahead."""
    latest = usdt_vault.epoch + 52
    usdt_vault.fund(latest, USDT)
    for epoch in (latest + 1, 2**256 - 1):
        with ape.reverts(vault.VaultEpochTooFar, epoch=epoch, latest=latest):
            vault.fund(epoch, USDT, sender=alice)
    assert vault.claimWindowClosesAt(2**256 - 1) == 2**256 - 1
