"""Property: whatever creators post, whoever comments and likes, whatever sessions go live,
no notification anyone can read carries the text of a private post, of a comment on one, or
a private session's title; not a follower without a pass, not a pass holder, not the author.
(The stream sends what the list renders, through the same function.) And every public post
of a followed creator is told to each follower exactly once."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.api import START, add_native_pass
from tests.support.profiles import examples

_examples = itertools.count(1)
_passes = itertools.count(100)

PEOPLE = ("alice", "bob", "carol", "dave")  # creators alice and bob; dave holds alice's pass
Step = tuple[str, int, int, bool]
steps = st.lists(
    st.tuples(
        st.sampled_from(["post", "comment", "like", "live"]),
        st.integers(0, 3),  # who acts
        st.integers(0, 20),  # which earlier post (modulo how many there are)
        st.booleans(),  # private?
    ),
    min_size=1,
    max_size=15,
)


@pytest.fixture
def client(make_client):
    return make_client(notification_scan_interval=0)


@pytest.mark.slow
@settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
@given(script=steps)
def test_no_notification_tells_private_text_and_public_posts_are_told_once(
    client, member, engine, script: list[Step]
):
    n = next(_examples)
    people = {name: member(f"{name}_{n}") for name in PEOPLE}
    add_native_pass(
        engine, next(_passes), people["alice"].account.address, [people["dave"].account.address]
    )
    for fan, creator in (("carol", "alice"), ("carol", "bob"), ("dave", "alice")):
        reply = client.put(
            f"/profiles/{people[creator].handle}/follow", headers=people[fan].headers
        )
        assert reply.status_code == 200, reply.text
    posts: list[tuple[int, str, bool]] = []  # id, author, private
    soon = datetime.fromtimestamp(START + 3600, tz=UTC).isoformat()
    for i, (action, actor, target, private) in enumerate(script):
        who = people[PEOPLE[actor]]
        secret = f"SECRET-{i}" if private else f"open-{i}"
        if action == "post":
            body = {"body": secret, "visibility": "private" if private else "public"}
            reply = client.post("/posts", json=body, headers=who.headers)
            posts.append((reply.json()["id"], PEOPLE[actor], private))
        elif action == "live":
            body = {
                "title": secret,
                "scheduled_at": soon,
                "visibility": "private" if private else "public",
            }
            reply = client.post("/live", json=body, headers=who.headers)
            assert reply.status_code in (201, 409), reply.text
            if reply.status_code == 201:
                sid = reply.json()["id"]
                assert client.post(f"/live/{sid}/start", headers=who.headers).is_success
        elif posts:
            pid, _, private_post = posts[target % len(posts)]
            text = f"SECRET-{i}" if private_post else f"open-{i}"
            if action == "comment":
                reply = client.post(
                    f"/posts/{pid}/comments", json={"body": text}, headers=who.headers
                )
            else:
                reply = client.put(f"/posts/{pid}/like", headers=who.headers)
            assert reply.status_code in (200, 201, 403), reply.text  # 403: no pass

    for name, person in people.items():
        items = client.get("/notifications", params={"limit": 100}, headers=person.headers).json()
        assert "SECRET" not in json.dumps(items), (name, items)
        told = [n["post_id"] for n in items["items"] if n["kind"] == "post"]
        assert len(told) == len(set(told))
        followed = {"carol": {"alice", "bob"}, "dave": {"alice"}}.get(name, set())
        public = [pid for pid, author, private in posts if author in followed and not private]
        assert set(public) <= set(told), (name, public, told)
