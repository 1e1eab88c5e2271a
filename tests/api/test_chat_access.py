"""Who may keep listening on a chat socket, and how sockets are opened and bounded, through the
real app and its WebSockets, with passes and holdings written as the indexer mirrors them:

* every delivery re-checks the token and access, so a socket whose wallet transferred its pass
  away, whose subscription lapsed or whose token expired is closed (4403 / 4401, with the
  reason) before the next message, and every socket is closed when its session ends;
* sockets sign in with single-use tickets bound to a session and a wallet, never a session
  token in the URL;
* one IP holds a bounded number of sockets, a flood of frames closes the socket, a host holds
  a bounded number of open sessions, and listing sessions costs the same however many private
  sessions the reader cannot read.

The same on a real chain, and the property over any interleaving, are in
``test_chat_access_chain.py``."""

from __future__ import annotations

import pytest
from sqlalchemy import event, update
from starlette.websockets import WebSocketDisconnect

from planet.store.mirror import pass_holdings
from tests.api.test_live import schedule
from tests.api.test_live_private import add_pass, hold
from tests.support.api import START, Member, chat_url, error, sign_in


def said(client, sid: int, host: Member, body: str) -> int:
    reply = client.post(f"/live/{sid}/messages", json={"body": body}, headers=host.headers)
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def closed_with(ws) -> tuple[int, str, str]:
    """(close code, error frame code, close reason) of a socket the server shuts."""
    frame = ws.receive_json()
    assert frame["type"] == "error", frame
    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    return closed.value.code, frame["error"]["code"], closed.value.reason


def transfer(engine, pass_id: int, giver: Member, taker: Member) -> None:
    """A lifetime pass moved from ``giver`` to ``taker``, as the indexer mirrors the transfer."""
    with engine.begin() as conn:
        conn.execute(
            update(pass_holdings)
            .where(pass_holdings.c.pass_id == pass_id, pass_holdings.c.holder == giver.address)
            .values(balance=0)
        )
    hold(engine, pass_id, taker)


@pytest.fixture
def private_live(client, member, engine):
    """A live private session of a host with a transferable lifetime pass (1) and a daily
    subscription (2)."""
    host = member("host")
    add_pass(engine, 1, host)
    add_pass(engine, 2, host, duration=86_400)
    sid = schedule(client, host, visibility="private")["id"]
    assert client.post(f"/live/{sid}/start", headers=host.headers).status_code == 200
    return host, sid


def test_a_pass_handed_through_three_wallets_leaves_only_its_holder_listening(
    make_client, member, engine
):
    client = make_client(chat_access_ttl=0)
    host, first, second, third = (member(n) for n in ("host", "first", "second", "third"))
    add_pass(engine, 1, host)
    sid = schedule(client, host, visibility="private")["id"]
    client.post(f"/live/{sid}/start", headers=host.headers)
    hold(engine, 1, first)
    with client.websocket_connect(chat_url(client, sid, first)) as a:
        assert a.receive_json()["type"] == "ready"
        said(client, sid, host, "for first")
        assert a.receive_json()["body"] == "for first"
        transfer(engine, 1, first, second)
        with client.websocket_connect(chat_url(client, sid, second)) as b:
            b.receive_json()
            transfer(engine, 1, second, third)
            with client.websocket_connect(chat_url(client, sid, third)) as c:
                c.receive_json()
                said(client, sid, host, "for third only")
                for gone in (a, b):
                    close, code, reason = closed_with(gone)
                    assert (close, code) == (4403, "pass_required") and code in reason
                assert c.receive_json()["body"] == "for third only"


def test_a_lapsed_subscription_is_closed_at_its_expiry_to_the_second(
    client, member, engine, clock, private_live
):
    """A decision is reused for chat_access_ttl seconds (2 here), never past the expiry of
    the subscription that granted it."""
    host, sid = private_live
    fan = member("fan")
    hold(engine, 2, fan, expiry=START + 90)
    with client.websocket_connect(chat_url(client, sid, fan)) as ws:
        ws.receive_json()
        clock.advance(89)
        said(client, sid, host, "still yours")
        assert ws.receive_json()["body"] == "still yours"
        clock.advance(1)  # now == expiry: lapsed (exclusive), though cached a second ago
        said(client, sid, host, "not yours")
        close, code, reason = closed_with(ws)
        assert (close, code) == (4403, "pass_expired") and "pass_expired" in reason


