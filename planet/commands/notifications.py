"""``planet notifications``: what the API has to tell your identity, and marking it read.

Signs in to the API with the wallet (as ``planet points submit`` does), lists your
notifications newest first (``--unread`` for the unread only), and with ``--read-all`` marks
every one up to the newest read. Nothing is sent to the chain.
"""

from __future__ import annotations

import click

from planet.commands.api_client import PlanetApi
from planet.commands.session import Session, api_option, wallet_options


@click.command("notifications")
@click.option("--unread", is_flag=True, help="Only the ones not yet read.")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--read-all", is_flag=True, help="Then mark every one up to the newest read.")
@api_option
@wallet_options
def notifications_command(
    session: Session, unread: bool, limit: int, read_all: bool, api: str
) -> None:
    """Your notifications (followed creators' posts and sessions, comments and likes on your
    posts, passes lapsing, rewards to claim, revoked attestations), newest first."""
    client = PlanetApi(api, session.network.chain_id)
    try:
        client.sign_in(session.wallet)
        params: dict[str, str | int] = {"limit": limit}
        if unread:
            params["unread"] = "true"
        page = client.call("GET", "/notifications", params=params)
        marked = 0
        if read_all and page["items"]:
            newest = max(item["id"] for item in page["items"])
            answer = client.call("POST", "/notifications/read", json={"up_to": newest})
            marked, page["unread"] = answer["marked"], answer["unread"]
    finally:
        client.close()
    for item in page["items"]:
        mark = " " if item["read"] else "*"
        excerpt = f": {item['excerpt']}" if item["excerpt"] else ""
        session.say(f"{mark} {item['id']:>6}  {item['created_at'][:16]}  {item['text']}{excerpt}")
    if not page["items"]:
        session.say("No notifications.")
    if read_all:
        session.say(f"Marked {marked} read.")
    session.say(f"{page['unread']} unread.")
    session.result({**page, "marked": marked})
