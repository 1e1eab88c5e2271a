"""Buying a lifetime pass: payment, supply, wallet limit, gifts, the buyer's price bound."""

import ape

PRICE = 10**15


def test_a_native_mint_gives_tokens_and_credits_creator_and_treasury(
    community_pass, create, creator, treasury, bob
):
    pass_id = create()
    community_pass.mint(pass_id, bob, 2, PRICE, sender=bob, value=2 * PRICE)
    assert community_pass.balanceOf(bob, pass_id) == 2
    assert community_pass.passes(pass_id).minted == 2
    assert community_pass.proceeds(creator, ape.utils.ZERO_ADDRESS) == 2 * PRICE * 95 // 100
    assert community_pass.proceeds(treasury, ape.utils.ZERO_ADDRESS) == 2 * PRICE * 5 // 100
    assert community_pass.balance == 2 * PRICE


def test_the_mint_event_discloses_cost_fee_and_fee_rate(community_pass, create, bob):
    pass_id = create()
    tx = community_pass.mint(pass_id, bob, 2, PRICE, sender=bob, value=2 * PRICE)
    [log] = community_pass.PassMinted.from_receipt(tx)
    assert (log.payer, log.to, log.quantity) == (bob.address, bob.address, 2)
    assert (log.cost, log.platformFee, log.feeBps, log.expiry) == (2 * PRICE, PRICE // 10, 500, 0)


def test_a_lifetime_holder_has_access(community_pass, create, buy, bob, carol):
    pass_id = create()
    buy(bob, pass_id)
    assert community_pass.hasAccess(bob, pass_id)
    assert not community_pass.hasAccess(carol, pass_id)


def test_an_unknown_pass_gives_no_access(community_pass, bob):
    assert not community_pass.hasAccess(bob, 1)


def test_too_little_native_value_is_rejected(community_pass, create, bob):
    pass_id = create()
    with ape.reverts(community_pass.PassWrongValue, expected=PRICE, value=PRICE - 1):
        community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE - 1)


def test_too_much_native_value_is_rejected(community_pass, create, bob):
    pass_id = create()
    with ape.reverts(community_pass.PassWrongValue, expected=PRICE, value=PRICE + 1):
        community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=PRICE + 1)


def test_an_erc20_mint_pulls_the_exact_cost(community_pass, create, terms, buy, token, bob):
    pass_id = create(terms(currency=token.address, price=25 * 10**6))
    buy(bob, pass_id, 2, token=token)
    assert token.balanceOf(community_pass) == 50 * 10**6
    assert token.balanceOf(bob) == 0
    assert community_pass.balanceOf(bob, pass_id) == 2


def test_an_erc20_mint_with_native_value_is_rejected(community_pass, create, terms, token, bob):
    pass_id = create(terms(currency=token.address, price=10))
    token.mint(bob, 10, sender=bob)
    token.approve(community_pass, 10, sender=bob)
    with ape.reverts(community_pass.PassWrongValue, expected=0, value=1):
        community_pass.mint(pass_id, bob, 1, 10, sender=bob, value=1)


def test_a_gift_is_paid_by_the_sender_and_held_by_the_recipient(
    community_pass, create, buy, bob, carol
):
    pass_id = create()
    tx = buy(bob, pass_id, 1, to=carol)
    [log] = community_pass.PassMinted.from_receipt(tx)
    assert (log.payer, log.to) == (bob.address, carol.address)
    assert community_pass.balanceOf(carol, pass_id) == 1
    assert community_pass.balanceOf(bob, pass_id) == 0
    assert community_pass.mintedTo(pass_id, carol) == 1


def test_minting_to_the_zero_address_is_rejected(community_pass, create, bob):
    pass_id = create()
    with ape.reverts(community_pass.PassZeroAddress):
        community_pass.mint(pass_id, ape.utils.ZERO_ADDRESS, 1, PRICE, sender=bob, value=PRICE)


def test_a_zero_quantity_is_rejected(community_pass, create, bob):
    pass_id = create()
    with ape.reverts(community_pass.PassZeroQuantity):
        community_pass.mint(pass_id, bob, 0, PRICE, sender=bob)


def test_minting_an_unknown_pass_reverts(community_pass, bob):
    with ape.reverts(community_pass.PassUnknown, passId=3):
        community_pass.mint(3, bob, 1, PRICE, sender=bob, value=PRICE)


def test_minting_beyond_the_cap_is_rejected(community_pass, create, terms, buy, bob, carol):
    pass_id = create(terms(max_supply=3))
    buy(bob, pass_id, 2)
    with ape.reverts(community_pass.PassSoldOut, passId=pass_id, requested=2, available=1):
        buy(carol, pass_id, 2)


def test_minting_beyond_the_wallet_limit_is_rejected(community_pass, create, terms, buy, bob):
    pass_id = create(terms(wallet_limit=3))
    buy(bob, pass_id, 2)
    with ape.reverts(community_pass.PassWalletLimit, wallet=bob.address, requested=2, remaining=1):
        buy(bob, pass_id, 2)


def test_gifts_count_toward_the_recipients_wallet_limit(
    community_pass, create, terms, buy, bob, carol
):
    pass_id = create(terms(wallet_limit=1))
    buy(bob, pass_id, 1, to=carol)
    with ape.reverts(community_pass.PassWalletLimit, wallet=carol.address):
        buy(carol, pass_id)


def test_the_wallet_limit_counts_mints_not_tokens_received(
    community_pass, create, terms, buy, bob, carol
):
    pass_id = create(terms(wallet_limit=1, transferable=True))
    buy(bob, pass_id)
    community_pass.safeTransferFrom(bob, carol, pass_id, 1, b"", sender=bob)
    buy(carol, pass_id)
    assert community_pass.balanceOf(carol, pass_id) == 2


def test_a_price_above_the_buyers_maximum_is_rejected(community_pass, create, creator, bob):
    pass_id = create()
    community_pass.setPrice(pass_id, 2 * PRICE, sender=creator)
    with ape.reverts(
        community_pass.PassPriceAboveMax, passId=pass_id, price=2 * PRICE, maxPrice=PRICE
    ):
        community_pass.mint(pass_id, bob, 1, PRICE, sender=bob, value=2 * PRICE)


def test_a_free_pass_mints_without_payment_or_proceeds(
    community_pass, create, terms, token, creator, bob
):
    pass_id = create(terms(currency=token.address, price=0))
    community_pass.mint(pass_id, bob, 1, 0, sender=bob)
    assert community_pass.balanceOf(bob, pass_id) == 1
    assert community_pass.proceeds(creator, token) == 0
