"""A creator manages its passes from the studio alone, in a real browser: for each pass it
offers (GET /passes?creator=) it sets who may buy (contribution points in the last weeks, a
verified identity), the refund window and the price (the contract's notice period shown), and
gifts the pass to typed addresses or to the top contributors of the latest published week. Each
control shows the chain's value and the new one once its transaction confirmed; the chain and
the API's mirror then agree with what the page sent."""

from __future__ import annotations

from dataclasses import replace

from playwright.sync_api import Page, expect

from planet.core.epochs import EpochCalendar
from planet.core.passes import PassTerms
from planet.core.typed_data import KIND_POST, sign_contribution
from tests.support.protocol import DAY, ZERO
from tests.web.conftest import screenshot
from tests.web.test_journey import confirmed

PRICE = 10**16  # 0.01 OKB
UNLIMITED = 2**64 - 1


def studio_of(open_page, creator, path: str = "/studio") -> tuple[Page, object]:
    page, wallet = open_page(creator, path)
    page.get_by_role("button", name="Connect Planet Test Wallet").click()
    page.get_by_role("heading", name="Your passes").wait_for()
    return page, wallet


def test_a_creator_sets_the_rules_of_a_pass_and_gifts_it_from_the_studio(
    open_page, actors, web_app
):
    planet = web_app.planet
    creator, fan, friend = actors.users[0], actors.users[1], actors.users[2]
    planet.register(creator, "maker")
    cp = planet.community_pass.functions
    pass_id = planet.create_pass(creator, PassTerms(ZERO, PRICE, UNLIMITED, 1, 30 * DAY))
    web_app.indexed()

    page, wallet = studio_of(open_page, creator)
    card = page.locator(f"article[data-pass='{pass_id}']")
    expect(card.get_by_test_id(f"requirements-{pass_id}")).to_contain_text("anyone may buy")
    expect(card.get_by_test_id(f"refund-window-{pass_id}")).to_contain_text("no refunds")
    expect(card.get_by_test_id(f"price-{pass_id}")).to_contain_text("0.01 OKB a period")
    expect(card.get_by_test_id(f"price-notice-{pass_id}")).to_contain_text("for 30 days after")

    # requirements: 30 points earned in the last 4 weeks, and a verified identity
    card.get_by_label("Minimum contribution points").fill("30")
    card.get_by_label("Points counted").select_option("weeks")
    card.get_by_label("Weeks (1 to 12").fill("4")
    card.get_by_label("A verified Planet identity").check()
    card.get_by_role("button", name=f"Set requirements of pass {pass_id}").click()
    confirmed(page, f"Set requirements of pass {pass_id}")
    expect(card.get_by_test_id(f"requirements-{pass_id}")).to_have_text(
        "Now required: at least 30 contribution points earned in the last 4 weeks and a "
        "verified Planet identity."
    )
    assert cp.policy(pass_id).call()[:3] == (30, 4, True)

    # a window of weeks without a minimum is refused before anything is sent
    sent = len(wallet.sent)
    card.get_by_label("Minimum contribution points").fill("0")
    card.get_by_role("button", name=f"Set requirements of pass {pass_id}").click()
    expect(card.get_by_role("alert").filter(has_text="a window of weeks")).to_be_visible()
    assert len(wallet.sent) == sent

    # refunds within 7 days of a payment
    card.get_by_label("Refund window (days").fill("7")
    card.get_by_role("button", name=f"Set refund window of pass {pass_id}").click()
    confirmed(page, f"Set refund window of pass {pass_id}")
    expect(card.get_by_test_id(f"refund-window-{pass_id}")).to_contain_text("within 7 days")
    assert cp.policy(pass_id).call()[3] == 7 * DAY

    # a gift of two periods to two wallets, which meet no requirement (gifts ignore them)
    recipients = card.get_by_label("Recipients (addresses, one a line")
    recipients.fill(f"{fan.address}\nnot-an-address")
    card.get_by_role("button", name=f"Gift pass {pass_id}").click()
    expect(card.get_by_role("alert").filter(has_text="not an address")).to_contain_text(
        "not an address: not-an-address"
    )
    assert len(wallet.sent) == sent + 1  # only the refund window
    recipients.fill(f"{fan.address}\n{friend.address.lower()}, {fan.address}")
    card.get_by_label("Each gets (periods of 30 days)").fill("2")
    card.get_by_role("button", name=f"Gift pass {pass_id}").click()
    confirmed(page, f"Gift pass {pass_id}")
    expect(card.get_by_test_id(f"supply-{pass_id}")).to_contain_text("Now: 2 minted")
    now = planet.w3.eth.get_block("latest")["timestamp"]
    for who in (fan, friend):
        assert cp.hasAccess(who.address, pass_id).call()
        assert cp.expiryOf(pass_id, who.address).call() == now + 60 * DAY

    # a new price: new buyers pay it now, subscribers keep theirs for the notice period
    card.get_by_label("New price, in OKB").fill("0.02")
    card.get_by_role("button", name=f"Change price of pass {pass_id}").click()
    confirmed(page, f"Change price of pass {pass_id}")
    price = card.get_by_test_id(f"price-{pass_id}")
    expect(price).to_contain_text("Now: 0.02 OKB a period")
    expect(price).to_contain_text("renew at no more than the price they last paid until")
    assert planet.pass_info(pass_id).price == 2 * PRICE
    assert cp.renewalPrice(pass_id, fan.address).call() == PRICE
    screenshot(page, "studio-pass-rules")

    # the API's mirror agrees: the pass's rules, and a gifted wallet's standing
    web_app.indexed()
    listed = page.request.get(f"{web_app.url}/passes/{pass_id}").json()
    assert listed["requirements"] == {
        "min_points": "30",
        "points_weeks": 4,
        "verified_identity": True,
    }
    assert listed["refund_window"] == 7 * DAY
    assert listed["terms"]["price"] == str(2 * PRICE)
    assert listed["holders_price_from"] is not None
    rights = page.request.get(f"{web_app.url}/passes/{pass_id}/rights/{fan.address}").json()
    assert rights["expiry"] == now + 60 * DAY
    assert rights["renewal_price"] == str(PRICE)  # the snapshot, during the notice
    assert {m["requirement"] for m in rights["missing"]} == {"points", "verified_identity"}


