"""Claiming: the proven amount goes to the proven account once, only under a claimable root,
never past the root's total; claimMany does several weeks in one transfer."""

import ape

from .conftest import OKB, USDT, WEEK


def test_claim_pays_the_account_its_amount_and_records_it(usdt_vault, vault, alice, bob):
    epoch, tree = usdt_vault.ready_epoch({alice: 10 * USDT, bob: 5 * USDT})
    receipt = usdt_vault.claim(epoch, tree, alice)
    assert usdt_vault.balance(alice) == 10 * USDT
    assert vault.isClaimed(epoch, alice) and not vault.isClaimed(epoch, bob)
    assert vault.epochInfo(epoch).payout.paid == 10 * USDT
    [event] = receipt.events.filter(vault.Claimed)
    assert (event.epoch, event.account, event.amount) == (epoch, alice, 10 * USDT)


def test_anyone_may_submit_a_claim_but_only_the_account_is_paid(usdt_vault, alice, bob):
    epoch, tree = usdt_vault.ready_epoch({alice: 10 * USDT})
    usdt_vault.claim(epoch, tree, alice, sender=bob)
    assert usdt_vault.balance(alice) == 10 * USDT
    assert usdt_vault.balance(bob) == 0


def test_a_second_claim_for_the_same_account_and_epoch_is_rejected(usdt_vault, vault, alice, bob):
    epoch, tree = usdt_vault.ready_epoch({alice: 10 * USDT, bob: 5 * USDT})
    usdt_vault.claim(epoch, tree, alice)
    with ape.reverts(vault.VaultAlreadyClaimed, epoch=epoch, account=alice):
        usdt_vault.claim(epoch, tree, alice, sender=bob)


def test_a_claim_for_another_amount_than_the_leaf_is_rejected(usdt_vault, vault, alice, bob):
    epoch, tree = usdt_vault.ready_epoch({alice: 10 * USDT, bob: 5 * USDT})
    with ape.reverts(vault.VaultInvalidProof, epoch=epoch, account=alice, amount=11 * USDT):
        vault.claim(epoch, alice, 11 * USDT, tree.proof(alice), sender=alice)


def test_a_proof_presented_for_another_account_is_rejected(usdt_vault, vault, alice, bob):
    epoch, tree = usdt_vault.ready_epoch({alice: 10 * USDT, bob: 10 * USDT})
    with ape.reverts(vault.VaultInvalidProof):
        vault.claim(epoch, bob, 10 * USDT, tree.proof(alice), sender=bob)


def test_a_proof_from_another_epoch_is_rejected(usdt_vault, vault, alice, bob):
    first, tree1 = usdt_vault.ready_epoch({alice: 10 * USDT, bob: 1 * USDT})
    second, _ = usdt_vault.ready_epoch({alice: 20 * USDT, bob: 2 * USDT})
    with ape.reverts(vault.VaultInvalidProof):
        vault.claim(second, alice, 10 * USDT, tree1.proof(alice), sender=alice)
    assert not vault.isClaimed(first, alice)


def test_claims_wait_for_the_challenge_period(usdt_vault, vault, alice):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 10 * USDT)
    usdt_vault.end_epoch(epoch)
    tree = usdt_vault.propose(epoch, {alice: 10 * USDT})
    claimable_at = vault.epochInfo(epoch).payout.claimableAt
    assert not vault.isClaimable(epoch)
    with ape.reverts(vault.VaultRootNotReady, epoch=epoch, claimableAt=claimable_at):
        usdt_vault.claim(epoch, tree, alice)
    usdt_vault.travel_to(claimable_at)
    assert vault.isClaimable(epoch)
    usdt_vault.claim(epoch, tree, alice)


def test_an_epoch_without_root_takes_no_claim(usdt_vault, vault, alice):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 10 * USDT)
    usdt_vault.end_epoch(epoch)
    with ape.reverts(vault.VaultNoRoot, epoch=epoch):
        vault.claim(epoch, alice, 10 * USDT, [], sender=alice)


