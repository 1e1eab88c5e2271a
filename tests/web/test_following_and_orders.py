"""Following creators and cancelling orders in a real browser: a fan follows a creator from her
page (the follower count moves, he appears among her followers), the feed's Following choice
holds her post and not another creator's, and he unfollows; a trader places a limit order away
from the paper exchange's price, sees it among his open orders, cancels it and sees it canceled.
A creator's page lists her public posts and offers no Follow button to herself."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.conftest import connect_and_sign_in, publish, screenshot


def test_a_fan_follows_a_creator_reads_the_following_feed_and_unfollows(open_page, actors, web_app):
    alpha, beta, fan = actors.users[0], actors.users[1], actors.users[2]
    for user, handle in ((alpha, "alpha"), (beta, "beta"), (fan, "fan1")):
        web_app.planet.register(user, handle)
    web_app.indexed()
    for user, body in ((alpha, "Alpha: rates into the close."), (beta, "Beta: a quiet week.")):
        studio, _ = open_page(user, "/studio")
        connect_and_sign_in(studio)
        publish(studio, body)
    # a creator is never offered to follow herself
    studio.goto(f"{web_app.url}/creator/beta")
    expect(studio.get_by_test_id("follower-count")).to_contain_text("0 followers")
    expect(studio.get_by_role("button", name="Follow @beta")).to_have_count(0)

    page, _ = open_page(fan)
    page.get_by_text("Sign in to see only the creators you follow.").wait_for()
    expect(page.get_by_label("Posts from").locator("option")).to_have_count(1)  # All only
    page.goto(f"{web_app.url}/creator/alpha")
    posts = page.get_by_test_id("author-posts")
    expect(posts).to_contain_text("Alpha: rates into the close.")  # ?author= lists hers only
    expect(posts).not_to_contain_text("Beta: a quiet week.")
    expect(page.get_by_text("Sign in to follow @alpha.")).to_be_visible()
    connect_and_sign_in(page)
    count = page.get_by_test_id("follower-count")
    expect(count).to_contain_text("0 followers")
    page.get_by_role("button", name="Follow @alpha").click()
    expect(page.get_by_test_id("follow-status")).to_have_text("You follow @alpha.")
    expect(count).to_contain_text("1 follower ")
    followers = page.get_by_role("list", name="Followed by")
    expect(followers.get_by_role("link", name="@fan1")).to_be_visible()
    screenshot(page, "creator-followed")

    # the fan's own page: whom he follows, and no button to follow himself
    page.goto(f"{web_app.url}/creator/fan1")
    following = page.get_by_role("list", name="Follows")
    expect(following.get_by_role("link", name="@alpha")).to_be_visible()
    expect(page.get_by_test_id("following-list-total")).to_have_text("(1)")
    expect(page.get_by_role("button", name="Follow @fan1")).to_have_count(0)

    page.get_by_role("link", name="Planet", exact=True).click()
    feed = page.get_by_test_id("feed-posts")
    expect(feed).to_contain_text("Beta: a quiet week.")  # all creators
    page.get_by_label("Posts from").select_option("following")
    expect(feed).to_have_attribute("data-scope", "following")
    expect(feed).not_to_contain_text("Beta: a quiet week.")
    expect(feed).to_contain_text("Alpha: rates into the close.")
    screenshot(page, "feed-following")

    # back on her page the app knows he follows her: the button now unfollows
    page.get_by_role("link", name="@alpha").first.click()
    page.get_by_role("button", name="Unfollow @alpha").click()
    expect(page.get_by_test_id("follow-status")).to_have_text("You no longer follow @alpha.")
    expect(count).to_contain_text("0 followers")
    expect(page.get_by_role("list", name="Followed by").get_by_role("link")).to_have_count(0)
    page.get_by_role("link", name="Planet", exact=True).click()
    page.get_by_label("Posts from").select_option("following")
    expect(page.get_by_text("No posts from the creators you follow yet")).to_be_visible()


def test_a_trader_cancels_an_open_limit_order(open_page, actors, web_app):
    creator, trader = actors.users[0], actors.users[1]
    web_app.planet.register(creator, "host")
    web_app.planet.register(trader, "trader")
    web_app.indexed()
    studio, _ = open_page(creator, "/studio")
    connect_and_sign_in(studio)
    post_id = publish(studio, "BTC: my levels this week.", "BTC-USDT")

    page, _ = open_page(trader, f"/post/{post_id}")
    connect_and_sign_in(page)
    expect(page.get_by_text("No open orders.")).to_be_visible()
    page.get_by_label("Order type").select_option("limit")
    page.get_by_label("Side").select_option("buy")
    page.get_by_label("Size (base currency)").fill("0.001")
    page.get_by_label("Limit price (quote currency)").fill("60000")  # the market is at 65000
    page.get_by_role("button", name="Place limit order").click()
    order = page.get_by_test_id("order")
    expect(order).to_contain_text("buy 0.001 BTC-USDT at limit 60000, submitted")
    order_id = int(order.inner_text().split()[1])
    listed = page.get_by_test_id("open-orders").locator(f"li[data-order='{order_id}']")
    expect(listed).to_contain_text("at limit 60000, submitted")
    screenshot(page, "open-orders")

    listed.get_by_role("button", name=f"Cancel order {order_id}").click()
    expect(page.get_by_test_id("cancel-result")).to_have_text(f"Order {order_id} canceled.")
    expect(listed).to_have_count(0)
    expect(order).to_contain_text("at limit 60000, canceled")  # the placed order's box follows
    expect(page.get_by_text("No open orders.")).to_be_visible()
    screenshot(page, "order-canceled")
    # the API agrees: nothing open, the order canceled with no fill
    token = page.evaluate("JSON.parse(localStorage.getItem('planet.session')).token")
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        page.request.get(f"{web_app.url}/orders?status=open", headers=headers).json()["items"] == []
    )
    stored = page.request.get(f"{web_app.url}/orders/{order_id}", headers=headers).json()
    assert stored["status"] == "canceled" and stored["fills"] == []
