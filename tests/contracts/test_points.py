"""ContributionPoints: attested, non-transferable points per account and weekly epoch."""

from __future__ import annotations

import ape
import pytest
from eth_account import Account

from planet.core.epochs import EPOCH_DURATION, EpochCalendar
from planet.core.typed_data import (
    CONTRIBUTION_TYPES,
    KIND_COMMENT,
    KIND_POST,
    POINTS_DOMAIN,
    Contribution,
    domain,
    new_uid,
    sign_contribution,
    typed_digest,
)
from tests.support.protocol import local_key


@pytest.fixture
def attestation(points, attester_key, chain, chain_id):
    """Builds and signs a Contribution for the current epoch unless told otherwise."""

    def _make(account, amount=10, *, uid=None, epoch=None, kind=KIND_POST, deadline=None, key=None):
        c = Contribution(
            account=account.address if hasattr(account, "address") else account,
            kind=kind,
            amount=amount,
            epoch=points.currentEpoch() if epoch is None else epoch,
            uid=uid or new_uid("test", account, amount, chain.pending_timestamp, _make.counter),
            deadline=chain.pending_timestamp + 3600 if deadline is None else deadline,
        )
        _make.counter += 1
        return c, sign_contribution(key or attester_key, c, chain_id, points.address)

    _make.counter = 0
    return _make


def test_epochs_are_genesis_plus_whole_weeks(points, genesis, chain):
    calendar = EpochCalendar(genesis)
    now = chain.blocks.head.timestamp
    assert points.GENESIS() == genesis
    assert points.EPOCH_DURATION() == EPOCH_DURATION
    assert points.currentEpoch() == calendar.epoch_at(now)
    assert points.epochStart(3) == calendar.start(3)
    assert points.epochAt(genesis + 2 * EPOCH_DURATION - 1) == 1
    with ape.reverts(points.EpochsBeforeGenesis):
        points.epochAt(genesis - 1)


def test_genesis_in_the_future_is_rejected(project, admin, identity, chain):
    with ape.reverts():
        admin.deploy(
            project.ContributionPoints,
            identity,
            chain.pending_timestamp + 10_000,
            admin,
            admin,
            admin,
        )


def test_wallet_digest_equals_contract_digest(points, alice, attestation, chain_id):
    c, _ = attestation(alice)
    wallet = typed_digest(
        domain(POINTS_DOMAIN, chain_id, points.address), CONTRIBUTION_TYPES, c.__dict__
    )
    assert wallet == points.contributionDigest(c.as_tuple())


def test_account_submits_its_own_attestation(points, alice, attester, register, attestation):
    register(alice, "alice")
    c, sig = attestation(alice, 25, kind=KIND_COMMENT)
    tx = points.attest(c.as_tuple(), sig, sender=alice)

    assert points.balanceOf(alice) == 25
    assert points.totalSupply() == 25
    assert points.epochBalanceOf(alice, c.epoch) == 25
    assert points.epochTotalSupply(c.epoch) == 25
    assert points.isUsed(c.uid)
    rec = points.record(c.uid)
    assert (rec.account, rec.amount, rec.epoch, rec.kind, rec.revoked) == (
        alice,
        25,
        c.epoch,
        KIND_COMMENT,
        False,
    )
    recorded = tx.events[0]
    assert recorded.event_name == "ContributionRecorded"
    assert (recorded.attester, recorded.submitter) == (attester, alice)
    assert tx.events[1].event_name == "Transfer"


def test_someone_else_cannot_submit_an_accounts_attestation(
    points, alice, bob, register, attestation
):
    register(alice, "alice")
    c, sig = attestation(alice)
    with ape.reverts(points.PointsCallerNotAccount, caller=bob.address, account=alice.address):
        points.attest(c.as_tuple(), sig, sender=bob)


def test_a_used_uid_is_rejected_forever(points, alice, risk, register, attestation):
    register(alice, "alice")
    c, sig = attestation(alice)
    points.attest(c.as_tuple(), sig, sender=alice)
    with ape.reverts(points.PointsUidUsed, uid=c.uid):
        points.attest(c.as_tuple(), sig, sender=alice)
    points.revoke(c.uid, "spam", sender=risk)
    with ape.reverts(points.PointsUidUsed, uid=c.uid):
        points.attest(c.as_tuple(), sig, sender=alice)


