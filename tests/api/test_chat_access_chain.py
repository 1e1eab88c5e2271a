"""Chat sockets against a real chain: anvil, the indexer following it with the default
confirmation depth (12 blocks), the API on the chain's clock, wallets that sign in with real
signatures and open sockets with tickets.

* A pass transferred away at the head closes its old holder's socket before the next message,
  while the transfer is far from final: the follower mirrors unfinal blocks (journaled, undone
  by a reorg), and every delivery reads the mirror.
* The property: whatever interleaving of pass transfers, mints, renewals, time passing
  (subscriptions lapsing, session tokens expiring), sign-ins, sockets opened and messages,
  every socket that hears a message belongs to a wallet that has access at that moment (as
  the chain's balances, expiries and clock say) with an unexpired token; every other socket
  is closed with the reason instead, and a socket with access is never closed.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from api.settings import ApiSettings
from planet.core.passes import PassTerms
from planet.store import OFFCHAIN, make_engine, migrate
from tests.support.api import SECRET, error, sign_in
from tests.support.indexing import close_indexer, open_indexer
from tests.support.profiles import examples
from tests.support.protocol import ZERO, Planet

PRICE = 10**15
SUBSCRIPTION = 90  # seconds: a subscription lapses within a few steps
TOKEN_TTL = 240  # seconds: so do session tokens
FINALITY = 12  # the indexer's default confirmation depth


def api_settings(database_url: str, manifest_file, chain_id: int, **overrides: Any) -> ApiSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "chain_id": chain_id,
        "siwe_domain": "planet.test",
        "session_secret": SECRET,
        "manifest": manifest_file,
        "token_ttl": TOKEN_TTL,
        "chat_access_ttl": 0,  # every delivery asks the mirror: the property is exact
        "chat_sockets_per_ip": 1_000,
        "chat_flood_frames": 1_000,
        "rate_limit_ip": 100_000,
        "rate_limit_identity": 100_000,
        "rate_limit_burst": 10_000,
    }
    values.update(overrides)
    return ApiSettings(**values)


def bearer(client: TestClient, account: LocalAccount) -> dict[str, str]:
    return sign_in(client, account)


def open_private_session(client: TestClient, host_headers: dict[str, str]) -> int:
    body = {
        "title": "holders only",
        "scheduled_at": "2099-01-01T00:00:00Z",
        "visibility": "private",
    }
    sid = client.post("/live", json=body, headers=host_headers).json()["id"]
    assert client.post(f"/live/{sid}/start", headers=host_headers).status_code == 200
    return sid


def ticket_socket(client: TestClient, sid: int, headers: dict[str, str]) -> Any:
    reply = client.post(f"/live/{sid}/chat/ticket", headers=headers)
    assert reply.status_code == 201, reply.text
    return client.websocket_connect(reply.json()["url"])


def test_a_pass_transferred_away_at_the_head_closes_the_socket_before_it_is_final(
    chain, planet, manifest, manifest_file, database_url, settings_for, make_indexer
):
    host, fan, buyer = planet.actors.users[:3]
    for user, handle in ((host, "host"), (fan, "fan"), (buyer, "buyer")):
        planet.register(user, handle)
    life = planet.create_pass(
        host, PassTerms(ZERO, PRICE, 100, 5, transferable=True, uri="ipfs://life")
    )
    planet.mint_pass(fan, life, 1, fan.address)
    indexer, engine = make_indexer(settings_for(database_url, finality=FINALITY))
    indexer.poll()
    migrate(engine, OFFCHAIN)
    chain_time = lambda: planet.w3.eth.get_block("latest").timestamp  # noqa: E731
    app = create_app(api_settings(database_url, manifest_file, manifest.chain_id), clock=chain_time)
    cp = planet.community_pass.functions
    with TestClient(app) as client:
        heads = {u.address: bearer(client, u) for u in (host, fan, buyer)}
        sid = open_private_session(client, heads[host.address])
        with ticket_socket(client, sid, heads[fan.address]) as ws:
            assert ws.receive_json()["type"] == "ready"
            client.post(f"/live/{sid}/messages", json={"body": "gm"}, headers=heads[host.address])
            assert ws.receive_json()["body"] == "gm"

            planet.send(cp.safeTransferFrom(fan.address, buyer.address, life, 1, b""), fan)
            transfer_block = planet.w3.eth.block_number
            indexer.poll()  # one follow pass, as `planet index` makes every second
            assert indexer.final_block(planet.w3.eth.block_number) < transfer_block  # not final
            assert not cp.hasAccess(fan.address, life).call()
            assert error(client.get(f"/live/{sid}", headers=heads[fan.address])) == (
                403,
                "pass_required",
            )
            client.post(
                f"/live/{sid}/messages", json={"body": "after"}, headers=heads[host.address]
            )
            frame = ws.receive_json()
            assert frame["type"] == "error" and frame["error"]["code"] == "pass_required"
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 4403 and "pass_required" in closed.value.reason
        with ticket_socket(client, sid, heads[buyer.address]) as ws:
            assert ws.receive_json()["type"] == "ready"
    app.state.engine.dispose()


# ---------------------------------------------------------------------- the property


@dataclass
class Socket:
    """An open socket, the wallet it signed in as and when that sign-in's token expires."""

    fan: int
    context: Any
    ws: Any
    token_expires_at: int


