"""What a wallet app does against the API: sign in with Ethereum, then call routes as that user.

Everything goes over real HTTP; a reply outside the expected statuses stops the story with the
API's own error code and message, so a broken step says which route and why.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from api.services.siwe import sign_in_message
from planet.core.errors import PlanetError


class DemoError(PlanetError):
    """A step of the story failed; the message names the step's request and the answer."""


class ApiClient:
    """One HTTP connection pool to the API, and a session per signed-in wallet."""

    def __init__(self, base_url: str, domain: str, chain_id: int) -> None:
        self.base_url = base_url.rstrip("/")
        self.domain = domain
        self.chain_id = chain_id
        self.http = httpx.Client(base_url=self.base_url, timeout=30)
        self.tokens: dict[str, str] = {}  # lowercase address -> session token

    def close(self) -> None:
        self.http.close()

    def call(
        self,
        method: str,
        path: str,
        user: LocalAccount | None = None,
        expect: tuple[int, ...] = (200, 201),
        **kwargs: Any,
    ) -> Any:
        """The JSON answer of ``method path``, signed in as ``user`` when given."""
        headers = kwargs.pop("headers", {})
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user.address.lower()]}"
        reply = self.http.request(method, path, headers=headers, **kwargs)
        if reply.status_code not in expect:
            raise DemoError(f"{method} {path} answered {reply.status_code}: {reply.text[:300]}")
        return reply.json() if reply.content else None

    def sign_in(self, account: LocalAccount, now: int) -> str:
        """SIWE: a fresh nonce, an EIP-4361 message signed by the wallet, a session token."""
        nonce = self.call("POST", "/auth/nonce")["nonce"]
        message = sign_in_message(
            f"http://{self.domain}",
            account.address,
            self.chain_id,
            nonce,
            datetime.fromtimestamp(now, tz=UTC),
        )
        signature = account.sign_message(encode_defunct(text=message)).signature
        reply = self.call(
            "POST", "/auth/verify", json={"message": message, "signature": "0x" + signature.hex()}
        )
        self.tokens[account.address.lower()] = reply["token"]
        return reply["token"]

    def chat(self, session_id: int, user: LocalAccount) -> ClientConnection:
        """A WebSocket on a live session's chat, signed in as ``user`` the way a browser does
        it: a single-use ticket asked for over HTTP just before, never the session token in
        the URL; waits for ``ready``."""
        ws_base = "ws" + self.base_url.removeprefix("http")
        ticket = self.call("POST", f"/live/{session_id}/chat/ticket", user)
        socket = connect(f"{ws_base}{ticket['url']}", open_timeout=10)
        frame = self.receive(socket)
        if frame.get("type") != "ready":
            raise DemoError(f"chat {session_id}: expected a ready frame, got {frame}")
        return socket

    @staticmethod
    def receive(socket: ClientConnection, kind: str | None = None) -> dict[str, Any]:
        """The next frame (of type ``kind`` when given, skipping others), within 10 s."""
        while True:
            frame = json.loads(socket.recv(timeout=10))
            if kind is None or frame.get("type") == kind:
                return frame

    @staticmethod
    def hears_end(socket: ClientConnection) -> bool:
        """Whether ``socket`` hears the session end and is then closed by the server (1000)."""
        frame = ApiClient.receive(socket, "status")
        if frame.get("status") != "ended":
            raise DemoError(f"chat: expected the session to end, got {frame}")
        try:
            socket.recv(timeout=10)
        except ConnectionClosed as closed:
            return closed.rcvd is not None and closed.rcvd.code == 1000
        return False
