"""Subscriptions: one soulbound token per wallet, an expiry per holder, renewals."""

import ape

PRICE = 10**15
MONTH = 30 * 24 * 60 * 60


def mined_at(chain, timestamp: int) -> None:
    """Mines a block at `timestamp`, so views (hasAccess) see that time."""
    chain.mine(timestamp=timestamp)


def test_a_subscription_mints_one_token_expiring_after_the_paid_periods(
    community_pass, create, subscription, chain, bob
):
    pass_id = create(subscription())
    tx = community_pass.mint(pass_id, bob, 3, PRICE, sender=bob, value=3 * PRICE)
    assert community_pass.balanceOf(bob, pass_id) == 1
    assert community_pass.passes(pass_id).minted == 1
    expiry = tx.timestamp + 3 * MONTH
    assert community_pass.expiryOf(pass_id, bob) == expiry
    [log] = community_pass.PassMinted.from_receipt(tx)
    assert (log.quantity, log.cost, log.expiry) == (3, 3 * PRICE, expiry)


def test_access_lasts_until_the_expiry_exclusive(
    community_pass, create, subscription, buy, chain, bob
):
    pass_id = create(subscription())
    buy(bob, pass_id)
    expiry = community_pass.expiryOf(pass_id, bob)
    mined_at(chain, expiry - 1)
    assert community_pass.hasAccess(bob, pass_id)
    mined_at(chain, expiry)
    assert not community_pass.hasAccess(bob, pass_id)


def test_an_expired_subscriber_keeps_the_token(
    community_pass, create, subscription, buy, chain, bob
):
    pass_id = create(subscription())
    buy(bob, pass_id)
    mined_at(chain, community_pass.expiryOf(pass_id, bob) + 1)
    assert community_pass.balanceOf(bob, pass_id) == 1


def test_renewing_an_active_subscription_extends_from_its_expiry(
    community_pass, create, subscription, buy, renew, bob
):
    pass_id = create(subscription())
    buy(bob, pass_id)
    expiry = community_pass.expiryOf(pass_id, bob)
    tx = renew(bob, pass_id, 2)
    assert community_pass.expiryOf(pass_id, bob) == expiry + 2 * MONTH
    [log] = community_pass.PassRenewed.from_receipt(tx)
    assert (log.previousExpiry, log.expiry, log.periods) == (expiry, expiry + 2 * MONTH, 2)
    assert (log.cost, log.platformFee, log.feeBps) == (2 * PRICE, 2 * PRICE // 20, 500)


def test_renewing_a_lapsed_subscription_extends_from_now(
    community_pass, create, subscription, buy, renew, chain, bob
):
    pass_id = create(subscription())
    buy(bob, pass_id)
    mined_at(chain, community_pass.expiryOf(pass_id, bob) + 1000)
    tx = renew(bob, pass_id)
    assert community_pass.expiryOf(pass_id, bob) == tx.timestamp + MONTH
    assert community_pass.hasAccess(bob, pass_id)


def test_anyone_may_pay_a_holders_renewal(
    community_pass, create, subscription, buy, renew, bob, carol
):
    pass_id = create(subscription())
    buy(bob, pass_id)
    expiry = community_pass.expiryOf(pass_id, bob)
    tx = renew(carol, pass_id, 1, holder=bob)
    [log] = community_pass.PassRenewed.from_receipt(tx)
    assert (log.payer, log.holder) == (carol.address, bob.address)
    assert community_pass.expiryOf(pass_id, bob) == expiry + MONTH


def test_a_renewal_after_the_price_notice_is_paid_at_the_current_price(
    community_pass, create, subscription, buy, creator, chain, bob
):
    pass_id = create(subscription())
    buy(bob, pass_id)
    tx = community_pass.setPrice(pass_id, 2 * PRICE, sender=creator)
    chain.mine(timestamp=tx.timestamp + community_pass.PRICE_NOTICE())
    with ape.reverts(community_pass.PassWrongValue, expected=2 * PRICE, value=PRICE):
        community_pass.renew(pass_id, bob, 1, 2 * PRICE, sender=bob, value=PRICE)
    community_pass.renew(pass_id, bob, 1, 2 * PRICE, sender=bob, value=2 * PRICE)


def test_renewing_a_lifetime_pass_is_rejected(community_pass, create, buy, bob):
    pass_id = create()
    buy(bob, pass_id)
    with ape.reverts(community_pass.PassNotSubscription, passId=pass_id):
        community_pass.renew(pass_id, bob, 1, PRICE, sender=bob, value=PRICE)


def test_renewing_a_wallet_that_never_subscribed_is_rejected(
    community_pass, create, subscription, renew, bob, carol
):
    pass_id = create(subscription())
    with ape.reverts(community_pass.PassNotHolder, passId=pass_id, holder=carol.address):
        renew(bob, pass_id, 1, holder=carol)


def test_renewing_zero_periods_is_rejected(community_pass, create, subscription, buy, bob):
    pass_id = create(subscription())
    buy(bob, pass_id)
    with ape.reverts(community_pass.PassZeroQuantity):
        community_pass.renew(pass_id, bob, 0, PRICE, sender=bob)


def test_a_subscriber_cannot_mint_a_second_token(community_pass, create, subscription, buy, bob):
    pass_id = create(subscription())
    buy(bob, pass_id)
    with ape.reverts(community_pass.PassWalletLimit, requested=1, remaining=0):
        buy(bob, pass_id)


def test_a_term_beyond_64_bit_time_is_rejected(community_pass, create, subscription, bob):
    pass_id = create(subscription(price=0))
    with ape.reverts(community_pass.PassTermTooLong, passId=pass_id):
        community_pass.mint(pass_id, bob, 2**64 // MONTH, 0, sender=bob)