def test_a_vetoed_root_takes_no_claim(usdt_vault, vault, guardian, alice):
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 10 * USDT)
    usdt_vault.end_epoch(epoch)
    tree = usdt_vault.propose(epoch, {alice: 10 * USDT})
    vault.veto(epoch, "wash trading in the scores", sender=guardian)
    usdt_vault.pass_challenge()
    with ape.reverts(vault.VaultRootVetoed, epoch=epoch):
        usdt_vault.claim(epoch, tree, alice)


def test_claims_stop_at_the_root_total_even_if_the_tree_holds_more(usdt_vault, vault, alice, bob):
    # A faulty tree: its leaves add up to 15 but the root was proposed with a total of 12.
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 15 * USDT)
    usdt_vault.end_epoch(epoch)
    tree = usdt_vault.propose(epoch, {alice: 10 * USDT, bob: 5 * USDT}, total=12 * USDT)
    usdt_vault.pass_challenge()
    usdt_vault.claim(epoch, tree, alice)
    with ape.reverts(
        vault.VaultExceedsTotal, epoch=epoch, paid=10 * USDT, amount=5 * USDT, total=12 * USDT
    ):
        usdt_vault.claim(epoch, tree, bob)
    assert vault.epochInfo(epoch).payout.paid == 10 * USDT


def test_a_claim_marks_only_its_own_epoch(usdt_vault, vault, alice):
    first, tree1 = usdt_vault.ready_epoch({alice: 1 * USDT})
    second, tree2 = usdt_vault.ready_epoch({alice: 2 * USDT})
    usdt_vault.claim(second, tree2, alice)
    assert vault.isClaimed(second, alice) and not vault.isClaimed(first, alice)
    usdt_vault.claim(first, tree1, alice)
    assert usdt_vault.balance(alice) == 3 * USDT


def test_claimed_flags_stay_apart_across_a_256_week_word_boundary(usdt_vault, vault, alice):
    # Epochs 255 and 256 sit in different bitmap words; both are funded after the fact.
    usdt_vault.travel_to(vault.epochStart(257))
    trees = {}
    for epoch in (255, 256):
        usdt_vault.fund(epoch, 7 * USDT)
        trees[epoch] = usdt_vault.propose(epoch, {alice: 7 * USDT})
    usdt_vault.pass_challenge()
    usdt_vault.claim(256, trees[256], alice)
    assert vault.isClaimed(256, alice) and not vault.isClaimed(255, alice)
    assert not vault.isClaimed(0, alice)
    usdt_vault.claim(255, trees[255], alice)
    assert vault.isClaimed(255, alice)


def test_claim_many_pays_every_epoch_in_one_transfer(usdt_vault, vault, usdt, alice, bob):
    weeks = [usdt_vault.ready_epoch({alice: (i + 1) * USDT, bob: USDT}) for i in range(3)]
    receipt = vault.claimMany(
        [epoch for epoch, _ in weeks],
        alice,
        [tree.amount(alice) for _, tree in weeks],
        [tree.proof(alice) for _, tree in weeks],
        sender=bob,
    )
    assert usdt_vault.balance(alice) == 6 * USDT
    claimed = receipt.events.filter(vault.Claimed)
    assert [(e.epoch, e.amount) for e in claimed] == [(ep, t.amount(alice)) for ep, t in weeks]
    transfers = receipt.events.filter(usdt.Transfer)
    assert [(t.to, t.value) for t in transfers] == [(alice, 6 * USDT)]
    assert all(vault.isClaimed(epoch, alice) for epoch, _ in weeks)


def test_claim_many_is_all_or_nothing(usdt_vault, vault, alice):
    (e1, t1), (e2, t2) = (usdt_vault.ready_epoch({alice: USDT}) for _ in range(2))
    with ape.reverts(vault.VaultInvalidProof, epoch=e2):
        vault.claimMany(
            [e1, e2], alice, [USDT, 2 * USDT], [t1.proof(alice), t2.proof(alice)], sender=alice
        )
    assert not vault.isClaimed(e1, alice)
    assert usdt_vault.balance(alice) == 0