def test_an_expired_session_token_closes_the_socket_before_the_next_delivery(
    make_client, member, clock
):
    client = make_client(token_ttl=600)
    host, fan = member("host"), member("fan")
    fan.headers = sign_in(client, fan.account)  # a token of this app's 600 s lifetime
    sid = schedule(client, host)["id"]  # public: the token is what is checked
    client.post(f"/live/{sid}/start", headers=host.headers)
    with client.websocket_connect(chat_url(client, sid, fan)) as ws:
        ws.receive_json()
        clock.advance(600)
        host.headers = sign_in(client, host.account)  # the host signs in again; the fan not
        said(client, sid, host, "after the token expired")
        close, code, reason = closed_with(ws)
        assert (close, code) == (4401, "token_expired") and code in reason


def test_an_idle_socket_is_closed_once_its_token_expires_without_any_message(
    make_client, member, clock
):
    """A socket that hears nothing is looked at when its token expires (by the real clock;
    here the app's clock is moved, and the socket's timer, two real seconds, then fires)."""
    client = make_client(token_ttl=2)
    host, fan = member("host"), member("fan")
    fan.headers = sign_in(client, fan.account)
    sid = schedule(client, host)["id"]
    with client.websocket_connect(chat_url(client, sid, fan)) as ws:
        assert ws.receive_json()["type"] == "ready"
        clock.advance(2)
        close, code, _ = closed_with(ws)
        assert (close, code) == (4401, "token_expired")


def test_a_revocation_is_seen_within_the_access_cache_lifetime(
    client, member, engine, clock, private_live
):
    """With the default chat_access_ttl (2 s) a transfer the indexer mirrored may still let
    one delivery through in the same two seconds, never later."""
    host, sid = private_live
    fan, other = member("fan"), member("other")
    hold(engine, 1, fan)
    with client.websocket_connect(chat_url(client, sid, fan)) as ws:
        ws.receive_json()
        said(client, sid, host, "checked")
        assert ws.receive_json()["body"] == "checked"
        transfer(engine, 1, fan, other)
        clock.advance(2)
        said(client, sid, host, "after the cache lifetime")
        assert closed_with(ws)[:2] == (4403, "pass_required")


def test_every_socket_is_closed_when_the_session_ends_and_none_stays_on_an_ended_one(
    client, member, private_live, engine
):
    host, sid = private_live
    fan = member("fan")
    hold(engine, 1, fan)
    with (
        client.websocket_connect(chat_url(client, sid, fan)) as ws,
        client.websocket_connect(chat_url(client, sid, host)) as own,
    ):
        for s in (ws, own):
            s.receive_json()
        client.post(f"/live/{sid}/end", headers=host.headers)
        for s in (ws, own):
            assert s.receive_json()["status"] == "ended"
            with pytest.raises(WebSocketDisconnect) as closed:
                s.receive_json()
            assert closed.value.code == 1000 and "session_ended" in closed.value.reason
    with client.websocket_connect(chat_url(client, sid, fan)) as late:
        ready = late.receive_json()
        assert ready["type"] == "ready" and ready["status"] == "ended"
        with pytest.raises(WebSocketDisconnect) as closed:
            late.receive_json()
        assert closed.value.code == 1000


def test_tickets_are_single_use_short_lived_and_bound_to_their_session(
    client, member, clock, private_live
):
    host, sid = private_live
    other = schedule(client, host)["id"]
    client.post(f"/live/{other}/start", headers=host.headers)

    url = chat_url(client, sid, host)
    with client.websocket_connect(url) as ws:
        assert ws.receive_json()["type"] == "ready"
    with client.websocket_connect(url) as again:  # used once already
        assert closed_with(again)[:2] == (4401, "invalid_ticket")

    late = chat_url(client, sid, host)
    clock.advance(31)
    with client.websocket_connect(late) as ws:
        assert closed_with(ws)[:2] == (4401, "invalid_ticket")

    elsewhere = chat_url(client, sid, host).replace(f"/live/{sid}/", f"/live/{other}/")
    with client.websocket_connect(elsewhere) as ws:
        close, code, _ = closed_with(ws)
        assert (close, code) == (4401, "invalid_ticket")

    # only a signed-in wallet that may read the session gets one
    nobody = member("nobody")
    assert error(client.post(f"/live/{sid}/chat/ticket")) == (401, "not_authenticated")
    assert error(client.post(f"/live/{sid}/chat/ticket", headers=nobody.headers)) == (
        403,
        "pass_required",
    )
    assert error(client.post("/live/999/chat/ticket", headers=host.headers)) == (404, "not_found")


