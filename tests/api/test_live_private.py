"""Private live sessions without a chain: passes and holdings written as the indexer mirrors
them, read by the real access policy. No pass, an expired subscription and another creator's
pass are refused on every live route (listing by host, the socket included); listings never
show what they may not read; holders and the host get everything."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, insert
from starlette.websockets import WebSocketDisconnect

from planet.store.mirror import pass_holdings, passes
from tests.api.test_live import schedule
from tests.support.api import CHAIN_ID, START, Member, chat_url, error

ZERO = "0x" + "00" * 20


def add_pass(engine: Engine, pass_id: int, creator: Member, duration: int = 0) -> None:
    row = {
        "chain_id": CHAIN_ID,
        "pass_id": pass_id,
        "creator": creator.address,
        "currency": ZERO,
        "price": 10**15,
        "max_supply": 100,
        "wallet_limit": 2,
        "duration": duration,
        "transferable": True,
        "royalty_bps": 0,
        "fee_bps": 0,
        "paused": False,
        "minted": 1,
        "uri": f"ipfs://pass/{pass_id}",
        "created_block": 1,
        "created_tx": "0x" + "22" * 32,
        "updated_block": 1,
    }
    with engine.begin() as conn:
        conn.execute(insert(passes).values(**row))


def hold(engine: Engine, pass_id: int, holder: Member, expiry: int = 0, balance: int = 1) -> None:
    row = {
        "chain_id": CHAIN_ID,
        "pass_id": pass_id,
        "holder": holder.address,
        "balance": balance,
        "minted": 1,
        "expiry": expiry,
        "updated_block": 1,
    }
    with engine.begin() as conn:
        conn.execute(insert(pass_holdings).values(**row))


def attempts(client, sid: int, headers: dict) -> dict[str, object]:
    """Every HTTP live route that could reveal or touch session ``sid``."""
    return {
        "get": client.get(f"/live/{sid}", headers=headers),
        "messages": client.get(f"/live/{sid}/messages", headers=headers),
        "send": client.post(f"/live/{sid}/messages", json={"body": "hi"}, headers=headers),
        "community": client.get(
            "/live", params={"host": "host", "visibility": "private"}, headers=headers
        ),
    }


def socket_refusal(client, sid: int, headers: dict) -> tuple[int, str, str]:
    """(close code, error frame code, close reason) of a refused chat handshake."""
    with client.websocket_connect(f"/live/{sid}/chat", headers=headers) as ws:
        frame = ws.receive_json()
        assert frame["type"] == "error" and frame["error"]["message"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    return closed.value.code, frame["error"]["code"], closed.value.reason


@pytest.fixture
def community(client, member, engine) -> Callable[[], dict]:
    """A host with a lifetime and a daily pass; fans: lifetime, current and lapsed
    subscribers, another creator's holder, and a wallet with nothing."""

    def make() -> dict:
        people = {
            name: member(name)
            for name in ("host", "lifer", "subscriber", "lapsed", "other_fan", "nobody", "other")
        }
        add_pass(engine, 1, people["host"])
        add_pass(engine, 2, people["host"], duration=86_400)
        add_pass(engine, 3, people["other"])
        hold(engine, 1, people["lifer"])
        hold(engine, 2, people["subscriber"], expiry=START + 600)
        hold(engine, 2, people["lapsed"], expiry=START - 1)
        hold(engine, 3, people["other_fan"])
        return people

    return make


