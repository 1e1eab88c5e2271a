"""Roots: a distributor proposes one per ended week, within the week's funds; it becomes
claimable after the challenge period unless a guardian vetoes it, and only a vetoed root is
ever replaced."""

import ape

from .conftest import CHALLENGE, USDT

ROOT = b"\x11" * 32
FILE_HASH = b"\x22" * 32
URI = "ipfs://planet/distributions/week.json"


def test_distributor_proposes_the_root_of_an_ended_epoch(usdt_vault, vault, distributor):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 100 * USDT)
    usdt_vault.end_epoch(epoch)
    receipt = vault.proposeRoot(epoch, ROOT, 90 * USDT, URI, FILE_HASH, sender=distributor)
    [event] = receipt.events.filter(vault.RootProposed)
    claimable_at = receipt.timestamp + CHALLENGE
    assert (event.epoch, event.root, event.total, event.uri, event.fileHash) == (
        epoch,
        ROOT,
        90 * USDT,
        URI,
        FILE_HASH,
    )
    assert (event.claimableAt, event.distributor) == (claimable_at, distributor)
    info = vault.epochInfo(epoch)
    assert info.root == ROOT
    assert (info.payout.total, info.payout.paid, info.payout.claimableAt) == (
        90 * USDT,
        0,
        claimable_at,
    )
    assert info.payout.status == 1  # Proposed


def test_the_current_or_a_future_epoch_gets_no_root(usdt_vault, vault, distributor):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.fund(epoch + 1, USDT)
    for week in (epoch, epoch + 1):
        with ape.reverts(vault.VaultEpochNotEnded, epoch=week, currentEpoch=epoch):
            vault.proposeRoot(week, ROOT, USDT, URI, FILE_HASH, sender=distributor)


def test_only_the_distributor_proposes(usdt_vault, vault, guardian):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.end_epoch(epoch)
    with ape.reverts(vault.AccessControlUnauthorizedAccount, account=guardian):
        vault.proposeRoot(epoch, ROOT, USDT, URI, FILE_HASH, sender=guardian)


def test_a_zero_root_or_zero_total_is_rejected(usdt_vault, vault, distributor):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.end_epoch(epoch)
    with ape.reverts(vault.VaultZeroRoot):
        vault.proposeRoot(epoch, b"\x00" * 32, USDT, URI, FILE_HASH, sender=distributor)
    with ape.reverts(vault.VaultZeroAmount):
        vault.proposeRoot(epoch, ROOT, 0, URI, FILE_HASH, sender=distributor)


def test_a_total_above_the_epoch_funds_is_rejected(usdt_vault, vault, distributor):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 10 * USDT)
    usdt_vault.end_epoch(epoch)
    with ape.reverts(
        vault.VaultTotalExceedsFunds, epoch=epoch, total=10 * USDT + 1, funded=10 * USDT
    ):
        vault.proposeRoot(epoch, ROOT, 10 * USDT + 1, URI, FILE_HASH, sender=distributor)
    vault.proposeRoot(epoch, ROOT, 10 * USDT, URI, FILE_HASH, sender=distributor)


def test_a_pending_root_cannot_be_replaced(usdt_vault, vault, distributor):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.end_epoch(epoch)
    vault.proposeRoot(epoch, ROOT, USDT, URI, FILE_HASH, sender=distributor)
    with ape.reverts(vault.VaultRootAlreadyProposed, epoch=epoch):
        vault.proposeRoot(epoch, b"\x33" * 32, USDT, URI, FILE_HASH, sender=distributor)


def test_a_claimable_root_cannot_be_replaced(usdt_vault, vault, distributor, alice):
    epoch, _ = usdt_vault.ready_epoch({alice: USDT})
    with ape.reverts(vault.VaultRootAlreadyProposed, epoch=epoch):
        vault.proposeRoot(epoch, ROOT, USDT, URI, FILE_HASH, sender=distributor)


def test_a_root_becomes_claimable_when_the_challenge_period_ends(usdt_vault, vault, alice):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.end_epoch(epoch)
    usdt_vault.propose(epoch, {alice: USDT})
    claimable_at = vault.epochInfo(epoch).payout.claimableAt
    usdt_vault.travel_to(claimable_at - 2)
    assert not vault.isClaimable(epoch)
    usdt_vault.travel_to(claimable_at)
    assert vault.isClaimable(epoch)


def test_guardian_vetoes_a_pending_root(usdt_vault, vault, guardian, alice):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.end_epoch(epoch)
    tree = usdt_vault.propose(epoch, {alice: USDT})
    receipt = vault.veto(epoch, "scores include a sybil ring", sender=guardian)
    [event] = receipt.events.filter(vault.RootVetoed)
    assert (event.epoch, event.root, event.reason, event.guardian) == (
        epoch,
        tree.root,
        "scores include a sybil ring",
        guardian,
    )
    assert vault.epochInfo(epoch).payout.status == 2  # Vetoed
    usdt_vault.pass_challenge()
    assert not vault.isClaimable(epoch)


