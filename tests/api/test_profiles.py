"""Profiles: on-chain identity joined with the persona, persona verification, points."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from sqlalchemy import insert, update

from api.services.profiles import canonical_persona
from planet.core.epochs import EPOCH_DURATION
from planet.store.mirror import epoch_point_balances, identities, point_balances
from tests.support.api import CHAIN_ID, GENESIS, START, add_identity, error

PERSONA = {
    "bio": "Macro trader. Not financial advice ✓",
    "avatar_url": "ipfs://avatar",
    "links": ["https://x.com/alice"],
}


def test_unknown_handle_or_address_is_404(client):
    assert error(client.get("/profiles/nobody")) == (404, "not_found")
    assert error(client.get("/profiles/0x" + "12" * 20)) == (404, "not_found")


def test_a_profile_is_found_by_handle_any_case_and_by_address(client, member):
    alice = member("alice")
    by_handle = client.get("/profiles/ALICE").json()
    by_address = client.get(f"/profiles/{alice.account.address}").json()
    assert by_handle == by_address
    assert by_handle["handle"] == "alice" and by_handle["address"] == alice.address
    assert by_handle["persona"] is None and by_handle["persona_verified"] is False


def test_labels_are_named_from_the_bitmap(client, engine):
    add_identity(engine, "0x" + "34" * 20, "labelled", labels=0b1001 | 1 << 200)
    body = client.get("/profiles/labelled").json()
    assert body["labels"] == ["exchange_staff", "market_maker", "bit_200"]
    assert body["labels_bitmap"] == str(0b1001 | 1 << 200)


def test_the_persona_is_verified_only_when_its_hash_is_on_chain(client, member, engine):
    alice = member("alice")
    saved = client.put("/profiles/me/persona", json=PERSONA, headers=alice.headers)
    assert saved.status_code == 200, saved.text
    digest = saved.json()["metadata_hash"]
    assert saved.json()["persona_verified"] is False
    assert client.get("/profiles/alice").json()["persona_verified"] is False

    served = client.get("/profiles/alice/persona")
    assert served.status_code == 200
    assert "0x" + keccak(served.content).hex() == digest
    assert served.content == canonical_persona(
        {**PERSONA, "pinned_post_ids": [], "schema": "planet.persona/1"}
    )

    # The owner calls Identity.setMetadata(uri, digest); the indexer mirrors it.
    with engine.begin() as conn:
        conn.execute(
            update(identities)
            .where(identities.c.token_id == alice.token_id)
            .values(metadata_hash=digest)
        )
    profile = client.get("/profiles/alice").json()
    assert profile["persona_verified"] is True and profile["persona_hash"] == digest
    assert profile["persona"]["bio"] == PERSONA["bio"]

    client.put("/profiles/me/persona", json={**PERSONA, "bio": "edited"}, headers=alice.headers)
    assert client.get("/profiles/alice").json()["persona_verified"] is False


def test_canonical_form_is_sorted_compact_utf8():
    assert canonical_persona({"b": "✓", "a": [1, 2]}) == '{"a":[1,2],"b":"✓"}'.encode()


def test_only_own_posts_can_be_pinned(client, member):
    alice, bob = member(), member()
    own = client.post("/posts", json={"body": "mine"}, headers=alice.headers).json()["id"]
    theirs = client.post("/posts", json={"body": "bob's"}, headers=bob.headers).json()["id"]
    ok = client.put("/profiles/me/persona", json={"pinned_post_ids": [own]}, headers=alice.headers)
    assert ok.json()["persona"]["pinned_post_ids"] == [own]
    bad = client.put(
        "/profiles/me/persona", json={"pinned_post_ids": [own, theirs]}, headers=alice.headers
    )
    assert error(bad) == (422, "invalid_pinned_post")


def test_editing_a_persona_needs_an_identity(client, member):
    reply = client.put("/profiles/me/persona", json=PERSONA, headers=member(identity=False).headers)
    assert error(reply) == (403, "identity_required")


def test_bad_links_are_a_validation_error(client, member):
    reply = client.put(
        "/profiles/me/persona", json={"links": ["javascript:alert(1)"]}, headers=member().headers
    )
    assert error(reply) == (422, "validation_error")


def test_points_this_epoch_and_total_come_from_the_mirror(client, member, engine):
    alice = member("alice")
    epoch = client.app.state.chain.current_epoch(START)
    with engine.begin() as conn:
        conn.execute(
            insert(point_balances).values(chain_id=CHAIN_ID, account=alice.address, balance=2**70)
        )
        conn.execute(
            insert(epoch_point_balances),
            [
                {"chain_id": CHAIN_ID, "epoch": epoch, "account": alice.address, "balance": 7},
                {"chain_id": CHAIN_ID, "epoch": epoch - 1, "account": alice.address, "balance": 5},
            ],
        )
    points = client.get("/profiles/alice").json()["points"]
    assert points == {"epoch": epoch, "this_epoch": 7, "total": 2**70}


@pytest.mark.dialects
def test_the_directory_lists_newest_registrations_first_in_pages(client, member):
    for name in ("first", "second", "third"):
        member(name)
    client.put(
        "/profiles/me/persona", json={"bio": "I came last"}, headers=member("fourth").headers
    )
    page = client.get("/profiles", params={"limit": 3}).json()
    assert page["sort"] == "recent"
    assert [i["handle"] for i in page["items"]] == ["fourth", "third", "second"]
    assert page["items"][0]["bio"] == "I came last" and page["items"][1]["bio"] is None
    assert page["items"][0]["week_allocation"] is None  # no week published
    rest = client.get("/profiles", params={"limit": 3, "cursor": page["next_cursor"]}).json()
    assert [i["handle"] for i in rest["items"]] == ["first"] and rest["next_cursor"] is None


@pytest.mark.dialects
def test_the_directory_ranks_by_the_latest_closed_week(client, member, engine):
    low, high, idle = member("low"), member("high"), member("idle")
    week = (START - GENESIS) // EPOCH_DURATION - 1
    with engine.begin() as conn:
        conn.execute(
            insert(epoch_point_balances),
            [
                {"chain_id": CHAIN_ID, "epoch": week, "account": low.address, "balance": 5},
                {"chain_id": CHAIN_ID, "epoch": week, "account": high.address, "balance": 90},
                # this week's points do not rank until the week closes
                {"chain_id": CHAIN_ID, "epoch": week + 1, "account": idle.address, "balance": 999},
            ],
        )
    body = client.get("/profiles", params={"sort": "rank", "limit": 2}).json()
    assert body["week"] == week
    assert [(i["handle"], i["week_points"]) for i in body["items"]] == [("high", 90), ("low", 5)]
    rest = client.get("/profiles", params={"sort": "rank", "cursor": body["next_cursor"]}).json()
    assert [i["handle"] for i in rest["items"]] == ["idle"] and rest["next_cursor"] is None


def test_the_directory_refuses_unknown_parameters(client):
    reply = client.get("/profiles", params={"order": "rank"})
    assert error(reply) == (422, "validation_error")
    assert "order" in reply.json()["error"]["message"]
    assert error(client.get("/profiles", params={"sort": "oldest"}))[0] == 422
    assert error(client.get("/profiles", params={"limit": 101}))[0] == 422
    assert error(client.get("/profiles", params={"cursor": "!!"})) == (422, "invalid_cursor")
