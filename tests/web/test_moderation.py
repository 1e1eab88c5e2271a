"""Editing and moderation in a real browser: an author edits a post (its history shows both
versions) and deletes another; a fan reports a post; a wallet holding RISK_ROLE on chain finds
it in the review queue and hides it as a scam; every reader then sees the label in place of the
text, and the author reads the decision with its reason."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.conftest import connect_and_sign_in, publish, screenshot


def test_an_author_edits_and_deletes_and_the_risk_role_hides_a_reported_post(
    open_page, actors, web_app
):
    author, fan, risk = actors.users[0], actors.users[1], actors.risk
    web_app.planet.register(author, "editor")
    web_app.planet.register(fan, "reader")
    web_app.indexed()

    studio, _ = open_page(author, "/studio")
    connect_and_sign_in(studio)
    edited = publish(studio, "BTC looks weak into the close.")
    shill = publish(studio, "Buy SHILL now, 100x guaranteed.")
    doomed = publish(studio, "A post I will regret.")

    # the author edits: the new text shows, and the history keeps both versions
    studio.goto(f"{web_app.url}/post/{edited}")
    studio.get_by_role("button", name=f"Edit post {edited}").click()
    studio.get_by_label("Edit your post").fill("BTC looks weak into the close; I hold no position.")
    studio.get_by_role("button", name="Save edit").click()
    expect(studio.get_by_test_id("post-body")).to_have_text(
        "BTC looks weak into the close; I hold no position."
    )
    expect(studio.get_by_test_id("post-edited")).to_be_visible()
    studio.get_by_text("Edit history").click()
    versions = studio.get_by_test_id("versions").locator("li")
    expect(versions).to_have_count(2)
    expect(versions.nth(1)).to_contain_text("BTC looks weak into the close.")
    screenshot(studio, "post-edit-history")

    # ... and deletes another: it answers as deleted
    studio.goto(f"{web_app.url}/post/{doomed}")
    studio.once("dialog", lambda dialog: dialog.accept())
    studio.get_by_role("button", name=f"Delete post {doomed}").click()
    expect(studio.get_by_test_id("post-deleted")).to_have_text(
        "This post was deleted by its author."
    )

    # a fan reports the shill
    page, _ = open_page(fan, f"/post/{shill}")
    connect_and_sign_in(page)
    page.get_by_role("button", name=f"Report post {shill}").click()
    page.get_by_label("Reason").select_option("scam")
    page.get_by_label("Note (optional)").fill("guaranteed returns")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status").filter(has_text="Reported post")).to_be_visible()
    # no Moderation queue for a wallet without the role
    page.goto(f"{web_app.url}/moderate")
    expect(page.get_by_text("This wallet does not hold the risk role")).to_be_visible()

    # the risk officer reviews the queue and hides it
    desk, _ = open_page(risk, "/moderate")
    connect_and_sign_in(desk)
    item = desk.get_by_test_id(f"queue-post-{shill}")
    expect(item).to_contain_text("1 report(s) (scam x1)")
    expect(item).to_contain_text("guaranteed returns")
    screenshot(desk, "moderation-queue")
    item.get_by_label("Reason for the decision").fill("Promises guaranteed returns.")
    item.get_by_label("Label").select_option("scam")
    item.get_by_role("button", name="Hide").click()
    expect(desk.get_by_text("Nothing awaits a decision.")).to_be_visible()
    expect(desk.get_by_test_id("decision-log")).to_contain_text("hide (scam) post")

    # everyone sees the label, not the text
    page.goto(f"{web_app.url}/post/{shill}")
    expect(page.get_by_test_id("moderation-label")).to_have_text("Hidden by moderation: scam")
    expect(page.get_by_test_id("post-body")).to_have_text("")
    page.get_by_role("link", name="Planet", exact=True).click()
    expect(page.get_by_test_id("feed-posts")).to_contain_text("Hidden by moderation: scam")
    expect(page.get_by_test_id("feed-posts")).not_to_contain_text("100x guaranteed")
    expect(page.get_by_test_id("feed-posts")).not_to_contain_text("A post I will regret.")

    # the author reads the decision and its reason
    studio.goto(f"{web_app.url}/moderate")
    mine = studio.get_by_test_id("my-decisions")
    expect(mine).to_contain_text(f"hide (scam) post {shill}")
    expect(mine).to_contain_text("Promises guaranteed returns.")
    screenshot(studio, "moderation-my-decisions")