def test_a_root_past_its_challenge_period_cannot_be_vetoed(usdt_vault, vault, guardian, alice):
    epoch, _ = usdt_vault.ready_epoch({alice: USDT})
    claimable_at = vault.epochInfo(epoch).payout.claimableAt
    with ape.reverts(vault.VaultChallengePeriodOver, epoch=epoch, claimableAt=claimable_at):
        vault.veto(epoch, "too late", sender=guardian)


def test_there_must_be_a_pending_root_to_veto(usdt_vault, vault, guardian, alice):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.end_epoch(epoch)
    with ape.reverts(vault.VaultNoPendingRoot, epoch=epoch):
        vault.veto(epoch, "nothing there", sender=guardian)
    usdt_vault.propose(epoch, {alice: USDT})
    vault.veto(epoch, "first", sender=guardian)
    with ape.reverts(vault.VaultNoPendingRoot, epoch=epoch):
        vault.veto(epoch, "second", sender=guardian)


def test_only_a_guardian_vetoes(usdt_vault, vault, distributor, alice):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.end_epoch(epoch)
    usdt_vault.propose(epoch, {alice: USDT})
    with ape.reverts(vault.AccessControlUnauthorizedAccount, account=distributor):
        vault.veto(epoch, "not mine to veto", sender=distributor)


def test_a_vetoed_epoch_takes_a_new_root_and_only_the_new_one_pays(
    usdt_vault, vault, guardian, alice, bob
):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 10 * USDT)
    usdt_vault.end_epoch(epoch)
    wrong = usdt_vault.propose(epoch, {alice: 10 * USDT})
    vault.veto(epoch, "alice's score is wrong", sender=guardian)
    right = usdt_vault.propose(epoch, {alice: 4 * USDT, bob: 6 * USDT})
    assert vault.epochInfo(epoch).payout.status == 1
    usdt_vault.pass_challenge()
    with ape.reverts(vault.VaultInvalidProof):
        usdt_vault.claim(epoch, wrong, alice)
    usdt_vault.claim(epoch, right, alice)
    usdt_vault.claim(epoch, right, bob)
    assert (usdt_vault.balance(alice), usdt_vault.balance(bob)) == (4 * USDT, 6 * USDT)


def test_a_swept_epoch_takes_no_root(usdt_vault, vault, distributor, bob):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, USDT)
    usdt_vault.travel_to(vault.claimWindowClosesAt(epoch))
    vault.sweep(epoch, usdt_vault.epoch, sender=bob)
    with ape.reverts(vault.VaultEpochSwept, epoch=epoch):
        vault.proposeRoot(epoch, ROOT, USDT, URI, FILE_HASH, sender=distributor)


def test_a_root_proposed_again_after_its_veto_pays_under_its_new_total(
    usdt_vault, vault, guardian, alice, bob
):
    # The vault keeps a payout per (epoch, root) and a claim finds it by the root its proof
    # computes, so the same root proposed twice must start again from nothing paid, under the
    # second proposal's total, and a proof of a vetoed root must never reach a payout.
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 10 * USDT)
    usdt_vault.end_epoch(epoch)
    rewards = {alice: 4 * USDT, bob: 6 * USDT}
    tree = usdt_vault.propose(epoch, rewards, total=10 * USDT)
    vault.veto(epoch, "total too generous", sender=guardian)
    usdt_vault.pass_challenge()
    with ape.reverts(vault.VaultRootVetoed, epoch=epoch):
        usdt_vault.claim(epoch, tree, alice)
    again = usdt_vault.propose(epoch, rewards, total=5 * USDT)
    assert again.root == tree.root
    payout = vault.epochInfo(epoch).payout
    assert (payout.total, payout.paid, payout.status) == (5 * USDT, 0, 1)
    usdt_vault.pass_challenge()
    usdt_vault.claim(epoch, again, alice)
    with ape.reverts(vault.VaultExceedsTotal):
        usdt_vault.claim(epoch, again, bob)
    assert vault.epochInfo(epoch).payout.paid == 4 * USDT


def test_a_swept_epoch_refuses_claims_under_its_root_and_under_a_vetoed_one(
    usdt_vault, vault, guardian, alice, bob
):
    # A sweep closes the epoch for every proof: the claimable root's payout carries the swept
    # flag, and a proof of the root vetoed before it is refused by the current root's state.
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 10 * USDT)
    usdt_vault.end_epoch(epoch)
    vetoed = usdt_vault.propose(epoch, {alice: 10 * USDT})
    vault.veto(epoch, "wrong", sender=guardian)
    current = usdt_vault.propose(epoch, {alice: 3 * USDT, bob: 7 * USDT})
    usdt_vault.pass_challenge()
    usdt_vault.claim(epoch, current, alice)
    usdt_vault.travel_to(vault.claimWindowClosesAt(epoch))
    vault.sweep(epoch, usdt_vault.epoch, sender=bob)
    assert vault.epochInfo(epoch).payout.swept and not vault.isClaimable(epoch)
    for tree, account in ((current, bob), (vetoed, alice)):
        with ape.reverts(vault.VaultEpochSwept, epoch=epoch):
            usdt_vault.claim(epoch, tree, account)
