"""A creator's tools in a real browser: the creator directory (GET /profiles), editing the
persona and putting its hash on chain from the wallet, a pass priced in an ERC-20 created in the
token's units, bought and renewed with the approve step (and the token's own error decoded when
the balance falls short), the dashboard's per-week pass sales and revenue, and the token's
proceeds withdrawn."""

from __future__ import annotations

import json

from eth_utils import keccak
from playwright.sync_api import expect

from tests.web.conftest import connect_and_sign_in, screenshot
from tests.web.test_journey import confirmed

USDT = 10**6  # the test token has 6 decimals
PRICE = 5 * USDT


def test_the_directory_and_a_persona_put_on_chain(open_page, actors, web_app):
    creator, fan = actors.users[0], actors.users[1]
    web_app.planet.register(creator, "maker")
    web_app.planet.register(fan, "fan1")
    web_app.indexed()

    page, _ = open_page(fan, "/creators")
    directory = page.get_by_role("list", name="Creator directory")
    expect(directory.get_by_role("listitem")).to_have_count(2)
    expect(directory.get_by_role("listitem").first).to_contain_text("@fan1")  # newest first
    page.get_by_label("Order").select_option("rank")
    expect(directory.get_by_role("listitem")).to_have_count(2)
    screenshot(page, "creators")
    page.get_by_role("link", name="@maker").click()
    page.get_by_role("heading", name="@maker", exact=True).wait_for()

    studio, _ = open_page(creator, "/studio")
    connect_and_sign_in(studio)
    studio.get_by_text("You are @maker").wait_for()
    studio.get_by_label("Bio").fill("Macro notes, weekly.")
    studio.get_by_label("Links (one http(s) URL a line)").fill("https://example.org/maker")
    studio.get_by_role("button", name="Save persona").click()
    sync = studio.get_by_test_id("persona-sync")
    expect(sync).to_contain_text("does not match the chain yet")
    studio.get_by_role("button", name="Put the persona's hash on chain").click()
    confirmed(studio, "Put the persona's hash on chain")
    expect(studio.get_by_test_id("persona-sync")).to_contain_text("matches the chain.")
    screenshot(studio, "studio-persona")

    # on chain: the URI serving the document, and the keccak of its exact bytes
    identity = web_app.planet.identity
    token = identity.functions.identityOf(creator.address).call()
    _, uri, digest, *_ = identity.functions.profile(token).call()
    served = page.request.get(uri)
    assert served.ok and json.loads(served.body())["bio"] == "Macro notes, weekly."
    assert digest == keccak(served.body())

    page.goto(f"{web_app.url}/creator/maker")
    expect(page.get_by_test_id("persona-status")).to_have_text("(matches the hash on chain)")
    expect(page.locator("main")).to_contain_text("Macro notes, weekly.")
    page.goto(f"{web_app.url}/creators")
    expect(page.locator("li[data-handle='maker']")).to_contain_text("Macro notes, weekly.")


