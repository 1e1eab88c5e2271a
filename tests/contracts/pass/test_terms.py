"""Terms a holder bought under (price snapshot and notice), ERC-5643 reads per holder, and
the pro-rata refund on cancel within the creator's window, paid by pull."""

from __future__ import annotations

import ape

PRICE = 10**15
DAY = 24 * 60 * 60
MONTH = 30 * DAY
NOTICE = 30 * DAY
NATIVE = "0x" + "00" * 20


def test_a_price_rise_applies_to_new_buyers_at_once_and_to_holders_after_the_notice(
    community_pass, create, creator, subscription, buy, chain, bob, carol
):
    pass_id = create(subscription())
    buy(bob, pass_id)
    tx = community_pass.setPrice(pass_id, 3 * PRICE, sender=creator)
    [log] = community_pass.PassPriceChanged.from_receipt(tx)
    assert log.holdersFrom == tx.timestamp + NOTICE
    # A new buyer pays the new price.
    with ape.reverts(community_pass.PassPriceAboveMax, price=3 * PRICE):
        community_pass.mint(pass_id, carol, 1, PRICE, sender=carol, value=PRICE)
    # The holder renews at the snapshot during the notice.
    assert community_pass.renewalPrice(pass_id, bob) == PRICE
    renewal = community_pass.renew(pass_id, bob, 2, PRICE, sender=bob, value=2 * PRICE)
    assert community_pass.PassRenewed.from_receipt(renewal)[0].cost == 2 * PRICE
    assert community_pass.termsOf(pass_id, bob) == (
        PRICE,
        MONTH,
        community_pass.expiryOf(pass_id, bob),
    )
    chain.mine(timestamp=tx.timestamp + NOTICE)
    assert community_pass.renewalPrice(pass_id, bob) == 3 * PRICE
    with ape.reverts(community_pass.PassPriceAboveMax, price=3 * PRICE, maxPrice=PRICE):
        community_pass.renew(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)
    community_pass.renew(pass_id, bob, 1, 3 * PRICE, sender=bob, value=3 * PRICE)
    assert community_pass.termsOf(pass_id, bob)[0] == 3 * PRICE


def test_a_price_cut_applies_to_holders_at_once(
    community_pass, create, creator, subscription, buy, bob
):
    pass_id = create(subscription())
    buy(bob, pass_id)
    community_pass.setPrice(pass_id, PRICE // 2, sender=creator)
    assert community_pass.renewalPrice(pass_id, bob) == PRICE // 2
    community_pass.renew(pass_id, bob, 1, PRICE // 2, sender=bob, value=PRICE // 2)


def test_erc5643_reads_per_holder(community_pass, create, subscription, terms, bob):
    monthly = create(subscription())
    lifetime = create(terms())
    tx = community_pass.mint(monthly, bob, 1, PRICE, sender=bob, value=PRICE)
    [update] = community_pass.SubscriptionUpdate.from_receipt(tx)
    assert (update.passId, update.holder, update.expiration) == (
        monthly,
        bob.address,
        tx.timestamp + MONTH,
    )
    assert community_pass.expiresAt(monthly, bob) == tx.timestamp + MONTH
    assert community_pass.isRenewable(monthly)
    assert not community_pass.isRenewable(lifetime)
    assert not community_pass.isRenewable(999)


def test_a_cancel_within_the_window_refunds_the_unused_part_by_pull(
    community_pass, create, creator, subscription, chain, bob
):
    pass_id = create(subscription())
    tx = community_pass.setRefundWindow(pass_id, 7 * DAY, sender=creator)
    assert community_pass.PassRefundWindowSet.from_receipt(tx)[0].refundWindow == 7 * DAY
    mint = community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)
    share = PRICE - PRICE * 500 // 10_000
    chain.mine(timestamp=mint.timestamp + 3 * DAY)
    refund, funded = community_pass.refundable(pass_id, bob)
    assert funded and refund == share * (MONTH - 3 * DAY) // MONTH
    cancel = community_pass.cancelSubscription(pass_id, sender=bob)
    expected = share * (MONTH - (cancel.timestamp - mint.timestamp)) // MONTH
    [log] = community_pass.SubscriptionCancelled.from_receipt(cancel)
    assert (log.holder, log.currency, log.refund, log.expiry) == (
        bob.address,
        NATIVE,
        expected,
        cancel.timestamp,
    )
    assert community_pass.expiryOf(pass_id, bob) == cancel.timestamp
    assert not community_pass.hasAccess(bob, pass_id)
    assert community_pass.proceeds(bob, NATIVE) == expected
    assert community_pass.proceeds(creator, NATIVE) == share - expected
    before = bob.balance
    w = community_pass.withdraw(NATIVE, sender=bob)
    assert bob.balance == before + expected - w.total_fees_paid
    # A payment is refunded once.
    with ape.reverts(community_pass.PassRefundWindowClosed, passId=pass_id, holder=bob):
        community_pass.cancelSubscription(pass_id, sender=bob)
    # The lapsed holder renews rather than mints again.
    assert community_pass.canRenew(pass_id, bob)[0]


def test_cancelling_a_renewal_returns_it_and_keeps_the_time_paid_before(
    community_pass, create, creator, subscription, bob
):
    pass_id = create(subscription())
    community_pass.setRefundWindow(pass_id, 7 * DAY, sender=creator)
    community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)
    expiry = community_pass.expiryOf(pass_id, bob)
    community_pass.renew(pass_id, bob, 2, PRICE, sender=bob, value=2 * PRICE)
    cancel = community_pass.cancelSubscription(pass_id, sender=bob)
    share = 2 * PRICE - 2 * PRICE * 500 // 10_000
    assert community_pass.SubscriptionCancelled.from_receipt(cancel)[0].refund == share
    assert community_pass.expiryOf(pass_id, bob) == expiry
    assert community_pass.hasAccess(bob, pass_id)


