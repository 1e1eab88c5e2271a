"""One week of Planet in a real browser, end to end: a creator registers and creates a
subscription pass from her wallet and writes a private post; a fan signs in, is refused the post,
buys the pass, reads it, comments and submits the attestation the API signed for the comment;
the week closes (the chain's clock passes its end and the close runs); the fan claims from the
rewards page and the wallet's balance moves by exactly the allocation minus gas; the creator
withdraws the sale's proceeds and, never claiming her own share, sees it expire when the claim
window closes. Every page visited is screenshotted and its key content checked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from planet.core.epochs import EpochCalendar
from tests.web.conftest import connect_and_sign_in, screenshot

POOL = 2 * 10**18
PASS_PRICE = 10**16  # 0.01 OKB


def confirmed(page: Page, label: str) -> None:
    """Waits for the transaction ``label`` to end, and says why if it did not confirm."""
    done = page.locator("[data-status=confirmed], [data-status=failed], [data-status=rejected]")
    final = page.get_by_role("status").filter(has_text=label).and_(done).last
    final.wait_for()
    assert final.get_attribute("data-status") == "confirmed", final.inner_text()


def register(page: Page, handle: str) -> None:
    page.get_by_role("link", name="Creator studio").click()
    page.get_by_label("Handle").fill(handle)
    page.get_by_role("button", name="Register").click()
    confirmed(page, "Register")
    page.get_by_text(f"You are @{handle}").wait_for()  # the indexer mirrored it


@pytest.mark.slow
def test_a_week_of_planet_in_the_browser(open_page, actors, web_app):
    w3 = web_app.planet.w3
    creator, fan = actors.users[0], actors.users[1]

    # The creator: identity, a 30-day pass at 0.01 OKB (fee shown), a private post.
    studio, _ = open_page(creator, "/studio")
    connect_and_sign_in(studio)
    register(studio, "maker")
    expect(studio.get_by_test_id("pass-fee")).to_contain_text("Platform fee")
    studio.get_by_label("Kind").select_option("subscription")
    studio.get_by_label("Price (OKB)").fill("0.01")
    studio.get_by_label("Period (days)").fill("30")
    studio.get_by_role("button", name="Create pass").click()
    confirmed(studio, "Create pass")
    studio.get_by_text("you offer 1 pass(es)").wait_for()
    pass_id = web_app.planet.community_pass.functions.lastPassId().call()
    terms = web_app.planet.community_pass.functions.passes(pass_id).call()
    assert terms[8] == PASS_PRICE and terms[1] == 30 * 86400  # price, duration
    for body, who in (("Members only: the weekly plan.", "private"), ("Hello, Planet!", "public")):
        studio.get_by_label("Text").fill(body)
        studio.get_by_label("Who can read it").select_option(who)
        studio.get_by_role("button", name="Publish").click()
        studio.get_by_role("status").filter(has_text="Published post").wait_for()
        if who == "private":
            text = studio.get_by_role("status").filter(has_text="Published post").inner_text()
            private_id = int(re.search(r"post (\d+)", text).group(1))
    screenshot(studio, "studio")

    # The fan: the feed, an identity, refused the private post, buys the pass, reads it.
    page, wallet = open_page(fan)
    page.get_by_role("heading", name="Public feed").wait_for()
    expect(page.locator("article")).to_contain_text("Hello, Planet!")
    screenshot(page, "feed")
    connect_and_sign_in(page)
    register(page, "fan1")

    page.goto(f"{web_app.url}/post/{private_id}")
    page.get_by_role("alert").filter(has_text="@maker's private community needs").wait_for()
    expect(page.locator(f"li[data-pass='{pass_id}']")).to_contain_text("30-day subscription")
    expect(page.locator(f"li[data-pass='{pass_id}']")).to_contain_text("0.01 OKB")
    screenshot(page, "post-refused")
    page.get_by_role("button", name=f"Buy pass {pass_id}").click()
    # once the indexer has the purchase the page swaps the offer for the post it unlocked
    page.get_by_role("status").filter(has_text="Pass bought (confirmed on chain)").wait_for()
    expect(page.get_by_test_id("post-body")).to_have_text("Members only: the weekly plan.")
    assert web_app.planet.community_pass.functions.hasAccess(fan.address, pass_id).call()

    page.get_by_label("Your comment").fill("Thanks, this plan is clear.")
    page.get_by_role("button", name="Comment", exact=True).click()
    attest = page.get_by_role("button", name=re.compile(r"Earn points for comment \d+"))
    attest.click()
    confirmed(page, "Earn points for comment")
    expect(page.get_by_test_id("views")).to_contain_text("1 views")
    expect(page.locator("article")).to_contain_text("1 comments")
    screenshot(page, "post-read")
    points = web_app.planet.points.functions.balanceOf(fan.address).call()
    assert points > 0

    page.goto(f"{web_app.url}/creator/maker")
    page.get_by_role("heading", name="@maker", exact=True).wait_for()
    expect(page.locator("main")).to_contain_text("Members only: the weekly plan.")  # a holder
    expect(page.locator(f"li[data-pass='{pass_id}']")).to_contain_text("1 sold")
    screenshot(page, "creator")

    # The week closes: funded, the clock passes its end, scored and proposed, unchallenged.
    calendar = EpochCalendar(web_app.manifest.genesis)
    epoch = calendar.epoch_at(w3.eth.get_block("latest")["timestamp"])
    web_app.planet.fund(epoch, POOL, actors.admin)
    result = web_app.close_week(epoch, actors.admin)
    amounts = {
        a["account"].lower(): int(a["amount"]) for a in result.distribution.data["allocations"]
    }
    allocation = amounts[fan.address.lower()]
    web_app.indexed()
    # proposed, in its challenge period: pending, counting down on the chain's clock
    page.get_by_role("link", name="My rewards").click()
    pending = page.locator(f"tr[data-epoch='{epoch}']")
    expect(pending).to_have_attribute("data-state", "pending")
    expect(pending).to_contain_text(re.compile(r"pending: claimable in \d+ (d|h|min)"))
    screenshot(page, "my-rewards-pending")
    challenge = web_app.planet.vault.functions.CHALLENGE_PERIOD().call()
    web_app.clock.travel_to(int(web_app.clock()) + challenge + 60)
    web_app.indexed()

    page.get_by_role("link", name="Leaderboard").click()
    expect(page.locator("table")).to_contain_text("@fan1")
    expect(page.locator("table")).to_contain_text("@maker")
    # each account's reason codes, as the published file gives them
    reports = {a["account"].lower(): a for a in result.distribution.data.get("accounts", [])}
    for who, handle in ((creator, "maker"), (fan, "fan1")):
        row = page.get_by_role("row").filter(has_text=f"@{handle}")
        for code in reports.get(who.address.lower(), {}).get("reasons", []):
            expect(row.get_by_test_id("reasons")).to_contain_text(code)
    fan_row = page.get_by_role("row").filter(has_text="@fan1")
    expect(fan_row.get_by_test_id("reasons")).to_be_visible()  # codes, or "none"
    fan_row.get_by_role("button", name=re.compile("^Why")).click()
    expect(fan_row.locator("ul.why")).to_contain_text("points:")
    screenshot(page, "leaderboard")

    # the directory ranks by what the closed week paid
    page.get_by_role("link", name="Creators").click()
    page.get_by_label("Order").select_option("rank")
    first = page.get_by_role("list", name="Creator directory").get_by_role("listitem").first
    paid = {"maker": amounts[creator.address.lower()], "fan1": amounts[fan.address.lower()]}
    expect(first).to_contain_text(f"Week {epoch}:")
    expect(first).to_contain_text(f"paid {max(paid.values()) / 10**18:g} OKB")
    handles = [
        li.get_attribute("data-handle")
        for li in page.get_by_role("list", name="Creator directory").get_by_role("listitem").all()
    ]
    assert sorted(handles, key=lambda h: -paid[h]) == handles  # by what the week paid
    screenshot(page, "creators-ranked")

    page.get_by_role("link", name="My rewards").click()
    expect(page.get_by_test_id("claimable-total")).not_to_contain_text(" 0 OKB")
    expect(page.locator(f"tr[data-epoch='{epoch}']")).to_contain_text("claimable until")
    screenshot(page, "my-rewards")
    before = w3.eth.get_balance(fan.address)
    page.get_by_role("button", name="Claim 1 epoch").click()
    confirmed(page, "Claim 1 epoch")
    receipt = w3.eth.get_transaction_receipt(wallet.sent[-1])
    fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert w3.eth.get_balance(fan.address) - before == allocation - fee
    assert web_app.planet.vault.functions.isClaimed(epoch, fan.address).call()
    web_app.indexed()
    page.reload()
    expect(page.locator(f"tr[data-epoch='{epoch}']")).to_have_attribute("data-state", "claimed")

    # The creator withdraws the sale, less the platform fee.
    studio.reload()
    expect(studio.get_by_test_id("proceeds")).not_to_have_text("0 OKB to withdraw")
    owed = web_app.planet.community_pass.functions.proceeds(
        creator.address, "0x" + "00" * 20
    ).call()
    assert 0 < owed <= PASS_PRICE
    studio.get_by_role("button", name="Withdraw").click()
    confirmed(studio, "Withdraw")
    assert (
        web_app.planet.community_pass.functions.proceeds(creator.address, "0x" + "00" * 20).call()
        == 0
    )

    # Her dashboard: the closed week as it scored (one fan viewed, one commented) and paid.
    studio.get_by_role("link", name="Dashboard").click()
    week = studio.get_by_role("rowheader", name=str(epoch))
    row = (
        studio.get_by_role("table", name="Per week", exact=True).get_by_role("row").filter(has=week)
    )
    maker_paid = amounts[creator.address.lower()]
    expect(row).to_contain_text(f"{maker_paid / 10**18:g} OKB")
    cells = row.get_by_role("cell")
    assert [cells.nth(i).inner_text() for i in (0, 2)] == ["1", "1"]  # viewers, commenters
    # her analytics place her in the week's published ranking
    analytics = studio.get_by_role("table", name="What your content drew and converted into")
    ranked = analytics.get_by_role("row").filter(has=week).get_by_role("cell").last
    expect(ranked).to_have_text(re.compile(r"^\d+$"))
    expect(studio.locator("main")).to_contain_text("1 passes sold in all")
    screenshot(studio, "dashboard")

    # She never claimed: once the claim window closes her week shows as expired.
    studio.get_by_role("link", name="My rewards").click()
    expect(studio.locator(f"tr[data-epoch='{epoch}']")).to_have_attribute("data-state", "claimable")
    window = web_app.planet.vault.functions.claimWindowClosesAt(epoch).call()
    web_app.clock.travel_to(window + 60)
    web_app.indexed()
    studio.reload()
    expired = studio.locator(f"tr[data-epoch='{epoch}']")
    expect(expired).to_have_attribute("data-state", "expired")
    expect(expired).to_contain_text("window closed")
    expect(studio.get_by_text("Nothing to claim now.")).to_be_visible()
    screenshot(studio, "my-rewards-expired")