def test_a_pass_priced_in_a_token_is_approved_then_bought(
    open_page, actors, web_app, planet_with_token
):
    planet = planet_with_token
    creator, fan = actors.users[0], actors.users[1]
    planet.register(creator, "maker")
    planet.register(fan, "fan1")
    token = planet.erc20.address
    web_app.indexed()

    # the creator prices a 30-day pass in the token, in its own units
    studio, _ = open_page(creator, "/studio")
    studio.get_by_role("button", name="Connect Planet Test Wallet").click()
    studio.get_by_text("You are @maker").wait_for()
    studio.get_by_label("Kind").select_option("subscription")
    studio.get_by_label("Paid in").select_option("token")
    studio.get_by_label("Token address").fill(token)
    studio.get_by_label("Price (USDT)").fill("5")
    studio.get_by_label("Period (days)").fill("30")
    fee_bps = planet.community_pass.functions.platformFeeBps().call()
    share = PRICE - PRICE * fee_bps // 10_000
    expect(studio.get_by_test_id("pass-fee")).to_contain_text(
        f"you receive {share / USDT:g} USDT per sale"
    )
    studio.get_by_role("button", name="Create pass").click()
    confirmed(studio, "Create pass")
    pass_id = planet.community_pass.functions.lastPassId().call()
    info = planet.pass_info(pass_id)
    assert (info.currency, info.price, info.duration) == (token, PRICE, 30 * 86400)
    web_app.indexed()

    page, wallet = open_page(fan, "/creator/maker")
    page.get_by_role("button", name="Connect Planet Test Wallet").click()
    offer = page.locator(f"li[data-pass='{pass_id}']")
    expect(offer).to_contain_text("5 USDT")
    buy = offer.get_by_role("button", name=f"Buy pass {pass_id}")

    # no USDT yet: the approve goes through, the mint is refused with the token's error
    buy.click()
    confirmed(page, f"Approve pass {pass_id}'s price")
    failed = page.get_by_role("status").filter(has_text=f"Buy pass {pass_id} failed")
    expect(failed).to_contain_text("ERC20InsufficientBalance")
    assert len(wallet.sent) == 1  # the approve; the failing mint was never sent
    assert planet.erc20.functions.allowance(fan.address, planet.community_pass.address).call() == (
        PRICE
    )
    screenshot(page, "pass-token-refused")

    planet.send(planet.erc20.functions.mint(fan.address, PRICE), fan)
    buy.click()
    confirmed(page, f"Buy pass {pass_id}")
    assert len(wallet.sent) == 2  # the allowance covered the price: no second approve
    assert planet.community_pass.functions.hasAccess(fan.address, pass_id).call()
    assert planet.erc20.functions.balanceOf(fan.address).call() == 0
    screenshot(page, "pass-token-bought")

    # the holder renews: the allowance was spent, so approve again, then renew
    web_app.indexed()
    expiry = planet.community_pass.functions.expiryOf(pass_id, fan.address).call()
    planet.send(planet.erc20.functions.mint(fan.address, PRICE), fan)
    page.reload()
    offer.get_by_role("button", name=f"Renew pass {pass_id}").click()
    confirmed(page, f"Approve pass {pass_id}'s price")
    confirmed(page, f"Renew pass {pass_id}")
    assert len(wallet.sent) == 4
    renewed = planet.community_pass.functions.expiryOf(pass_id, fan.address).call()
    assert renewed == expiry + 30 * 86400

    # the creator's dashboard: this week's two sales and their revenue less the platform fee
    web_app.indexed()
    share *= 2
    studio.get_by_role("link", name="Dashboard").click()
    studio.get_by_role("columnheader", name="Revenue (USDT)").wait_for()
    rows = studio.get_by_role("table", name="Per week", exact=True).get_by_role("row")
    header = [c.inner_text() for c in rows.first.get_by_role("columnheader").all()]
    assert "Pass sales" in header and "Revenue (USDT)" in header
    current = rows.last.get_by_role("cell")
    assert current.nth(header.index("Pass sales") - 1).inner_text() == "2"
    assert current.nth(header.index("Revenue (USDT)") - 1).inner_text() == (
        f"{share / USDT:g} USDT"
    )
    expect(studio.get_by_role("img", name="Pass sales per week")).to_be_visible()
    expect(studio.get_by_role("img", name="Revenue (USDT) per week")).to_be_visible()
    screenshot(studio, "dashboard-sales")

    # and withdraws the token's proceeds from the studio
    studio.get_by_role("link", name="Creator studio").click()
    expect(studio.get_by_test_id("proceeds-USDT")).to_contain_text(f"{share / USDT:g} USDT")
    studio.get_by_role("button", name="Withdraw USDT").click()
    confirmed(studio, "Withdraw USDT")
    assert planet.erc20.functions.balanceOf(creator.address).call() == share
