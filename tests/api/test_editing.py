"""Authors edit their posts and comments (every version kept, visible under the post's gate)
and delete them (the text gone, the post out of the feeds); a persona edit names the on-chain
update it needs."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from planet.store.mirror import identities
from tests.support.api import error

# the edit history's queries and the soft delete's updates run on both dialects
pytestmark = pytest.mark.dialects


def post(client, member, body: str = "gm", **extra) -> int:
    reply = client.post("/posts", json={"body": body, **extra}, headers=member.headers)
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def test_an_edit_keeps_every_earlier_version_newest_first(client, member, clock):
    alice = member("alice")
    pid = post(client, alice, "first")
    clock.advance(60)
    edited = client.patch(f"/posts/{pid}", json={"body": "second"}, headers=alice.headers)
    assert edited.status_code == 200, edited.text
    assert edited.json()["body"] == "second" and edited.json()["edited_at"] is not None
    clock.advance(60)
    client.patch(f"/posts/{pid}", json={"body": "third"}, headers=alice.headers)
    unchanged = client.patch(f"/posts/{pid}", json={"body": "third"}, headers=alice.headers)
    assert unchanged.status_code == 200  # nothing changed: no version recorded
    history = client.get(f"/posts/{pid}/history").json()
    assert [v["body"] for v in history["versions"]] == ["third", "second", "first"]
    assert history["versions"][0]["replaced_at"] is None
    assert history["versions"][1]["replaced_at"] == history["versions"][0]["written_at"]
    assert client.get(f"/posts/{pid}").json()["body"] == "third"


def test_disclosure_labels_can_be_corrected_but_stay_versioned(client, member):
    alice = member("alice")
    pid = post(
        client,
        alice,
        "long BTC",
        instruments=["BTC-USDT"],
        disclosure={"holds_position": False, "sponsored": False},
    )
    fixed = client.patch(
        f"/posts/{pid}", json={"disclosure": {"sponsored": True}}, headers=alice.headers
    )
    assert fixed.json()["disclosure"] == {"holds_position": False, "sponsored": True}
    history = client.get(f"/posts/{pid}/history").json()["versions"]
    assert [v["disclosure"]["sponsored"] for v in history] == [True, False]
    plain = post(client, alice, "no instruments")
    labels = client.patch(
        f"/posts/{plain}", json={"disclosure": {"sponsored": True}}, headers=alice.headers
    )
    assert error(labels) == (422, "disclosure_required")


def test_only_the_author_edits_or_deletes(client, member):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice)
    assert error(client.patch(f"/posts/{pid}", json={"body": "x"}, headers=bob.headers)) == (
        403,
        "not_author",
    )
    assert error(client.delete(f"/posts/{pid}", headers=bob.headers)) == (403, "not_author")
    assert error(client.patch(f"/posts/{pid}", json={"body": "x"})) == (401, "not_authenticated")
    assert error(client.delete("/posts/999999", headers=alice.headers)) == (404, "not_found")
    empty = client.patch(f"/posts/{pid}", json={"body": ""}, headers=alice.headers)
    assert error(empty) == (422, "validation_error")
    assert client.get(f"/posts/{pid}").json()["body"] == "gm"  # nothing half-done


def test_a_deleted_post_loses_its_text_and_leaves_the_feeds(client, member):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice, "secret plan")
    client.patch(f"/posts/{pid}", json={"body": "edited plan"}, headers=alice.headers)
    kept = post(client, alice, "kept")
    gone = client.delete(f"/posts/{pid}", headers=alice.headers)
    assert gone.status_code == 200, gone.text
    assert gone.json()["deleted"] is True and gone.json()["body"] == ""
    read = client.get(f"/posts/{pid}").json()
    assert read["deleted"] is True and read["body"] == ""
    history = client.get(f"/posts/{pid}/history").json()
    assert history == {
        "id": pid,
        "kind": "post",
        "deleted": True,
        "moderation_label": None,
        "versions": [],
    }
    assert [p["id"] for p in client.get("/posts").json()["items"]] == [kept]
    assert [p["id"] for p in client.get("/posts", params={"author": "alice"}).json()["items"]] == [
        kept
    ]
    assert error(client.delete(f"/posts/{pid}", headers=alice.headers)) == (410, "content_deleted")
    assert error(client.put(f"/posts/{pid}/like", headers=bob.headers)) == (410, "content_deleted")
    comment = client.post(f"/posts/{pid}/comments", json={"body": "hi"}, headers=bob.headers)
    assert error(comment) == (410, "content_deleted")
    edit = client.patch(f"/posts/{pid}", json={"body": "back"}, headers=alice.headers)
    assert error(edit) == (410, "content_deleted")


def test_comments_are_edited_with_history_and_deleted(client, member):
    alice, bob = member("alice"), member("bob")
    pid = post(client, alice)
    cid = client.post(f"/posts/{pid}/comments", json={"body": "nice"}, headers=bob.headers).json()[
        "id"
    ]
    edited = client.patch(f"/comments/{cid}", json={"body": "very nice"}, headers=bob.headers)
    assert edited.json()["body"] == "very nice" and edited.json()["edited_at"]
    history = client.get(f"/comments/{cid}/history").json()
    assert [v["body"] for v in history["versions"]] == ["very nice", "nice"]
    assert error(client.delete(f"/comments/{cid}", headers=alice.headers)) == (403, "not_author")
    assert client.get(f"/posts/{pid}").json()["comment_count"] == 1
    gone = client.delete(f"/comments/{cid}", headers=bob.headers).json()
    assert gone["deleted"] is True and gone["body"] == ""
    assert client.get(f"/posts/{pid}/comments").json()["items"] == []
    assert client.get(f"/posts/{pid}").json()["comment_count"] == 0
    assert client.get(f"/comments/{cid}/history").json()["versions"] == []
    assert error(client.delete(f"/comments/{cid}", headers=bob.headers)) == (
        410,
        "content_deleted",
    )


def test_a_private_posts_history_is_gated_like_the_post(client, member):
    alice, fan = member("alice"), member("fan")
    pid = post(client, alice, "for holders", visibility="private")
    client.patch(f"/posts/{pid}", json={"body": "for holders only"}, headers=alice.headers)
    assert error(client.get(f"/posts/{pid}/history")) == (401, "not_authenticated")
    assert error(client.get(f"/posts/{pid}/history", headers=fan.headers)) == (
        403,
        "pass_required",
    )
    mine = client.get(f"/posts/{pid}/history", headers=alice.headers).json()
    assert [v["body"] for v in mine["versions"]] == ["for holders only", "for holders"]


def test_a_persona_edit_says_which_onchain_update_it_needs(client, member, engine):
    alice = member("alice")
    persona = {"bio": "hi", "links": [], "pinned_post_ids": []}
    saved = client.put("/profiles/me/persona", json=persona, headers=alice.headers).json()
    # the test identity's metadataURI already serves /profiles/alice/persona: only the hash
    assert saved["onchain_update"] == "metadata_hash"
    assert saved["metadata_uri"].endswith("/profiles/alice/persona")
    assert saved["persona_verified"] is False
    with engine.begin() as conn:
        conn.execute(
            update(identities)
            .where(identities.c.token_id == alice.token_id)
            .values(metadata_hash=saved["metadata_hash"], metadata_uri="ipfs://elsewhere")
        )
    same = client.put("/profiles/me/persona", json=persona, headers=alice.headers).json()
    assert same["onchain_update"] == "none" and same["persona_verified"] is True
    changed = client.put(
        "/profiles/me/persona", json={**persona, "bio": "new"}, headers=alice.headers
    ).json()
    assert changed["onchain_update"] == "metadata_uri_and_hash"
    assert changed["metadata_uri"] == "http://testserver/profiles/alice/persona"
