"""``planet notifications`` as a fan runs it: signed in with the wallet, the fan reads that a
creator he follows posted, then marks everything read."""

from __future__ import annotations

import pytest

from tests.commands import test_wallet_journeys as journeys
from tests.commands.test_wallet_journeys import signed_in

desk = journeys.desk  # the journeys' fixture: the API over anvil, planet run as a user would


@pytest.mark.slow
def test_a_fan_reads_his_notifications_and_marks_them_read(desk, planet_with_token):
    planet = planet_with_token
    creator, fan = planet.actors.users[0], planet.actors.users[1]
    planet.register(creator, "grace")
    planet.register(fan, "ada")
    desk.index()
    with signed_in(desk.api, fan) as http:
        assert http.put("/profiles/grace/follow").status_code == 200
    with signed_in(desk.api, creator) as http:
        assert http.post("/posts", json={"body": "BTC into the close"}).status_code == 201

    listed = desk.run(fan, "notifications")
    [item] = listed["items"]
    assert item["text"] == "@grace posted" and item["excerpt"] == "BTC into the close"
    assert listed["unread"] == 1 and listed["marked"] == 0

    marked = desk.run(fan, "notifications", "--read-all")
    assert marked["marked"] == 1 and marked["unread"] == 0
    assert desk.run(fan, "notifications", "--unread")["items"] == []
    # a wallet without an identity is told what to do, in one line
    stranger = planet.actors.users[2]
    said = desk.run(stranger, "notifications", ok=False)
    assert "identity_required" in said and "Traceback" not in said