def test_a_gift_the_chain_refuses_shows_its_error_and_sends_nothing(open_page, actors, web_app):
    planet = web_app.planet
    creator, fan, friend = actors.users[0], actors.users[1], actors.users[2]
    planet.register(creator, "maker")
    pass_id = planet.create_pass(creator, PassTerms(ZERO, PRICE, 1, UNLIMITED, 0, True))
    web_app.indexed()

    page, wallet = studio_of(open_page, creator)
    card = page.locator(f"article[data-pass='{pass_id}']")
    expect(card.get_by_label("Refund window (days")).to_have_count(0)  # a lifetime pass
    expect(card.get_by_test_id(f"supply-{pass_id}")).to_contain_text("Now: 0 minted of 1")
    card.get_by_label("Recipients (addresses, one a line").fill(f"{fan.address}\n{friend.address}")
    card.get_by_role("button", name=f"Gift pass {pass_id}").click()
    failed = card.get_by_role("status").filter(has_text=f"Gift pass {pass_id} failed")
    expect(failed).to_contain_text("PassSoldOut")
    assert wallet.sent == []
    assert planet.pass_info(pass_id).minted == 0


def test_the_gift_form_fills_in_the_latest_weeks_top_contributors(open_page, actors, web_app):
    planet = web_app.planet
    w3 = planet.w3
    creator = actors.users[0]
    fans = actors.users[1:4]
    planet.register(creator, "maker")
    for n, fan in enumerate(fans):
        planet.register(fan, f"fan{n}")
    pass_id = planet.create_pass(creator, PassTerms(ZERO, PRICE, UNLIMITED, 1, 30 * DAY))
    web_app.indexed()

    page, _ = studio_of(open_page, creator)
    card = page.locator(f"article[data-pass='{pass_id}']")
    card.get_by_role("button", name="Fill in last week's top contributors").click()
    expect(card.get_by_role("status").filter(has_text="No week")).to_contain_text(
        "No week has been published yet"
    )

    # the fans earn points this week; the week closes and its distribution is proposed
    calendar = EpochCalendar(web_app.manifest.genesis)
    epoch = calendar.epoch_at(w3.eth.get_block("latest")["timestamp"])
    for n, fan in enumerate(fans):
        drawn, _ = planet.contribution(fan.address, 100 * (n + 1))
        c = replace(drawn, kind=KIND_POST, epoch=epoch)  # points of this week that score
        signature = sign_contribution(actors.attester, c, planet.chain_id, planet.points.address)
        planet.send(planet.points.functions.attest(c.as_tuple(), signature), fan)
    planet.fund(epoch, 2 * 10**18, actors.admin)
    result = web_app.close_week(epoch, actors.admin)
    ranked = sorted(
        result.distribution.data["allocations"], key=lambda a: (-int(a["amount"]), a["account"])
    )
    top = [a["account"].lower() for a in ranked if a["account"].lower() != creator.address.lower()]
    web_app.indexed()

    card.get_by_label("How many top contributors").fill("2")
    card.get_by_role("button", name="Fill in last week's top contributors").click()
    expect(card.get_by_role("status").filter(has_text="leaderboard")).to_contain_text(
        f"The top 2 of epoch {epoch}'s leaderboard"
    )
    recipients = card.get_by_label("Recipients (addresses, one a line")
    assert [a.lower() for a in recipients.input_value().split()] == top[:2]
    card.get_by_role("button", name=f"Gift pass {pass_id}").click()
    confirmed(page, f"Gift pass {pass_id}")
    screenshot(page, "studio-gift-top-contributors")
    cp = planet.community_pass.functions
    holders = [a for a in (f.address for f in fans) if cp.hasAccess(a, pass_id).call()]
    assert sorted(h.lower() for h in holders) == sorted(top[:2])
