"""Rights earned by contribution: points and verified-identity requirements, checked on chain
for the wallet that receives the rights (mint recipient, renewed holder, transfer receiver),
and the creator's batch gift."""

from __future__ import annotations

import ape
import pytest

from planet.core.epochs import EPOCH_DURATION
from planet.core.typed_data import KIND_POST, Contribution, new_uid, sign_contribution

PRICE = 10**15
NONE, UNKNOWN, PAUSED, NOT_SUB, NOT_HOLDER, SOLD_OUT, LIMIT, POINTS, IDENTITY = range(9)


@pytest.fixture
def earn(points, attester_key, chain, chain_id, register):
    """Gives `account` (registered under `handle` if it has no identity) `amount` points in
    the current epoch, or `epoch`."""
    counter = iter(range(10**6))

    def _earn(account, amount: int, handle: str | None = None, epoch: int | None = None):
        if handle is not None:
            register(account, handle)
        c = Contribution(
            account=account.address,
            kind=KIND_POST,
            amount=amount,
            epoch=points.currentEpoch() if epoch is None else epoch,
            uid=new_uid("rights", account.address, amount, next(counter)),
            deadline=chain.pending_timestamp + 3600,
        )
        points.attest(
            c.as_tuple(),
            sign_contribution(attester_key, c, chain_id, points.address),
            sender=account,
        )

    return _earn


def test_a_wallet_without_enough_points_cannot_buy_and_the_error_names_the_gap(
    community_pass, create, creator, earn, bob
):
    pass_id = create()
    community_pass.setRequirements(pass_id, (50, 0, False), sender=creator)
    earn(bob, 20, "bob")
    assert community_pass.canMint(pass_id, bob) == (False, POINTS)
    with ape.reverts(
        community_pass.PassNotEnoughPoints, passId=pass_id, account=bob, points=20, required=50
    ):
        community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)
    earn(bob, 30)
    assert community_pass.canMint(pass_id, bob) == (True, NONE)
    community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)
    assert community_pass.balanceOf(bob, pass_id) == 1


def test_the_recipient_not_the_payer_must_meet_the_requirement(
    community_pass, create, creator, earn, bob, carol
):
    pass_id = create()
    community_pass.setRequirements(pass_id, (10, 0, False), sender=creator)
    earn(bob, 100, "bob")
    with ape.reverts(community_pass.PassNotEnoughPoints, account=carol, points=0):
        community_pass.mint(pass_id, carol, 1, PRICE, sender=bob, value=PRICE)


def test_a_points_window_counts_only_the_last_weeks(
    community_pass, create, creator, earn, points, chain, bob
):
    pass_id = create()
    earn(bob, 40, "bob")
    community_pass.setRequirements(pass_id, (30, 1, False), sender=creator)
    assert community_pass.pointsFor(pass_id, bob) == 40
    chain.mine(timestamp=points.epochStart(points.currentEpoch() + 1))
    assert community_pass.pointsFor(pass_id, bob) == 0
    with ape.reverts(community_pass.PassNotEnoughPoints, points=0, required=30):
        community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)
    community_pass.setRequirements(pass_id, (30, 2, False), sender=creator)
    assert community_pass.pointsFor(pass_id, bob) == 40
    community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)
    assert EPOCH_DURATION == 7 * 24 * 3600


def test_a_verified_identity_requirement(
    community_pass, create, creator, identity, verifier, register, bob
):
    pass_id = create()
    community_pass.setRequirements(pass_id, (0, 0, True), sender=creator)
    assert community_pass.canMint(pass_id, bob) == (False, IDENTITY)
    with ape.reverts(community_pass.PassIdentityNotVerified, passId=pass_id, account=bob):
        community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)
    token_id = register(bob, "bob")
    with ape.reverts(community_pass.PassIdentityNotVerified):
        community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)
    identity.setVerified(token_id, True, sender=verifier)
    community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)


def test_renewal_checks_the_holder_again(
    community_pass, create, creator, subscription, earn, points, chain, bob, carol
):
    pass_id = create(subscription())
    community_pass.setRequirements(pass_id, (10, 1, False), sender=creator)
    earn(bob, 10, "bob")
    community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)
    assert community_pass.canRenew(pass_id, bob) == (True, NONE)
    chain.mine(timestamp=points.epochStart(points.currentEpoch() + 1))
    assert community_pass.canRenew(pass_id, bob) == (False, POINTS)
    # A friend with points paying does not help: the holder receives the rights.
    earn(carol, 99, "carol")
    with ape.reverts(community_pass.PassNotEnoughPoints, account=bob, points=0, required=10):
        community_pass.renew(pass_id, bob, 1, PRICE, sender=carol, value=PRICE)


