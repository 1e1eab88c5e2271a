"""Search and the creator directory's orders in a real browser: the header's search box finds
posts and creators; a visitor never sees a private post's text among the results while its
author does; the results page pages one type; the Creators page orders by followers."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.conftest import connect_and_sign_in, publish, screenshot


def test_the_search_box_finds_posts_and_creators_and_keeps_private_posts_private(
    open_page, actors, web_app
):
    alpha, beta, fan = actors.users[0], actors.users[1], actors.users[2]
    for user, handle in ((alpha, "alpha_desk"), (beta, "beta"), (fan, "fan1")):
        web_app.planet.register(user, handle)
    web_app.indexed()
    studio, _ = open_page(alpha, "/studio")
    connect_and_sign_in(studio)
    publish(studio, "Rates: the curve steepens into the close.")
    studio.get_by_label("Who can read it").select_option("private")
    publish(studio, "Holders only: my rates hedge for Friday.")
    beta_studio, _ = open_page(beta, "/studio")
    connect_and_sign_in(beta_studio)
    publish(beta_studio, "A quiet week, no trades.")

    # a visitor: the box in the header, the results page at /find
    page, _ = open_page(fan)
    search = page.get_by_role("search", name="Search Planet")
    search.get_by_label("Search posts and creators").fill('"rates" *')  # syntax is just words
    search.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name='Results for “"rates" *”')).to_be_visible()
    posts = page.get_by_test_id("found-posts")
    expect(posts).to_contain_text("Rates: the curve steepens into the close.")
    expect(posts).not_to_contain_text("Holders only")  # the private post's text never shows
    expect(posts).not_to_contain_text("A quiet week")
    expect(page.get_by_text("No creator matches.")).to_be_visible()
    screenshot(page, "search-results")

    search.get_by_label("Search posts and creators").fill("alpha")
    search.get_by_role("button", name="Search").click()
    creators = page.get_by_test_id("found-profiles")
    expect(creators.get_by_role("link", name="@alpha_desk")).to_be_visible()
    expect(creators.get_by_role("link", name="@beta")).to_have_count(0)
    expect(page.get_by_text("No post matches.")).to_be_visible()

    # only posts, one page at a time
    page.goto(f"{web_app.url}/find?q=rates&type=posts")
    expect(page.get_by_role("heading", name="Creators")).to_have_count(0)
    expect(page.get_by_test_id("found-posts").locator("article")).to_have_count(1)

    # the author searches her own private post
    studio.get_by_role("search").get_by_label("Search posts and creators").fill("rates")
    studio.get_by_role("search").get_by_role("button", name="Search").click()
    mine = studio.get_by_test_id("found-posts")
    expect(mine).to_contain_text("Holders only: my rates hedge for Friday.")
    expect(mine.locator("article")).to_have_count(2)

    # the creator directory by followers: the fan follows beta, who moves first
    page.goto(f"{web_app.url}/creator/beta")
    connect_and_sign_in(page)
    page.get_by_role("button", name="Follow @beta").click()
    expect(page.get_by_test_id("follow-status")).to_have_text("You follow @beta.")
    page.get_by_role("link", name="Creators", exact=True).click()
    page.get_by_label("Order").select_option("followers")
    directory = page.get_by_role("list", name="Creator directory").locator("li")
    expect(directory.first).to_have_attribute("data-handle", "beta")
    expect(directory.first.get_by_test_id("followers")).to_have_text("1 follower")
    page.get_by_label("Order").select_option("active")
    expect(directory.first).to_have_attribute("data-handle", "beta")  # the latest public post
    screenshot(page, "creators-by-followers")