def test_same_uid_with_other_content_is_still_rejected(points, alice, register, attestation):
    register(alice, "alice")
    c, sig = attestation(alice, 5, uid=b"\x11" * 32)
    points.attest(c.as_tuple(), sig, sender=alice)
    c2, sig2 = attestation(alice, 6, uid=b"\x11" * 32)
    with ape.reverts(points.PointsUidUsed):
        points.attest(c2.as_tuple(), sig2, sender=alice)


def test_signature_of_a_non_attester_is_rejected(points, alice, bob, register, attestation):
    register(alice, "alice")
    c, sig = attestation(alice, key=local_key(bob))
    with ape.reverts(points.PointsSignerNotAttester, uid=c.uid, signer=bob.address):
        points.attest(c.as_tuple(), sig, sender=alice)


def test_expired_attestation_is_rejected(points, alice, register, attestation, chain):
    register(alice, "alice")
    c, sig = attestation(alice, deadline=chain.pending_timestamp - 1)
    with ape.reverts(points.PointsAttestationExpired, uid=c.uid):
        points.attest(c.as_tuple(), sig, sender=alice)


def test_account_without_identity_is_rejected(points, alice, attestation):
    c, sig = attestation(alice)
    with ape.reverts(points.PointsNoIdentity, account=alice.address):
        points.attest(c.as_tuple(), sig, sender=alice)


@pytest.mark.parametrize("wrong", ["chain", "contract"])
def test_signature_for_another_chain_or_contract_is_rejected(
    points, alice, register, attester_key, chain, chain_id, wrong
):
    register(alice, "alice")
    c = Contribution(
        alice.address,
        KIND_POST,
        10,
        points.currentEpoch(),
        new_uid("x"),
        chain.pending_timestamp + 60,
    )
    other_chain = chain_id + 1 if wrong == "chain" else chain_id
    other_contract = alice.address if wrong == "contract" else points.address
    sig = sign_contribution(attester_key, c, other_chain, other_contract)
    with ape.reverts(points.PointsSignerNotAttester, uid=c.uid):
        points.attest(c.as_tuple(), sig, sender=alice)


def test_tampered_amount_is_rejected(points, alice, register, attestation):
    register(alice, "alice")
    c, sig = attestation(alice, 10)
    inflated = Contribution(c.account, c.kind, 1000, c.epoch, c.uid, c.deadline)
    with ape.reverts(points.PointsSignerNotAttester):
        points.attest(inflated.as_tuple(), sig, sender=alice)


def test_malformed_signature_is_rejected(points, alice, register, attestation):
    register(alice, "alice")
    c, _ = attestation(alice)
    with ape.reverts(points.PointsMalformedSignature, uid=c.uid):
        points.attest(c.as_tuple(), b"\x00" * 64, sender=alice)


def test_zero_too_large_and_future_epoch_are_rejected(points, alice, register, attestation):
    register(alice, "alice")
    c, sig = attestation(alice, 0)
    with ape.reverts(points.PointsZeroAmount):
        points.attest(c.as_tuple(), sig, sender=alice)
    c, sig = attestation(alice, 2**56)
    with ape.reverts(points.PointsAmountTooLarge, amount=2**56):
        points.attest(c.as_tuple(), sig, sender=alice)
    future = points.currentEpoch() + 1
    c, sig = attestation(alice, epoch=future)
    with ape.reverts(points.PointsEpochInFuture, epoch=future):
        points.attest(c.as_tuple(), sig, sender=alice)


def test_late_submission_counts_for_the_attested_epoch(points, alice, register, attestation, chain):
    register(alice, "alice")
    epoch = points.currentEpoch()
    c, sig = attestation(alice, 7, deadline=chain.pending_timestamp + 3 * EPOCH_DURATION)
    chain.pending_timestamp += EPOCH_DURATION
    chain.mine()
    points.attest(c.as_tuple(), sig, sender=alice)
    assert points.currentEpoch() == epoch + 1
    assert points.epochBalanceOf(alice, epoch) == 7
    assert points.epochBalanceOf(alice, epoch + 1) == 0


def test_attester_submits_a_batch(points, alice, bob, attester, register, attestation):
    register(alice, "alice")
    register(bob, "bob")
    items = [attestation(alice, 3), attestation(bob, 4), attestation(alice, 5)]
    points.attestBatch([c.as_tuple() for c, _ in items], [s for _, s in items], sender=attester)
    assert points.balanceOf(alice) == 8
    assert points.balanceOf(bob) == 4
    assert points.totalSupply() == 12