def test_a_transfer_cannot_hand_the_rights_to_a_wallet_that_misses_them(
    community_pass, create, creator, terms, earn, bob, carol
):
    pass_id = create(terms(transferable=True))
    community_pass.setRequirements(pass_id, (10, 0, False), sender=creator)
    earn(bob, 10, "bob")
    community_pass.mint(pass_id, bob, 2, PRICE, sender=bob, value=2 * PRICE)
    with ape.reverts(community_pass.PassNotEnoughPoints, account=carol):
        community_pass.safeTransferFrom(bob, carol, pass_id, 1, b"", sender=bob)
    earn(carol, 10, "carol")
    community_pass.safeTransferFrom(bob, carol, pass_id, 1, b"", sender=bob)
    assert community_pass.balanceOf(carol, pass_id) == 1


def test_can_renew_names_each_reason(community_pass, create, creator, subscription, buy, bob):
    assert community_pass.canRenew(999, bob) == (False, UNKNOWN)
    lifetime = create()
    assert community_pass.canRenew(lifetime, bob) == (False, NOT_SUB)
    monthly = create(subscription())
    assert community_pass.canRenew(monthly, bob) == (False, NOT_HOLDER)
    buy(bob, monthly)
    assert community_pass.canRenew(monthly, bob) == (True, NONE)
    community_pass.setSalesPaused(monthly, True, sender=creator)
    assert community_pass.canRenew(monthly, bob) == (False, PAUSED)


def test_can_mint_reports_supply_and_wallet_limit(community_pass, create, terms, buy, bob, carol):
    pass_id = create(terms(max_supply=2, wallet_limit=1))
    buy(bob, pass_id)
    assert community_pass.canMint(pass_id, bob) == (False, LIMIT)
    buy(carol, pass_id, to=carol)
    assert community_pass.canMint(pass_id, carol) == (False, SOLD_OUT)


def test_requirements_are_creator_only_and_bounded(community_pass, create, creator, bob):
    pass_id = create()
    with ape.reverts(community_pass.PassNotCreator):
        community_pass.setRequirements(pass_id, (1, 0, False), sender=bob)
    with ape.reverts(community_pass.PassInvalidPointsWindow, pointsWeeks=13, maxWeeks=12):
        community_pass.setRequirements(pass_id, (1, 13, False), sender=creator)
    with ape.reverts(community_pass.PassInvalidPointsWindow, pointsWeeks=2):
        community_pass.setRequirements(pass_id, (0, 2, False), sender=creator)
    tx = community_pass.setRequirements(pass_id, (5, 3, True), sender=creator)
    [log] = community_pass.PassRequirementsSet.from_receipt(tx)
    assert (log.minPoints, log.pointsWeeks, log.verifiedIdentity) == (5, 3, True)
    policy = community_pass.policy(pass_id)
    assert (policy.minPoints, policy.pointsWeeks, policy.verifiedIdentity) == (5, 3, True)


def test_the_creator_gifts_a_batch_without_requirements_or_payment(
    community_pass, create, creator, subscription, bob, carol, accounts
):
    pass_id = create(subscription())
    community_pass.setRequirements(pass_id, (1_000, 0, True), sender=creator)
    dave = accounts[8]
    tx = community_pass.gift(pass_id, [bob, carol, dave], 2, sender=creator)
    logs = community_pass.PassGifted.from_receipt(tx)
    assert [log.to for log in logs] == [bob.address, carol.address, dave.address]
    for holder in (bob, carol, dave):
        assert community_pass.expiryOf(pass_id, holder) == tx.timestamp + 2 * 30 * 86400
        assert community_pass.balanceOf(holder, pass_id) == 1
    # A second gift to a subscriber adds periods rather than a token.
    tx2 = community_pass.gift(pass_id, [bob], 1, sender=creator)
    assert community_pass.expiryOf(pass_id, bob) == tx.timestamp + 3 * 30 * 86400
    assert community_pass.balanceOf(bob, pass_id) == 1
    assert len(community_pass.SubscriptionUpdate.from_receipt(tx2)) == 1
    assert community_pass.proceeds(creator, "0x" + "00" * 20) == 0


def test_gifts_are_creator_only_and_bounded(community_pass, create, creator, terms, bob):
    pass_id = create(terms(max_supply=1))
    with ape.reverts(community_pass.PassNotCreator):
        community_pass.gift(pass_id, [bob], 1, sender=bob)
    with ape.reverts(community_pass.PassBadGiftBatch, recipients=0, maxRecipients=100):
        community_pass.gift(pass_id, [], 1, sender=creator)
    with ape.reverts(community_pass.PassZeroQuantity):
        community_pass.gift(pass_id, [bob], 0, sender=creator)
    with ape.reverts(community_pass.PassSoldOut):
        community_pass.gift(pass_id, [bob], 2, sender=creator)
    with ape.reverts(community_pass.PassZeroAddress):
        community_pass.gift(pass_id, ["0x" + "00" * 20], 1, sender=creator)
