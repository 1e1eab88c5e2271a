"""ERC-20s that misbehave: fee-on-transfer is rejected, USDT-style no-return works."""

import ape


def test_a_fee_on_transfer_token_is_rejected_at_mint(
    community_pass, create, terms, buy, fee_token, bob
):
    pass_id = create(terms(currency=fee_token.address, price=1000))
    with ape.reverts(
        community_pass.PassFeeOnTransfer, currency=fee_token.address, expected=1000, received=990
    ):
        buy(bob, pass_id, token=fee_token)


def test_a_no_return_token_pays_for_a_pass(
    community_pass, create, terms, buy, no_return_token, bob
):
    pass_id = create(terms(currency=no_return_token.address, price=5 * 10**6))
    buy(bob, pass_id, 2, token=no_return_token)
    assert community_pass.balanceOf(bob, pass_id) == 2
    assert no_return_token.balanceOf(community_pass) == 10 * 10**6


def test_a_no_return_token_is_withdrawn(
    community_pass, create, terms, buy, no_return_token, creator, bob
):
    pass_id = create(terms(currency=no_return_token.address, price=5 * 10**6))
    buy(bob, pass_id, 2, token=no_return_token)
    community_pass.withdraw(no_return_token, sender=creator)
    assert no_return_token.balanceOf(creator) == 95 * 10**5


def test_a_failed_no_return_transfer_reverts_the_mint(
    community_pass, create, terms, no_return_token, bob
):
    pass_id = create(terms(currency=no_return_token.address, price=5))
    no_return_token.mint(bob, 5, sender=bob)
    with ape.reverts("allowance"):
        community_pass.mint(pass_id, bob, 1, 5, sender=bob)