class Interleaving(RuleBasedStateMachine):
    """One example: from a snapshot where no fan holds anything, any mix of chain actions,
    time, sign-ins, sockets and messages; the chain goes back to the snapshot at the end."""

    def __init__(self, world: dict[str, Any]) -> None:
        super().__init__()
        self.world = world
        self.planet: Planet = world["planet"]
        self.host: LocalAccount = world["host"]
        self.fans: list[LocalAccount] = world["fans"]
        self.rpc = self.planet.w3.provider
        self.start = self.rpc.make_request("evm_snapshot", [])["result"]
        self.cp = self.planet.community_pass.functions
        self.open: list[Socket] = []
        self.tokens: dict[int, tuple[dict[str, str], int]] = {}  # fan -> (headers, expiry)
        self.deliveries = 0
        self.closures = 0

    @initialize()
    def start_serving(self) -> None:
        world = self.world
        url = world["new_database"]("sqlite")
        self.indexer_parts = open_indexer(
            world["settings_for"](url, finality=FINALITY), world["manifest"]
        )
        self.indexer = self.indexer_parts[0]
        self.indexer.poll()
        engine = make_engine(url)
        migrate(engine, OFFCHAIN)
        engine.dispose()
        self.app = create_app(
            api_settings(url, world["manifest_file"], world["manifest"].chain_id),
            clock=self.now,
        )
        self.client = TestClient(self.app)
        self.sid = open_private_session(self.client, bearer(self.client, self.host))
        # every example starts with listeners: fan 0 holds the lifetime pass, fan 1 a
        # subscription, both listening; fan 2 signed in with nothing
        self.buy_lifetime_pass(0)
        self.subscribe(1)
        for fan in range(3):
            self.signs_in(fan)
        self.opens_a_socket(0)
        self.opens_a_socket(1)
        self.host_says("welcome")

    def teardown(self) -> None:
        try:
            for socket in self.open:
                with contextlib.suppress(Exception):
                    socket.context.__exit__(None, None, None)
            if hasattr(self, "client"):
                self.client.close()
                self.app.state.engine.dispose()
            if hasattr(self, "indexer_parts"):
                close_indexer(*self.indexer_parts)
        finally:
            assert self.rpc.make_request("evm_revert", [self.start])["result"] is True

    # ------------------------------------------------------------------ the model

    def now(self) -> int:
        return int(self.planet.w3.eth.get_block("latest").timestamp)

    def has_access(self, fan: int) -> bool:
        """``hasAccess`` on either of the host's passes, from the chain's balances and expiries
        at the chain's clock (what the API's clock reads)."""
        address = self.fans[fan].address
        held = self.cp.balanceOf(address, self.world["life"]).call() > 0
        return held or self.now() < self.cp.expiryOf(self.world["sub"], address).call()

    def changed(self) -> None:
        """One follow pass of the indexer after a chain action, as ``planet index`` makes."""
        self.indexer.poll()

    # ------------------------------------------------------------------ chain actions

    @rule(fan=st.integers(0, 2))
    def buy_lifetime_pass(self, fan: int) -> None:
        self.planet.mint_pass(self.fans[fan], self.world["life"], 1, self.fans[fan].address)
        self.changed()

    @rule(fan=st.integers(0, 2), to=st.integers(0, 3))
    def transfer_lifetime_pass(self, fan: int, to: int) -> None:
        giver = self.fans[fan]
        life = self.world["life"]
        if self.cp.balanceOf(giver.address, life).call() == 0:
            return
        taker = self.host.address if to == 3 else self.fans[to].address
        self.planet.send(self.cp.safeTransferFrom(giver.address, taker, life, 1, b""), giver)
        self.changed()

    @rule(fan=st.integers(0, 2))
    def subscribe(self, fan: int) -> None:
        who, sub = self.fans[fan], self.world["sub"]
        if self.cp.mintedTo(sub, who.address).call() == 0:
            self.planet.mint_pass(who, sub, 1, who.address)
        else:
            self.planet.renew_pass(who, sub, who.address, 1)
        self.changed()

    @rule(seconds=st.integers(1, 2 * SUBSCRIPTION))
    def time_passes(self, seconds: int) -> None:
        self.planet.travel(seconds)
        self.changed()

    # ------------------------------------------------------------------ the API

    @rule(fan=st.integers(0, 2))
    def signs_in(self, fan: int) -> None:
        self.tokens[fan] = (bearer(self.client, self.fans[fan]), self.now() + TOKEN_TTL)

    @precondition(lambda self: bool(self.tokens))
    @rule(pick=st.integers(0, 2))
    def opens_a_socket(self, pick: int) -> None:
        fan = sorted(self.tokens)[pick % len(self.tokens)]
        headers, expires_at = self.tokens[fan]
        reply = self.client.post(f"/live/{self.sid}/chat/ticket", headers=headers)
        if expires_at <= self.now():
            assert error(reply) == (401, "token_expired")
            return
        if not self.has_access(fan):
            assert error(reply)[0] == 403
            return
        assert reply.status_code == 201, reply.text
        context = self.client.websocket_connect(reply.json()["url"])
        ws = context.__enter__()
        assert ws.receive_json()["type"] == "ready"
        self.open.append(Socket(fan, context, ws, expires_at))

    @rule(body=st.sampled_from(["gm", "alpha", "who is still here?"]))
    def host_says(self, body: str) -> None:
        reply = self.client.post(
            f"/live/{self.sid}/messages",
            json={"body": body},
            headers=bearer(self.client, self.host),
        )
        assert reply.status_code == 201, reply.text
        now = self.now()
        still_open = []
        for socket in self.open:
            frame = socket.ws.receive_json()
            token_valid = now < socket.token_expires_at
            access = self.has_access(socket.fan)
            if frame["type"] == "message":
                # the property: nobody hears a message without access and a valid token
                assert token_valid and access, (socket, frame)
                assert frame["id"] == reply.json()["id"]
                self.deliveries += 1
                still_open.append(socket)
                continue
            assert frame["type"] == "error", frame
            expected = "token_expired" if not token_valid else None
            if expected is None:
                assert not access, (socket, frame)  # never closed while allowed
                assert frame["error"]["code"] in ("pass_required", "pass_expired")
            else:
                assert frame["error"]["code"] == expected
            with pytest.raises(WebSocketDisconnect) as closed:
                socket.ws.receive_json()
            assert closed.value.code == (4401 if expected else 4403)
            self.closures += 1
            socket.context.__exit__(None, None, None)
        self.open = still_open


@pytest.mark.slow
def test_no_message_reaches_a_reader_without_access_at_delivery_time(
    chain, planet, manifest, manifest_file, settings_for, new_database
):
    host, *fans = planet.actors.users[:4]
    for user, handle in zip((host, *fans), ("host", "fan_a", "fan_b", "fan_c"), strict=True):
        planet.register(user, handle)
    world = {
        "planet": planet,
        "host": host,
        "fans": fans,
        "manifest": manifest,
        "manifest_file": manifest_file,
        "settings_for": settings_for,
        "new_database": new_database,
        "life": planet.create_pass(
            host, PassTerms(ZERO, PRICE, 1_000, 1_000, transferable=True, uri="ipfs://life")
        ),
        "sub": planet.create_pass(
            host, PassTerms(ZERO, PRICE, 1_000, 1, SUBSCRIPTION, uri="ipfs://sub")
        ),
    }
    machines: list[Interleaving] = []

    def machine() -> Interleaving:
        machines.append(Interleaving(world))
        return machines[-1]

    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples(32),
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    assert all(m.deliveries for m in machines if hasattr(m, "sid"))