def test_no_refund_after_the_window_or_without_one(
    community_pass, create, creator, subscription, terms, buy, chain, bob, carol
):
    lifetime = create(terms())
    with ape.reverts(community_pass.PassNotSubscription):
        community_pass.cancelSubscription(lifetime, sender=bob)
    pass_id = create(subscription())
    buy(bob, pass_id)
    with ape.reverts(community_pass.PassRefundWindowClosed):
        community_pass.cancelSubscription(pass_id, sender=bob)
    community_pass.setRefundWindow(pass_id, DAY, sender=creator)
    mint = community_pass.mint(pass_id, carol, 1, PRICE, sender=carol, value=PRICE)
    chain.mine(timestamp=mint.timestamp + DAY)
    assert community_pass.refundable(pass_id, carol) == (0, False)
    with ape.reverts(community_pass.PassRefundWindowClosed, holder=carol):
        community_pass.cancelSubscription(pass_id, sender=carol)


def test_a_refund_the_creator_already_withdrew_is_unfunded(
    community_pass, create, creator, subscription, bob
):
    pass_id = create(subscription())
    community_pass.setRefundWindow(pass_id, DAY, sender=creator)
    community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)
    community_pass.withdraw(NATIVE, sender=creator)
    refund, funded = community_pass.refundable(pass_id, bob)
    assert refund > 0 and not funded
    with ape.reverts(community_pass.PassRefundUnfunded, passId=pass_id, available=0):
        community_pass.cancelSubscription(pass_id, sender=bob)


def test_refund_window_is_creator_only_and_bounded(
    community_pass, create, creator, subscription, bob
):
    pass_id = create(subscription())
    with ape.reverts(community_pass.PassNotCreator):
        community_pass.setRefundWindow(pass_id, DAY, sender=bob)
    with ape.reverts(community_pass.PassRefundWindowTooLong, window=31 * DAY, maxWindow=30 * DAY):
        community_pass.setRefundWindow(pass_id, 31 * DAY, sender=creator)


def test_an_erc20_refund_is_withdrawn_in_the_token(
    community_pass, create, creator, subscription, token, bob
):
    pass_id = create(subscription(currency=token.address, price=25 * 10**6))
    community_pass.setRefundWindow(pass_id, DAY, sender=creator)
    token.mint(bob, 25 * 10**6, sender=bob)
    token.approve(community_pass, 25 * 10**6, sender=bob)
    community_pass.mint(pass_id, bob, 1, 25 * 10**6, sender=bob)
    refund = community_pass.cancelSubscription(pass_id, sender=bob)
    amount = community_pass.SubscriptionCancelled.from_receipt(refund)[0].refund
    assert amount > 0
    community_pass.withdraw(token, sender=bob)
    assert token.balanceOf(bob) == amount