def test_a_session_token_in_the_socket_url_is_refused(client, member):
    alice = member("alice")
    sid = schedule(client, alice)["id"]
    token = alice.headers["Authorization"].split(" ", 1)[1]
    with client.websocket_connect(f"/live/{sid}/chat?token={token}") as ws:
        close, code, reason = closed_with(ws)
        assert (close, code) == (4401, "token_in_url") and code in reason
    with client.websocket_connect(f"/live/{sid}/chat", headers=alice.headers) as ws:
        assert ws.receive_json()["can_send"] is True  # the header still works


def test_one_ip_holds_a_bounded_number_of_sockets(make_client, member):
    client = make_client(chat_sockets_per_ip=3)
    alice = member("alice")
    sid = schedule(client, alice)["id"]
    url = f"/live/{sid}/chat"
    with client.websocket_connect(url) as a, client.websocket_connect(url) as b:
        with client.websocket_connect(url) as c:
            for ws in (a, b, c):
                assert ws.receive_json()["type"] == "ready"
            with client.websocket_connect(url) as refused:
                close, code, reason = closed_with(refused)
                assert (close, code) == (4429, "too_many_sockets") and code in reason
        with client.websocket_connect(url) as d:  # one closed: room for one more
            assert d.receive_json()["type"] == "ready"


def test_a_flood_of_frames_closes_the_socket_per_wallet_over_all_its_sockets(make_client, member):
    client = make_client(chat_flood_frames=3, chat_flood_window=3600)
    alice, bob = member("alice"), member("bob")
    sid = schedule(client, alice)["id"]
    client.post(f"/live/{sid}/start", headers=alice.headers)
    with (
        client.websocket_connect(chat_url(client, sid, bob)) as one,
        client.websocket_connect(chat_url(client, sid, bob)) as two,
    ):
        for ws in (one, two):
            ws.receive_json()
        one.send_json({"body": "a"})
        assert one.receive_json()["body"] == "a"
        assert two.receive_json()["body"] == "a"
        two.send_text("not json")  # invalid frames count too
        assert two.receive_json()["error"]["code"] == "invalid_frame"
        one.send_json({"body": "b"})
        for ws in (one, two):
            assert ws.receive_json()["body"] == "b"
        two.send_json({"body": "one too many"})
        close, code, reason = closed_with(two)
        assert (close, code) == (4429, "chat_flood") and code in reason
    # an anonymous socket is limited on its own
    with client.websocket_connect(f"/live/{sid}/chat") as anon:
        anon.receive_json()
        for _ in range(3):
            anon.send_json({"body": "hi"})
            assert anon.receive_json()["error"]["code"] == "not_authenticated"
        anon.send_json({"body": "hi"})
        assert closed_with(anon)[:2] == (4429, "chat_flood")
    history = client.get(f"/live/{sid}/messages").json()["items"]
    assert [m["body"] for m in history] == ["a", "b"]


def test_a_host_holds_a_bounded_number_of_open_sessions(make_client, member):
    client = make_client(live_open_sessions=2)
    alice = member("alice")
    first = schedule(client, alice)["id"]
    schedule(client, alice, visibility="private")
    reply = client.post(
        "/live",
        json={"title": "third", "scheduled_at": "2031-01-01T00:00:00Z"},
        headers=alice.headers,
    )
    assert error(reply) == (409, "too_many_open_sessions")
    client.post(f"/live/{first}/start", headers=alice.headers)
    client.post(f"/live/{first}/end", headers=alice.headers)
    schedule(client, alice)  # an ended one no longer counts


def test_listing_costs_the_same_however_many_private_sessions_the_reader_cannot_read(
    make_client, member, engine
):
    """The reader's passes filter in SQL: the statements GET /live runs do not grow with the
    private sessions it skips (they did: a batch of a page per skipped page)."""
    client = make_client(live_open_sessions=1_000)
    hosts = [member(f"host_{n}") for n in range(4)]
    reader = member("reader")
    schedule(client, hosts[0], title="public one")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def run() -> tuple[int, list[int]]:
        statements.clear()
        event.listen(engine_of(client), "before_cursor_execute", count)
        try:
            page = client.get("/live", params={"limit": 5}, headers=reader.headers).json()
        finally:
            event.remove(engine_of(client), "before_cursor_execute", count)
        return len(statements), [s["id"] for s in page["items"]]

    few, listed = run()
    for n in range(60):
        schedule(client, hosts[n % 4], title=f"private {n}", visibility="private")
    many, listed_after = run()
    assert listed_after == listed and len(listed) == 1
    assert many == few, statements


def engine_of(client):
    return client.app.state.engine
