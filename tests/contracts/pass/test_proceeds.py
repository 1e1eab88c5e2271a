"""Pull payments to creators and the treasury, the platform fee, the treasury and the admin."""

import ape
from ape.utils import ZERO_ADDRESS

PRICE = 10**15


def test_the_creator_withdraws_its_native_share(community_pass, create, buy, creator, bob):
    pass_id = create()
    buy(bob, pass_id, 4)
    share = 4 * PRICE * 95 // 100
    before = creator.balance
    tx = community_pass.withdraw(ZERO_ADDRESS, sender=creator)
    assert creator.balance == before + share - tx.total_fees_paid
    assert community_pass.proceeds(creator, ZERO_ADDRESS) == 0
    [log] = community_pass.ProceedsWithdrawn.from_receipt(tx)
    assert (log.payee, log.currency, log.to, log.amount) == (
        creator.address,
        ZERO_ADDRESS,
        creator.address,
        share,
    )


def test_the_creator_withdraws_its_erc20_share(
    community_pass, create, terms, buy, token, creator, bob
):
    pass_id = create(terms(currency=token.address, price=100 * 10**6))
    buy(bob, pass_id, 1, token=token)
    community_pass.withdraw(token, sender=creator)
    assert token.balanceOf(creator) == 95 * 10**6
    assert token.balanceOf(community_pass) == 5 * 10**6


def test_the_treasury_withdraws_the_platform_fee(community_pass, create, buy, treasury, bob, carol):
    pass_id = create()
    buy(bob, pass_id, 4)
    before = carol.balance
    community_pass.withdrawTo(ZERO_ADDRESS, carol, sender=treasury)
    assert carol.balance == before + 4 * PRICE // 20


def test_a_payee_withdraws_to_another_address(community_pass, create, buy, creator, bob, carol):
    pass_id = create()
    buy(bob, pass_id)
    before = carol.balance
    tx = community_pass.withdrawTo(ZERO_ADDRESS, carol, sender=creator)
    assert carol.balance == before + PRICE * 95 // 100
    [log] = community_pass.ProceedsWithdrawn.from_receipt(tx)
    assert (log.payee, log.to) == (creator.address, carol.address)


def test_withdrawing_to_the_zero_address_is_rejected(community_pass, create, buy, creator, bob):
    pass_id = create()
    buy(bob, pass_id)
    with ape.reverts(community_pass.PassZeroAddress):
        community_pass.withdrawTo(ZERO_ADDRESS, ZERO_ADDRESS, sender=creator)


def test_withdrawing_an_empty_balance_is_rejected(community_pass, bob):
    with ape.reverts(
        community_pass.PassNothingToWithdraw, payee=bob.address, currency=ZERO_ADDRESS
    ):
        community_pass.withdraw(ZERO_ADDRESS, sender=bob)


def test_a_second_withdrawal_finds_nothing(community_pass, create, buy, creator, bob):
    pass_id = create()
    buy(bob, pass_id)
    community_pass.withdraw(ZERO_ADDRESS, sender=creator)
    with ape.reverts(community_pass.PassNothingToWithdraw):
        community_pass.withdraw(ZERO_ADDRESS, sender=creator)


def test_a_recipient_refusing_native_payment_fails_the_withdrawal(
    community_pass, create, buy, creator, bob, identity
):
    pass_id = create()
    buy(bob, pass_id)
    amount = PRICE * 95 // 100
    with ape.reverts(community_pass.PassNativeTransferFailed, to=identity.address, amount=amount):
        community_pass.withdrawTo(ZERO_ADDRESS, identity, sender=creator)
    assert community_pass.proceeds(creator, ZERO_ADDRESS) == amount


def test_a_pass_keeps_the_fee_current_at_its_creation(
    community_pass, create, buy, admin, creator, treasury, bob
):
    old = create()
    community_pass.setPlatformFee(1000, sender=admin)
    new = create()
    assert community_pass.passes(old).feeBps == 500
    assert community_pass.passes(new).feeBps == 1000
    tx = buy(bob, old)
    assert community_pass.PassMinted.from_receipt(tx)[0].feeBps == 500
    buy(bob, new)
    assert community_pass.proceeds(treasury, ZERO_ADDRESS) == PRICE // 20 + PRICE // 10


def test_the_admin_sets_the_platform_fee(community_pass, admin):
    tx = community_pass.setPlatformFee(250, sender=admin)
    [log] = community_pass.PlatformFeeChanged.from_receipt(tx)
    assert (log.previousFeeBps, log.feeBps) == (500, 250)
    assert community_pass.platformFeeBps() == 250


def test_the_platform_fee_is_capped_at_ten_percent(community_pass, admin):
    with ape.reverts(community_pass.PassFeeTooHigh, feeBps=1001, maxFeeBps=1000):
        community_pass.setPlatformFee(1001, sender=admin)


def test_only_the_admin_sets_the_platform_fee(community_pass, bob):
    with ape.reverts(community_pass.AccessControlUnauthorizedAccount, account=bob.address):
        community_pass.setPlatformFee(0, sender=bob)


def test_a_new_treasury_accrues_later_fees_and_the_old_one_keeps_its_own(
    community_pass, create, buy, admin, treasury, bob, carol
):
    pass_id = create()
    buy(bob, pass_id)
    tx = community_pass.setTreasury(carol, sender=admin)
    [log] = community_pass.TreasuryChanged.from_receipt(tx)
    assert (log.previousTreasury, log.treasury) == (treasury.address, carol.address)
    buy(bob, pass_id)
    assert community_pass.proceeds(treasury, ZERO_ADDRESS) == PRICE // 20
    assert community_pass.proceeds(carol, ZERO_ADDRESS) == PRICE // 20


def test_the_treasury_cannot_be_the_zero_address(community_pass, admin):
    with ape.reverts(community_pass.PassZeroAddress):
        community_pass.setTreasury(ZERO_ADDRESS, sender=admin)


def test_only_the_admin_sets_the_treasury(community_pass, bob):
    with ape.reverts(community_pass.AccessControlUnauthorizedAccount):
        community_pass.setTreasury(bob, sender=bob)


def test_deployment_rejects_a_fee_above_the_cap(project, admin, identity, points, treasury):
    with ape.reverts(project.CommunityPass.PassFeeTooHigh, feeBps=1001):
        admin.deploy(project.CommunityPass, identity, points, admin, treasury, 1001)


def test_deployment_rejects_a_zero_treasury(project, admin, identity, points):
    with ape.reverts(project.CommunityPass.PassZeroAddress):
        admin.deploy(project.CommunityPass, identity, points, admin, ZERO_ADDRESS, 0)


def test_deployment_rejects_a_zero_admin(project, admin, identity, points, treasury):
    with ape.reverts(project.CommunityPass.PassZeroAddress):
        admin.deploy(project.CommunityPass, identity, points, ZERO_ADDRESS, treasury, 0)


def test_deployment_rejects_a_zero_points_contract(project, admin, identity, treasury):
    with ape.reverts(project.CommunityPass.PassZeroAddress):
        admin.deploy(project.CommunityPass, identity, ZERO_ADDRESS, admin, treasury, 0)