def test_private_sessions_are_refused_on_every_route_without_access(client, community, clock):
    people = community()
    host = people["host"]
    public = schedule(client, host, title="open AMA")["id"]
    sid = schedule(client, host, title="alpha call", visibility="private")["id"]
    assert client.post(f"/live/{sid}/start", headers=host.headers).status_code == 200
    said = client.post(f"/live/{sid}/messages", json={"body": "insider"}, headers=host.headers)
    assert said.status_code == 201

    refused = {"nobody": "pass_required", "other_fan": "pass_required", "lapsed": "pass_expired"}
    for name, code in refused.items():
        who = people[name]
        for route, reply in attempts(client, sid, who.headers).items():
            assert error(reply) == (403, code), (name, route)
        close, frame, reason = socket_refusal(client, sid, who.headers)
        assert (close, frame) == (4403, code) and code in reason, name
        # the listing shows the public session only: no title, no counts of the private one
        listed = client.get("/live", headers=who.headers).json()["items"]
        assert [s["id"] for s in listed] == [public], name
        assert "alpha call" not in client.get("/live", headers=who.headers).text

    for route, reply in attempts(client, sid, {}).items():
        if route != "send":
            assert error(reply) == (401, "not_authenticated"), route
    assert socket_refusal(client, sid, {})[:2] == (4401, "not_authenticated")
    assert [s["id"] for s in client.get("/live").json()["items"]] == [public]

    # refused sends stored nothing
    history = client.get(f"/live/{sid}/messages", headers=host.headers).json()["items"]
    assert [m["body"] for m in history] == ["insider"]

    # the host and current holders read and chat
    for name in ("host", "lifer", "subscriber"):
        who = people[name]
        replies = attempts(client, sid, who.headers)
        assert all(r.status_code // 100 == 2 for r in replies.values()), name
        listed = client.get("/live", headers=who.headers).json()["items"]
        assert [s["id"] for s in listed] == [sid, public], name
        assert listed[0]["title"] == "alpha call"
        with client.websocket_connect(chat_url(client, sid, who)) as ws:
            assert ws.receive_json()["type"] == "ready"

    # the subscription lapses: the subscriber is refused from then on, with the reason
    clock.advance(601)
    subscriber = people["subscriber"]
    for route, reply in attempts(client, sid, subscriber.headers).items():
        assert error(reply) == (403, "pass_expired"), route
    assert socket_refusal(client, sid, subscriber.headers)[:2] == (4403, "pass_expired")
    assert client.get(f"/live/{public}", headers=subscriber.headers).status_code == 200


def test_a_socket_open_when_access_lapses_cannot_send(client, community, clock):
    people = community()
    host, subscriber = people["host"], people["subscriber"]
    sid = schedule(client, host, visibility="private")["id"]
    client.post(f"/live/{sid}/start", headers=host.headers)
    with client.websocket_connect(chat_url(client, sid, subscriber)) as ws:
        assert ws.receive_json()["can_send"] is True
        ws.send_json({"body": "while subscribed"})
        assert ws.receive_json()["body"] == "while subscribed"
        clock.advance(601)
        ws.send_json({"body": "after expiry"})
        assert ws.receive_json()["error"]["code"] == "pass_expired"
    history = client.get(f"/live/{sid}/messages", headers=host.headers).json()["items"]
    assert [m["body"] for m in history] == ["while subscribed"]


def test_attendance_of_a_private_session_needs_access(client, community, engine):
    from tests.api.test_live import attendees

    people = community()
    host = people["host"]
    sid = schedule(client, host, visibility="private")["id"]
    client.post(f"/live/{sid}/start", headers=host.headers)
    for name in ("lifer", "nobody", "lapsed", "lifer"):
        who = people[name]
        with client.websocket_connect(f"/live/{sid}/chat", headers=who.headers) as ws:
            ws.receive_json()
    assert attendees(engine, sid) == [people["lifer"].token_id]


@pytest.mark.dialects  # keyset paging: the SQL differs by dialect
def test_listing_pages_step_over_private_sessions_a_reader_may_not_read(client, community):
    """Pages are read a page at a time and refilled past private sessions, so a reader
    without access still gets full pages in order, and a holder gets every session."""
    people = community()
    host = people["host"]
    kinds = ["public", "private", "private", "public", "private", "public", "public"]
    ids = [schedule(client, host, title=f"s{n}", visibility=v)["id"] for n, v in enumerate(kinds)]
    public = [i for i, v in zip(ids, kinds, strict=True) if v == "public"][::-1]

    def every_page(headers: dict) -> list[list[int]]:
        pages, cursor = [], None
        while True:
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = client.get("/live", params=params, headers=headers).json()
            pages.append([s["id"] for s in page["items"]])
            cursor = page["next_cursor"]
            if cursor is None:
                return pages

    for headers in ({}, people["nobody"].headers):
        assert every_page(headers) == [public[:2], public[2:]]
    assert [i for page in every_page(people["lifer"].headers) for i in page] == ids[::-1]