def test_batch_is_attester_only(points, alice, register, attestation):
    register(alice, "alice")
    c, sig = attestation(alice)
    with ape.reverts(points.AccessControlUnauthorizedAccount):
        points.attestBatch([c.as_tuple()], [sig], sender=alice)


def test_batch_is_atomic(points, alice, bob, attester, register, attestation):
    register(alice, "alice")
    good = attestation(alice, 3)
    no_identity = attestation(bob, 4)
    with ape.reverts(points.PointsNoIdentity, account=bob.address):
        points.attestBatch(
            [good[0].as_tuple(), no_identity[0].as_tuple()],
            [good[1], no_identity[1]],
            sender=attester,
        )
    assert points.totalSupply() == 0
    assert not points.isUsed(good[0].uid)


def test_batch_with_a_uid_twice_is_rejected(points, alice, attester, register, attestation):
    register(alice, "alice")
    c, sig = attestation(alice)
    with ape.reverts(points.PointsUidUsed, uid=c.uid):
        points.attestBatch([c.as_tuple(), c.as_tuple()], [sig, sig], sender=attester)


@pytest.mark.parametrize("n_items, n_sigs", [(0, 0), (1, 2)])
def test_empty_or_mismatched_batch_is_rejected(
    points, alice, attester, register, attestation, n_items, n_sigs
):
    register(alice, "alice")
    c, sig = attestation(alice)
    with ape.reverts(points.PointsBadBatch, attestations=n_items, signatures=n_sigs):
        points.attestBatch([c.as_tuple()] * n_items, [sig] * n_sigs, sender=attester)


def test_risk_revokes_with_a_reason(points, alice, risk, register, attestation):
    register(alice, "alice")
    c, sig = attestation(alice, 9)
    keep, keep_sig = attestation(alice, 1)
    points.attest(c.as_tuple(), sig, sender=alice)
    points.attest(keep.as_tuple(), keep_sig, sender=alice)
    tx = points.revoke(c.uid, "self-interaction", sender=risk)

    assert points.balanceOf(alice) == 1
    assert points.totalSupply() == 1
    assert points.epochBalanceOf(alice, c.epoch) == 1
    assert points.epochTotalSupply(c.epoch) == 1
    assert points.record(c.uid).revoked
    revoked = tx.events[0]
    assert (revoked.event_name, revoked.reason, revoked.amount) == (
        "ContributionRevoked",
        "self-interaction",
        9,
    )


def test_revocation_rules(points, alice, risk, register, attestation):
    register(alice, "alice")
    c, sig = attestation(alice)
    with ape.reverts(points.PointsUnknownUid, uid=c.uid):
        points.revoke(c.uid, "x", sender=risk)
    points.attest(c.as_tuple(), sig, sender=alice)
    with ape.reverts(points.AccessControlUnauthorizedAccount):
        points.revoke(c.uid, "x", sender=alice)
    points.revoke(c.uid, "x", sender=risk)
    with ape.reverts(points.PointsAlreadyRevoked, uid=c.uid):
        points.revoke(c.uid, "again", sender=risk)


def test_erc20_reads_and_every_transfer_path_reverts(points, alice, bob, register, attestation):
    register(alice, "alice")
    c, sig = attestation(alice, 5)
    points.attest(c.as_tuple(), sig, sender=alice)
    assert (points.name(), points.symbol(), points.decimals()) == (
        "Planet Contribution Points",
        "PCP",
        0,
    )
    assert points.allowance(alice, bob) == 0
    for call in (
        lambda: points.transfer(bob, 1, sender=alice),
        lambda: points.approve(bob, 1, sender=alice),
        lambda: points.transferFrom(alice, bob, 1, sender=bob),
    ):
        with ape.reverts(points.PointsNonTransferable):
            call()
    assert points.balanceOf(alice) == 5


def test_roles_are_wired_at_construction(points, admin, attester, risk):
    assert points.hasRole(points.DEFAULT_ADMIN_ROLE(), admin)
    assert points.hasRole(points.ATTESTER_ROLE(), attester)
    assert points.hasRole(points.RISK_ROLE(), risk)


def test_a_second_attester_key_is_accepted_once_granted(
    points, admin, alice, carol, register, attestation
):
    register(alice, "alice")
    points.grantRole(points.ATTESTER_ROLE(), carol, sender=admin)
    c, sig = attestation(alice, key=Account.from_key(carol.private_key))
    points.attest(c.as_tuple(), sig, sender=alice)
    assert points.balanceOf(alice) == 10
