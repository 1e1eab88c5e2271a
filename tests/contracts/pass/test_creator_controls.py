"""What only the creator may change: price, a lower cap, sales paused or resumed."""

import ape


def test_the_creator_changes_the_price_for_later_sales(community_pass, create, creator, bob):
    pass_id = create()
    tx = community_pass.setPrice(pass_id, 3 * 10**15, sender=creator)
    [log] = community_pass.PassPriceChanged.from_receipt(tx)
    assert (log.previousPrice, log.price) == (10**15, 3 * 10**15)
    community_pass.mint(pass_id, bob, 1, 3 * 10**15, sender=bob, value=3 * 10**15)
    assert community_pass.balanceOf(bob, pass_id) == 1


def test_only_the_creator_changes_the_price(community_pass, create, bob):
    pass_id = create()
    with ape.reverts(community_pass.PassNotCreator, passId=pass_id, caller=bob.address):
        community_pass.setPrice(pass_id, 1, sender=bob)


def test_changing_an_unknown_pass_reverts(community_pass, creator):
    with ape.reverts(community_pass.PassUnknown, passId=9):
        community_pass.setPrice(9, 1, sender=creator)


def test_the_creator_lowers_the_cap(community_pass, create, creator):
    pass_id = create()
    tx = community_pass.lowerSupplyCap(pass_id, 40, sender=creator)
    [log] = community_pass.PassSupplyCapLowered.from_receipt(tx)
    assert (log.previousCap, log.cap) == (100, 40)
    assert community_pass.passes(pass_id).maxSupply == 40


def test_the_cap_can_never_be_raised(community_pass, create, creator):
    pass_id = create()
    with ape.reverts(community_pass.PassCapNotLowered, cap=100, newCap=101):
        community_pass.lowerSupplyCap(pass_id, 101, sender=creator)


def test_setting_the_same_cap_is_not_a_lowering(community_pass, create, creator):
    pass_id = create()
    with ape.reverts(community_pass.PassCapNotLowered, cap=100, newCap=100):
        community_pass.lowerSupplyCap(pass_id, 100, sender=creator)


def test_the_cap_cannot_go_below_minted_supply(community_pass, create, buy, creator, bob):
    pass_id = create()
    buy(bob, pass_id, 3)
    with ape.reverts(community_pass.PassCapBelowSupply, minted=3, newCap=2):
        community_pass.lowerSupplyCap(pass_id, 2, sender=creator)


def test_a_cap_lowered_to_minted_supply_sells_out(community_pass, create, buy, creator, bob):
    pass_id = create()
    buy(bob, pass_id, 3)
    community_pass.lowerSupplyCap(pass_id, 3, sender=creator)
    with ape.reverts(community_pass.PassSoldOut, requested=1, available=0):
        buy(bob, pass_id)


def test_only_the_creator_lowers_the_cap(community_pass, create, bob):
    pass_id = create()
    with ape.reverts(community_pass.PassNotCreator):
        community_pass.lowerSupplyCap(pass_id, 1, sender=bob)


def test_pausing_stops_mints(community_pass, create, buy, creator, bob):
    pass_id = create()
    tx = community_pass.setSalesPaused(pass_id, True, sender=creator)
    [log] = community_pass.PassSalesStateChanged.from_receipt(tx)
    assert log.paused
    with ape.reverts(community_pass.PassSalesPaused, passId=pass_id):
        buy(bob, pass_id)


def test_pausing_stops_renewals(community_pass, create, subscription, buy, renew, creator, bob):
    pass_id = create(subscription())
    buy(bob, pass_id)
    community_pass.setSalesPaused(pass_id, True, sender=creator)
    with ape.reverts(community_pass.PassSalesPaused, passId=pass_id):
        renew(bob, pass_id)


def test_resuming_reopens_sales(community_pass, create, buy, creator, bob):
    pass_id = create()
    community_pass.setSalesPaused(pass_id, True, sender=creator)
    tx = community_pass.setSalesPaused(pass_id, False, sender=creator)
    [log] = community_pass.PassSalesStateChanged.from_receipt(tx)
    assert not log.paused
    buy(bob, pass_id)
    assert community_pass.balanceOf(bob, pass_id) == 1


def test_only_the_creator_pauses_sales(community_pass, create, bob):
    pass_id = create()
    with ape.reverts(community_pass.PassNotCreator):
        community_pass.setSalesPaused(pass_id, True, sender=bob)
