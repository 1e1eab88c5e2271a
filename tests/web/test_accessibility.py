"""Every control of every page is labelled and reachable with the keyboard alone: on each page
(signed in as a creator with a post, a pass and a session, so the pages show their forms and
buttons, the studio its pass's requirements, refund, gift and price controls, and another
creator's page its Follow button), each link, button and form field has an
accessible name, and pressing Tab from the top of the page visits every one of them."""

from __future__ import annotations

from pathlib import Path

from planet.core.passes import PassTerms
from tests.web.conftest import connect_and_sign_in

#: Marks every visible, enabled control and answers the ones without an accessible name.
MARK = (Path(__file__).parent / "a11y.js").read_text()


def test_every_control_is_labelled_and_reachable_by_tab(open_page, actors, web_app):
    creator = actors.users[0]
    planet = web_app.planet
    planet.register(creator, "maker")
    planet.register(actors.users[1], "other")  # another creator's page offers Follow
    planet.create_pass(creator, PassTerms("0x" + "00" * 20, 10**16, 2**64 - 1, 1, 30 * 86400))
    web_app.indexed()
    page, _ = open_page(creator, "/studio")
    # the notification stream stays open while signed in, and the network would never be
    # idle: refused here (the app retries it each second), it is tests/web/test_notifications.py's
    page.route("**/notifications/stream", lambda route: route.abort())
    connect_and_sign_in(page)
    page.get_by_label("Text").fill("A post to read.")
    page.get_by_label("Instruments it discusses").fill("BTC-USDT")  # the post's trade form
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("status").filter(has_text="Published post").wait_for()

    pages = {
        "/": "Public feed",
        "/creators": "Creators",
        "/creator/maker": "@maker",
        "/creator/other": "@other",
        "/post/1": "Post 1 by @maker",
        "/sessions": "Live sessions",
        "/leaderboard": "Weekly leaderboard",
        "/my-rewards": "My rewards",
        "/studio": "Creator studio",
        "/dashboard": "Creator dashboard",
        "/inbox": "Notifications",
        "/moderate": "Moderation",
    }
    for path, heading in pages.items():
        page.goto(web_app.url + path)
        page.get_by_role("heading", name=heading, exact=True).wait_for()
        page.get_by_text("Signed in").wait_for()
        page.wait_for_load_state("networkidle")
        if path == "/post/1":  # the limit price field too
            page.get_by_label("Order type").select_option("limit")
        if path == "/creator/other":
            page.get_by_role("button", name="Follow @other").wait_for()
        if path == "/post/1":  # the author's edit form too
            page.get_by_role("button", name="Edit post 1").click()
        if path == "/studio":  # the pass's controls too, enabled once read from the chain
            page.get_by_test_id("requirements-1").filter(has_text="anyone may buy").wait_for()
            page.get_by_test_id("price-1").filter(has_text="OKB").wait_for()
        if path == "/moderate":
            page.get_by_text("No decision about your content.").wait_for()
        found = page.evaluate(MARK)
        assert found["unnamed"] == [], (path, found["unnamed"])
        assert found["count"] > 5, path
        visited = set()
        for _ in range(found["count"] + 5):
            page.keyboard.press("Tab")
            mark = page.evaluate("document.activeElement && document.activeElement.dataset.a11y")
            if mark is not None:
                visited.add(int(mark))
        missing = set(range(found["count"])) - visited
        assert not missing, (path, missing)
