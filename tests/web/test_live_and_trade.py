"""Live sessions and trading from a post in the browser: a creator tags an instrument in a post
and schedules, starts and ends a session; a fan chats with her over the WebSocket (each sees
the other's message arrive) and buys from her post on the paper exchange, seeing the fill
attributed to her and the post's attributed volume."""

from __future__ import annotations

import math
import time
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from planet.store.offchain import live_messages
from tests.web.conftest import connect_and_sign_in, screenshot


def test_live_chat_and_an_order_from_a_post(open_page, actors, web_app):
    creator, fan = actors.users[0], actors.users[1]
    web_app.planet.register(creator, "host")
    web_app.planet.register(fan, "viewer")
    web_app.indexed()

    host, _ = open_page(creator, "/studio")
    connect_and_sign_in(host)
    host.get_by_label("Text").fill("BTC into the weekly close: my plan.")
    host.get_by_label("Instruments it discusses").fill("BTC-USDT")
    host.get_by_label("I hold a position").check()
    host.get_by_role("button", name="Publish").click()
    published = host.get_by_role("status").filter(has_text="Published post")
    post_id = int(published.inner_text().split("post ")[1].split()[0])

    host.get_by_role("link", name="Live").click()
    ahead = max(0.0, web_app.clock() - time.time())  # the API keeps the chain's time
    host.get_by_label("Title").fill("Office hours")
    host.get_by_label("Starts in (minutes)").fill(str(math.ceil(ahead / 60) + 10))
    host.get_by_role("button", name="Schedule").click()
    host.get_by_role("link", name="Office hours").click()
    host.get_by_role("button", name="Start the session").click()
    expect(host.get_by_test_id("live-status")).to_have_text("live")
    host.get_by_text("Chat connected").wait_for()
    session_url = host.url

    page, _ = open_page(fan, session_url.removeprefix(web_app.url))
    connect_and_sign_in(page)
    page.get_by_text("Chat connected").wait_for()
    host.get_by_role("textbox", name="Message").fill("Welcome, everyone!")
    host.get_by_role("button", name="Send").click()
    expect(page.get_by_role("list", name="Messages")).to_contain_text("@host: Welcome, everyone!")
    page.get_by_role("textbox", name="Message").fill("Thanks for hosting")
    page.get_by_role("button", name="Send").click()
    expect(host.get_by_role("list", name="Messages")).to_contain_text("@viewer: Thanks for hosting")
    screenshot(page, "live-session")

    # the host reports the fan's message; the risk role hides it, and both open chats swap its
    # text for the label at once, without a reload
    with web_app.engine.connect() as conn:
        said = select(live_messages.c.id).where(live_messages.c.body == "Thanks for hosting")
        message_id = conn.execute(said).scalar_one()
    host.get_by_role("button", name=f"Report message {message_id}").click()
    host.get_by_label("Reason").select_option("scam")
    host.get_by_role("button", name="Send report").click()
    expect(host.get_by_role("status").filter(has_text="Reported message")).to_be_visible()
    desk, _ = open_page(actors.risk, "/moderate")
    connect_and_sign_in(desk)
    item = desk.get_by_test_id(f"queue-message-{message_id}")
    item.get_by_label("Reason for the decision").fill("Not what the fan wrote.")
    item.get_by_label("Label").select_option("harassment")
    item.get_by_role("button", name="Hide").click()
    for chat in (host, page):
        messages = chat.get_by_role("list", name="Messages")
        expect(messages).to_contain_text("@viewer: Hidden by moderation: harassment")
        expect(messages).not_to_contain_text("Thanks for hosting")
        expect(messages).to_contain_text("@host: Welcome, everyone!")

    page.goto(f"{web_app.url}/post/{post_id}")
    expect(page.locator("p.disclosure")).to_contain_text("the author holds a position")
    page.get_by_label("Side").select_option("buy")
    page.get_by_label("Size (base currency)").fill("0.002")
    page.get_by_role("button", name="Place market order").click()
    order = page.get_by_test_id("order")
    expect(order).to_contain_text("buy 0.002 BTC-USDT, filled")
    expect(order).to_contain_text("at 65000")
    expect(order).to_contain_text("attributed to the post's creator")
    expect(page.get_by_test_id("post-volume")).to_contain_text("1 attributed fills, volume 130")
    screenshot(page, "post-trade")

    # the host's dashboard counts the fill and its volume in this week
    host.get_by_role("link", name="Dashboard").click()
    host.get_by_role("columnheader", name="Attributed fills").wait_for()
    rows = host.get_by_role("table", name="Per week", exact=True).get_by_role("row")
    header = [c.inner_text() for c in rows.first.get_by_role("columnheader").all()]
    week = rows.last.get_by_role("cell")
    assert week.nth(header.index("Attributed fills") - 1).inner_text() == "1"
    assert week.nth(header.index("Attributed volume (quote units)") - 1).inner_text() == "130"
    assert week.nth(header.index("Live attendance") - 1).inner_text() == "1"
    # and, signed in, what the post converted into: one order, one fill, one trader
    analytics = host.get_by_role("table", name="What your content drew and converted into")
    analytics.get_by_role("columnheader", name="Traders").wait_for()
    rows = analytics.get_by_role("row")
    header = [c.inner_text() for c in rows.first.get_by_role("columnheader").all()]
    week = rows.last.get_by_role("cell")
    for column, shown in (("Posts", "1"), ("Orders", "1"), ("Fills", "1"), ("Traders", "1")):
        assert week.nth(header.index(column) - 1).inner_text() == shown, column
    assert int(week.nth(header.index("Views") - 1).inner_text()) >= 1
    with host.expect_download() as saved:
        host.get_by_role("button", name="Download CSV (12 weeks)").click()
    assert saved.value.suggested_filename == "host-analytics.csv"
    lines = Path(saved.value.path()).read_text().splitlines()
    assert lines[0].startswith("creator,epoch,")
    current = dict(zip(lines[0].split(","), lines[-1].split(","), strict=True))
    epochs = [int(line.split(",")[1]) for line in lines[1:]]  # up to 12, the current one last
    assert 1 <= len(epochs) <= 12 and epochs == list(range(epochs[0], epochs[0] + len(epochs)))
    assert str(epochs[-1]) == rows.last.get_by_role("rowheader").inner_text()
    assert (current["orders"], current["fills"], current["traders"]) == ("1", "1", "1")
    assert current["volume_micro"] == str(130 * 10**6)
    screenshot(host, "dashboard-trade")
    host.go_back()

    host.get_by_role("button", name="End the session").click()
    expect(host.get_by_test_id("live-status")).to_have_text("ended")
    host.get_by_role("link", name="Live").click()
    expect(host.locator("main li").first).to_contain_text("Office hours")
    screenshot(host, "sessions")
