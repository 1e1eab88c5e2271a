"""Rights earned by contribution and refunds in a real browser: a pass that requires
contribution points shows its Buy button disabled with the missing requirement named; once
the fan earned the points (an attestation on chain, mirrored by the indexer) the same page
buys it; within the creator's refund window the fan cancels the payment and withdraws the
refund, both from the page."""

from __future__ import annotations

from playwright.sync_api import expect

from planet.core.passes import PassTerms
from tests.support.protocol import DAY, ZERO
from tests.web.conftest import screenshot
from tests.web.test_journey import confirmed

PRICE = 10**16


def test_buy_is_disabled_until_the_points_are_earned_and_a_refund_is_paid_by_pull(
    open_page, actors, web_app
):
    planet = web_app.planet
    creator, fan = actors.users[0], actors.users[1]
    planet.register(creator, "gatekeeper")
    planet.register(fan, "earner")
    cp = planet.community_pass.functions
    pass_id = planet.create_pass(creator, PassTerms(ZERO, PRICE, 10, 1, 30 * DAY))
    planet.send(cp.setRequirements(pass_id, (30, 0, False)), creator)
    planet.send(cp.setRefundWindow(pass_id, 7 * DAY), creator)
    web_app.indexed()

    page, wallet = open_page(fan, "/creator/gatekeeper")
    page.get_by_role("button", name="Connect Planet Test Wallet").click()
    offer = page.locator(f"li[data-pass='{pass_id}']")
    buy = offer.get_by_role("button", name=f"Buy pass {pass_id}")
    expect(buy).to_be_disabled()
    expect(offer.get_by_test_id(f"missing-{pass_id}")).to_contain_text(
        "Requires 30 contribution points (you have 0)"
    )
    screenshot(page, "pass-requirement-missing")
    assert wallet.sent == []

    c, signature = planet.contribution(fan.address, 35)
    planet.send(planet.points.functions.attest(c.as_tuple(), signature), fan)
    web_app.indexed()
    page.reload()  # the wallet stays connected
    expect(buy).to_be_enabled()
    buy.click()
    confirmed(page, f"Buy pass {pass_id}")
    assert cp.hasAccess(fan.address, pass_id).call()

    web_app.indexed()
    page.reload()  # the wallet stays connected
    refund = offer.get_by_test_id(f"refund-{pass_id}")
    expect(refund).to_contain_text("Refund available")
    screenshot(page, "pass-refund-available")
    refund.get_by_role("button", name=f"Refund pass {pass_id}").click()
    confirmed(page, f"Refund pass {pass_id}")
    owed = cp.proceeds(fan.address, ZERO).call()
    assert 0 < owed <= PRICE
    assert not cp.hasAccess(fan.address, pass_id).call()
    before = planet.w3.eth.get_balance(fan.address)
    refund.get_by_role("button", name=f"Withdraw refund of pass {pass_id}").click()
    confirmed(page, f"Withdraw refund of pass {pass_id}")
    assert cp.proceeds(fan.address, ZERO).call() == 0
    assert planet.w3.eth.get_balance(fan.address) > before - 10**15  # the refund less gas
    screenshot(page, "pass-refund-withdrawn")
