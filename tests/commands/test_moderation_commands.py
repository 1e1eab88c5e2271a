"""The risk role moderates through the ``planet`` command, as a separate program against a real
anvil and the API served over HTTP: the queue, a hide, a revoke sent from the risk wallet and
mirrored by the indexer, the log; a wallet without the role is told so in one line."""

from __future__ import annotations

import pytest

from tests.commands.test_wallet_journeys import desk, signed_in

__all__ = ["desk"]  # the fixture, shared with the wallet journeys


@pytest.mark.slow
def test_the_risk_role_hides_and_revokes_with_the_planet_command(desk, planet_with_token):
    planet = planet_with_token
    creator, fan, risk = planet.actors.users[0], planet.actors.users[1], planet.actors.risk
    desk.run(creator, "identity", "register", "shill", "--yes")
    desk.run(fan, "identity", "register", "watcher", "--yes")
    desk.index()
    with signed_in(desk.api, creator) as api:
        post_id = api.post("/posts", json={"body": "100x guaranteed"}).json()["id"]
    with signed_in(desk.api, fan) as api:
        assert api.put(f"/posts/{post_id}/like").status_code == 200
        report = {"kind": "post", "target_id": post_id, "reason": "scam"}
        assert api.post("/moderation/reports", json=report).status_code == 200
    submitted = desk.run(creator, "points", "submit", "post", str(post_id), "--yes")
    desk.index()

    refused = desk.run(fan, "moderation", "queue", ok=False)
    assert "risk_role_required" in refused and "Traceback" not in refused
    queue = desk.run(risk, "moderation", "queue")
    assert [i["target"]["id"] for i in queue["items"]] == [post_id]
    hidden = desk.run(
        risk, "moderation", "hide", "post", str(post_id), "--label", "scam", "--reason", "rug"
    )
    assert hidden["action"] == "hide" and hidden["label"] == "scam"
    revoked = desk.run(
        risk, "moderation", "revoke", "post", str(post_id), "--reason", "rug", "--yes"
    )
    assert len(revoked["sent"]) == 1
    desk.index()
    points = desk.run(None, "points", "show", creator.address)
    assert points["total"] == 0 < submitted["points"]
    assert desk.run(risk, "moderation", "queue")["items"] == []
    mine = desk.run(creator, "moderation", "decisions", "--mine")
    assert [d["action"] for d in mine["items"]] == ["revoke", "hide"]
    # the revoke was sent and mirrored: the log says it landed
    assert mine["items"][0]["revoked_on_chain"] == mine["items"][0]["uids"] != []
    again = desk.run(risk, "moderation", "revoke", "post", str(post_id), "--reason", "x", ok=False)
    assert "nothing_to_revoke" in again
    bad = desk.run(risk, "moderation", "hide", "post", str(post_id), "--reason", "x", ok=False)
    assert "--label" in bad
