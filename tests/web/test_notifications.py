"""Notifications in a real browser: a fan follows a creator, keeps the app open, and hears of
her posts as she publishes them, without a reload (the bell's unread count moves, the inbox
lists them from the live stream), then marks one read, and then all of them."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.conftest import connect_and_sign_in, publish, screenshot


def test_a_fan_hears_of_a_followed_creators_posts_live_and_marks_them_read(
    open_page, actors, web_app
):
    alpha, fan = actors.users[0], actors.users[1]
    web_app.planet.register(alpha, "alpha")
    web_app.planet.register(fan, "fan1")
    web_app.indexed()

    page, _ = open_page(fan, "/creator/alpha")
    connect_and_sign_in(page)
    page.get_by_role("button", name="Follow @alpha").click()
    expect(page.get_by_test_id("follow-status")).to_have_text("You follow @alpha.")
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.get_by_test_id("stream-state")).to_contain_text("live")
    expect(page.get_by_test_id("unread-count")).to_have_text("0")
    expect(page.get_by_text("Nothing yet")).to_be_visible()

    studio, _ = open_page(alpha, "/studio")
    connect_and_sign_in(studio)
    publish(studio, "Alpha: rates into the close.")

    # delivered by the stream: the fan's page was not reloaded
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    notices = page.get_by_role("list", name="Your notifications")
    first = notices.get_by_test_id("notification")
    expect(first).to_have_count(1)
    expect(first).to_contain_text("@alpha posted")
    expect(first).to_contain_text("Alpha: rates into the close.")
    expect(page.get_by_test_id("inbox-unread")).to_have_text("1 unread")
    screenshot(page, "notifications-live")

    page.get_by_role("button", name="Mark “@alpha posted” read").click()
    expect(page.get_by_test_id("unread-count")).to_have_text("0")
    expect(first).to_have_attribute("data-read", "true")

    publish(studio, "Alpha: a second thought.")
    publish(studio, "Alpha: and a third.")
    expect(page.get_by_test_id("unread-count")).to_have_text("2")
    expect(notices.get_by_test_id("notification")).to_have_count(3)
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("unread-count")).to_have_text("0")
    expect(notices.locator('[data-read="false"]')).to_have_count(0)

    # what the server keeps: after a reload the inbox reads the same from GET /notifications
    page.reload()
    expect(
        page.get_by_role("list", name="Your notifications").get_by_test_id("notification")
    ).to_have_count(3)
    expect(page.get_by_test_id("unread-count")).to_have_text("0")
    # the post link leads to the post
    page.get_by_role("link", name="@alpha posted").first.click()
    expect(page.get_by_text("Alpha: and a third.")).to_be_visible()