def test_claim_many_pays_an_epoch_named_twice_once(usdt_vault, vault, alice):
    epoch, tree = usdt_vault.ready_epoch({alice: USDT})
    receipt = vault.claimMany(
        [epoch, epoch], alice, [USDT, USDT], [tree.proof(alice)] * 2, sender=alice
    )
    assert len(receipt.events.filter(vault.Claimed)) == 1
    assert usdt_vault.balance(alice) == USDT


def test_claim_many_skips_an_item_a_third_party_claimed_first(usdt_vault, vault, alice, bob):
    """Finding: bob claimed one of alice's items in front of her claimMany, which reverted
    VaultAlreadyClaimed; the batch now pays the rest (bob's claim paid her the first)."""
    (e1, t1), (e2, t2) = (usdt_vault.ready_epoch({alice: USDT, bob: USDT}) for _ in range(2))
    usdt_vault.claim(e1, t1, alice, sender=bob)
    receipt = vault.claimMany(
        [e1, e2], alice, [USDT, USDT], [t1.proof(alice), t2.proof(alice)], sender=alice
    )
    assert [e.epoch for e in receipt.events.filter(vault.Claimed)] == [e2]
    assert usdt_vault.balance(alice) == 2 * USDT
    # Everything claimed already: nothing moves, nothing reverts.
    receipt = vault.claimMany(
        [e1, e2], alice, [USDT, USDT], [t1.proof(alice), t2.proof(alice)], sender=bob
    )
    assert not receipt.events.filter(vault.Claimed)
    assert usdt_vault.balance(alice) == 2 * USDT


def test_claim_many_rejects_lists_of_different_lengths_or_no_items(usdt_vault, vault, alice):
    epoch, tree = usdt_vault.ready_epoch({alice: USDT})
    with ape.reverts(vault.VaultBadBatch, epochs=1, amounts=2, proofs=1):
        vault.claimMany([epoch], alice, [USDT, USDT], [tree.proof(alice)], sender=alice)
    with ape.reverts(vault.VaultBadBatch, epochs=1, amounts=1, proofs=0):
        vault.claimMany([epoch], alice, [USDT], [], sender=alice)
    with ape.reverts(vault.VaultBadBatch, epochs=0, amounts=0, proofs=0):
        vault.claimMany([], alice, [], [], sender=alice)


def test_native_vault_pays_okb(okb_vault, native_vault, alice, admin):
    epoch, tree = okb_vault.ready_epoch({alice: 2 * OKB})
    before = okb_vault.balance(alice)
    okb_vault.claim(epoch, tree, alice, sender=admin)
    assert okb_vault.balance(alice) - before == 2 * OKB
    assert okb_vault.balance(native_vault) == 0


def test_native_claim_many_pays_the_sum(okb_vault, native_vault, alice, admin):
    weeks = [okb_vault.ready_epoch({alice: OKB}) for _ in range(2)]
    before = okb_vault.balance(alice)
    native_vault.claimMany(
        [e for e, _ in weeks], alice, [OKB, OKB], [t.proof(alice) for _, t in weeks], sender=admin
    )
    assert okb_vault.balance(alice) - before == 2 * OKB


def test_native_claim_to_an_account_that_refuses_okb_reverts(okb_vault, native_vault, usdt, admin):
    # A contract without receive(): the payment fails and so does the claim, flag and all.
    epoch, tree = okb_vault.ready_epoch({usdt.address: OKB})
    with ape.reverts(native_vault.VaultNativePaymentFailed, account=usdt.address, amount=OKB):
        okb_vault.claim(epoch, tree, usdt.address, sender=admin)
    assert not native_vault.isClaimed(epoch, usdt)


def test_claims_stay_open_after_the_window_until_someone_sweeps(usdt_vault, vault, alice):
    epoch, tree = usdt_vault.ready_epoch({alice: USDT})
    usdt_vault.travel(10 * WEEK)
    assert vault.claimWindowClosesAt(epoch) < usdt_vault.chain.blocks.head.timestamp
    usdt_vault.claim(epoch, tree, alice)
    assert usdt_vault.balance(alice) == USDT
