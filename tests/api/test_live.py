"""Live sessions over HTTP and the in-process WebSocket chat: the state machine, listings,
messages, attendance, rate limits, bad frames and live attestations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from api.services.attestations import activity_uid
from planet.core.typed_data import KIND_LIVE
from planet.store.offchain import live_attendance, live_messages
from tests.support.api import CHAIN_ID, START, chat_url, error


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat()


def schedule(client, host, **fields: object) -> dict:
    body = {"title": "Weekly AMA", "scheduled_at": iso(START + 3600), **fields}
    reply = client.post("/live", json=body, headers=host.headers)
    assert reply.status_code == 201, reply.text
    return reply.json()


def attendees(engine, session_id: int) -> list[int]:
    with engine.connect() as conn:
        return sorted(
            conn.execute(
                select(live_attendance.c.token_id).where(live_attendance.c.session_id == session_id)
            ).scalars()
        )


def test_a_session_moves_scheduled_live_ended_and_only_its_host_moves_it(client, member):
    alice, bob = member("alice"), member("bob")
    s = schedule(client, alice, description="markets", visibility="public")
    assert s["status"] == "scheduled" and s["host"]["handle"] == "alice"
    assert s["started_at"] is None and s["ended_at"] is None
    assert s["attendee_count"] == 0 and s["message_count"] == 0
    sid = s["id"]

    assert error(client.post(f"/live/{sid}/start", headers=bob.headers)) == (403, "not_host")
    assert error(client.post(f"/live/{sid}/end", headers=alice.headers)) == (
        409,
        "session_not_live",
    )
    said = client.post(f"/live/{sid}/messages", json={"body": "early"}, headers=bob.headers)
    assert error(said) == (409, "session_not_live")

    started = client.post(f"/live/{sid}/start", headers=alice.headers)
    assert started.status_code == 200 and started.json()["status"] == "live"
    assert started.json()["started_at"] == iso(START).replace("+00:00", "Z")
    assert error(client.post(f"/live/{sid}/start", headers=alice.headers)) == (
        409,
        "session_already_started",
    )
    assert error(client.post(f"/live/{sid}/end", headers=bob.headers)) == (403, "not_host")

    ended = client.post(f"/live/{sid}/end", headers=alice.headers)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    for action in ("start", "end"):
        reply = client.post(f"/live/{sid}/{action}", headers=alice.headers)
        assert error(reply) == (409, "session_ended")
    said = client.post(f"/live/{sid}/messages", json={"body": "late"}, headers=bob.headers)
    assert error(said) == (409, "session_ended")
    assert client.get(f"/live/{sid}").json()["status"] == "ended"


def test_scheduling_needs_an_identity_and_a_time_not_past(client, member):
    alice = member("alice")
    body = {"title": "AMA", "scheduled_at": iso(START - 1)}
    assert error(client.post("/live", json=body, headers=alice.headers)) == (
        422,
        "scheduled_in_past",
    )
    now = {"title": "AMA", "scheduled_at": iso(START)}
    assert client.post("/live", json=now, headers=alice.headers).status_code == 201
    naive = {"title": "AMA", "scheduled_at": "2030-03-17T12:00:00"}
    assert error(client.post("/live", json=naive, headers=alice.headers)) == (
        422,
        "validation_error",
    )
    for bad in ({"title": "", "scheduled_at": iso(START)}, {"title": "x" * 201}):
        assert error(client.post("/live", json=bad, headers=alice.headers))[0] == 422
    assert error(client.post("/live", json=now)) == (401, "not_authenticated")
    no_identity = member(identity=False)
    assert error(client.post("/live", json=now, headers=no_identity.headers)) == (
        403,
        "identity_required",
    )
    assert error(client.get("/live/999")) == (404, "not_found")
    assert error(client.post("/live/999/start", headers=alice.headers)) == (404, "not_found")


@pytest.mark.dialects  # keyset paging: the SQL differs by dialect
def test_the_listing_filters_by_status_and_pages_newest_first(client, member):
    alice, bob = member("alice"), member("bob")
    ids = [schedule(client, alice if i % 2 else bob, title=f"s{i}")["id"] for i in range(5)]
    client.post(f"/live/{ids[1]}/start", headers=alice.headers)
    client.post(f"/live/{ids[3]}/start", headers=alice.headers)
    client.post(f"/live/{ids[3]}/end", headers=alice.headers)

    def listed(**params: object) -> list[int]:
        return [s["id"] for s in client.get("/live", params=params).json()["items"]]

    assert listed() == ids[::-1]
    assert listed(status="scheduled") == [ids[4], ids[2], ids[0]]
    assert listed(status="live") == [ids[1]]
    assert listed(status="ended") == [ids[3]]
    assert listed(host="bob") == [ids[4], ids[2], ids[0]]
    assert listed(host="alice", status="live") == [ids[1]]

    seen, cursor = [], None
    while True:
        page = client.get("/live", params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        seen += [s["id"] for s in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
    assert error(client.get("/live", params={"cursor": "!!"})) == (422, "invalid_cursor")
    assert error(client.get("/live", params={"status": "soon"})) == (422, "validation_error")
    assert error(client.get("/live", params={"host": "nobody_here"})) == (404, "not_found")
    assert error(client.get("/live", params={"visibility": "private"})) == (422, "host_required")


def test_messages_are_stored_trimmed_listed_oldest_first_and_make_attendees(client, member, engine):
    alice, bob, carol = member("alice"), member("bob"), member("carol")
    sid = schedule(client, alice)["id"]
    client.post(f"/live/{sid}/start", headers=alice.headers)
    sent = []
    for who, text in ((bob, "  gm  "), (carol, "hi"), (bob, "again"), (alice, "welcome")):
        reply = client.post(f"/live/{sid}/messages", json={"body": text}, headers=who.headers)
        assert reply.status_code == 201, reply.text
        sent.append(reply.json())
    assert sent[0]["body"] == "gm" and sent[0]["handle"] == "bob" and sent[0]["delivered"]
    assert sent[0]["address"] == bob.address and sent[0]["token_id"] == bob.token_id

    page = client.get(f"/live/{sid}/messages", params={"limit": 3}).json()
    assert [m["body"] for m in page["items"]] == ["gm", "hi", "again"]
    rest = client.get(f"/live/{sid}/messages", params={"cursor": page["next_cursor"]}).json()
    assert [m["body"] for m in rest["items"]] == ["welcome"] and rest["next_cursor"] is None
    assert "delivered" not in page["items"][0]

    # two distinct attendees; the host's own messages do not make the host one
    assert attendees(engine, sid) == sorted([bob.token_id, carol.token_id])
    got = client.get(f"/live/{sid}").json()
    assert got["attendee_count"] == 2 and got["message_count"] == 4

    blank = client.post(f"/live/{sid}/messages", json={"body": "   "}, headers=bob.headers)
    assert error(blank) == (422, "empty_message")
    long = client.post(f"/live/{sid}/messages", json={"body": "x" * 2001}, headers=bob.headers)
    assert error(long) == (422, "validation_error")
    anon = client.post(f"/live/{sid}/messages", json={"body": "hey"})
    assert error(anon) == (401, "not_authenticated")
    stranger = member(identity=False)
    reply = client.post(f"/live/{sid}/messages", json={"body": "hey"}, headers=stranger.headers)
    assert error(reply) == (403, "identity_required")


def test_sending_is_rate_limited_per_identity(make_client, member):
    client = make_client(rate_limit_identity=60, rate_limit_burst=4)
    alice = member("alice")
    sid = schedule(client, alice)["id"]  # one token
    client.post(f"/live/{sid}/start", headers=alice.headers)  # two
    codes = [
        client.post(f"/live/{sid}/messages", json={"body": "x"}, headers=alice.headers).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    with client.websocket_connect(f"/live/{sid}/chat", headers=alice.headers) as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"body": "too fast"})
        assert ws.receive_json()["error"]["code"] == "rate_limited"


def test_two_sockets_on_one_app_hear_each_other_and_status_changes(client, member, engine):
    alice, bob, carol = member("alice"), member("bob"), member("carol")
    sid = schedule(client, alice)["id"]
    with client:  # the app's lifespan runs: the broker starts and stops with it
        url = f"/live/{sid}/chat"
        with (
            client.websocket_connect(chat_url(client, sid, alice)) as host,
            client.websocket_connect(url, headers=bob.headers) as fan,
            client.websocket_connect(url) as anonymous,
        ):
            ready = [ws.receive_json() for ws in (host, fan, anonymous)]
            assert [r["type"] for r in ready] == ["ready"] * 3
            assert [r["can_send"] for r in ready] == [True, True, False]
            assert ready[0]["status"] == "scheduled"

            fan.send_json({"body": "before start"})
            assert fan.receive_json()["error"]["code"] == "session_not_live"
            assert attendees(engine, sid) == []  # waiting is not attending

            assert client.post(f"/live/{sid}/start", headers=alice.headers).status_code == 200
            for ws in (host, fan, anonymous):
                assert ws.receive_json() == {"type": "status", "session_id": sid, "status": "live"}

            fan.send_json({"body": "gm from bob"})
            heard = [ws.receive_json() for ws in (host, fan, anonymous)]
            assert heard[0] == heard[1] == heard[2]
            assert heard[0]["type"] == "message" and heard[0]["handle"] == "bob"
            assert heard[0]["body"] == "gm from bob" and heard[0]["session_id"] == sid

            said = client.post(
                f"/live/{sid}/messages", json={"body": "rest"}, headers=carol.headers
            )
            assert said.json()["delivered"] is True
            for ws in (host, fan, anonymous):
                assert ws.receive_json()["id"] == said.json()["id"]

            anonymous.send_json({"body": "hello?"})
            assert anonymous.receive_json()["error"]["code"] == "not_authenticated"

            assert client.post(f"/live/{sid}/end", headers=alice.headers).status_code == 200
            # the end is the last thing every socket hears: then it is closed
            for ws in (host, fan, anonymous):
                assert ws.receive_json()["status"] == "ended"
                with pytest.raises(WebSocketDisconnect) as closed:
                    ws.receive_json()
                assert closed.value.code == 1000 and "session_ended" in closed.value.reason

    stored = client.get(f"/live/{sid}/messages").json()["items"]
    assert [m["body"] for m in stored] == ["gm from bob", "rest"]
    # bob was waiting when it started, carol sent a message; the host never attends
    assert attendees(engine, sid) == sorted([bob.token_id, carol.token_id])


def test_joining_counts_one_attendance_per_identity(client, member, engine):
    alice, bob = member("alice"), member("bob")
    sid = schedule(client, alice)["id"]
    client.post(f"/live/{sid}/start", headers=alice.headers)
    for who in (bob, bob, alice, None):
        with client.websocket_connect(chat_url(client, sid, who)) as ws:
            assert ws.receive_json()["status"] == "live"
    assert attendees(engine, sid) == [bob.token_id]
    assert client.get(f"/live/{sid}").json()["attendee_count"] == 1


def test_bad_frames_get_error_frames_and_the_socket_stays_usable(client, member):
    alice, bob = member("alice"), member("bob")
    sid = schedule(client, alice)["id"]
    client.post(f"/live/{sid}/start", headers=alice.headers)
    with client.websocket_connect(chat_url(client, sid, bob)) as ws:
        ws.receive_json()
        for frame, code in (
            ("not json", "invalid_frame"),
            ("[1, 2]", "invalid_frame"),
            ('{"text": "hi"}', "invalid_frame"),
            ('{"body": 5}', "invalid_message"),
            ('{"body": "   "}', "empty_message"),
            ('{"body": "' + "y" * 2001 + '"}', "message_too_long"),
            ('{"body": "' + "z" * 20_000 + '"}', "frame_too_large"),
        ):
            ws.send_text(frame)
            reply = ws.receive_json()
            assert reply["type"] == "error" and reply["error"]["code"] == code, frame
            assert reply["error"]["message"]
        ws.send_bytes(b'{"body": "bytes"}')
        assert ws.receive_json()["error"]["code"] == "invalid_frame"
        ws.send_json({"body": "still here"})
        assert ws.receive_json()["body"] == "still here"


def test_a_bad_token_or_unknown_session_closes_the_socket_with_a_reason(client, member):
    alice = member("alice")
    sid = schedule(client, alice)["id"]
    forged = {"Authorization": "Bearer v1.forged.mac"}
    for url, headers, close, code in (
        (f"/live/{sid}/chat", forged, 4401, "invalid_token"),
        (f"/live/{sid}/chat?ticket=made-up", {}, 4401, "invalid_ticket"),
        ("/live/999/chat", {}, 4404, "not_found"),
    ):
        with client.websocket_connect(url, headers=headers) as ws:
            assert ws.receive_json()["error"]["code"] == code
            try:
                ws.receive_json()
                raise AssertionError("the socket stayed open")
            except WebSocketDisconnect as closed:
                assert closed.code == close and code in closed.reason


def test_an_ended_session_with_an_attendee_earns_its_host_a_live_attestation(client, member):
    alice, bob = member("alice"), member("bob")
    lonely = schedule(client, alice)["id"]
    sid = schedule(client, alice)["id"]

    def attest(who, session_id: int):
        body = {"activity": "live", "id": session_id}
        return client.post("/attestations", json=body, headers=who.headers)

    assert error(attest(alice, sid)) == (409, "session_not_ended")
    client.post(f"/live/{sid}/start", headers=alice.headers)
    client.post(f"/live/{sid}/messages", json={"body": "here"}, headers=bob.headers)
    assert error(attest(alice, sid)) == (409, "session_not_ended")
    client.post(f"/live/{sid}/end", headers=alice.headers)
    assert error(attest(bob, sid)) == (403, "not_your_activity")

    first = attest(alice, sid)
    assert first.status_code == 201, first.text
    c = first.json()["contribution"]
    assert c["kind"] == KIND_LIVE and c["amount"] == 20
    assert c["uid"] == activity_uid(CHAIN_ID, "live", sid)
    assert first.json()["kind_name"] == "live" and c["account"] == alice.account.address
    again = attest(alice, sid)
    assert again.status_code == 200 and again.json() == first.json()

    client.post(f"/live/{lonely}/start", headers=alice.headers)
    client.post(f"/live/{lonely}/end", headers=alice.headers)
    assert error(attest(alice, lonely)) == (422, "session_without_attendees")
    assert error(attest(alice, 999)) == (404, "not_found")


def test_messages_of_a_session_are_kept_with_it(client, member, engine):
    alice, bob = member("alice"), member("bob")
    first, second = schedule(client, alice)["id"], schedule(client, alice)["id"]
    for sid in (first, second):
        client.post(f"/live/{sid}/start", headers=alice.headers)
        client.post(f"/live/{sid}/messages", json={"body": f"in {sid}"}, headers=bob.headers)
    with engine.connect() as conn:
        rows = conn.execute(select(live_messages.c.session_id, live_messages.c.body)).all()
    assert sorted(rows) == [(first, f"in {first}"), (second, f"in {second}")]
    assert [m["body"] for m in client.get(f"/live/{first}/messages").json()["items"]] == [
        f"in {first}"
    ]
