"""The Planet API as the wallet commands use it: sign in with Ethereum, then call routes.

The SIWE domain is the API URL's host (what the API is configured to expect when it is served
at that address); the message is signed by the command's wallet, whatever kind it is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from api.services.siwe import sign_in_message
from planet.chain.wallets import Wallet
from planet.core.errors import PlanetError


class ApiError(PlanetError):
    """The API could not be reached or refused; the message names the route and its code."""


class PlanetApi:
    def __init__(self, base_url: str, chain_id: int, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.chain_id = chain_id
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self.token: str | None = None

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer of a 2xx reply; any other reply is one line with the API's code."""
        headers = kwargs.pop("headers", {})
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            reply = self.http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as err:
            raise ApiError(
                f"cannot reach the API at {self.base_url}: {type(err).__name__}"
            ) from None
        try:
            body = reply.json() if reply.content else None
        except ValueError:
            raise ApiError(
                f"{method} {path} answered {reply.status_code}, not JSON (is {self.base_url} "
                "the Planet API?)"
            ) from None
        if reply.status_code >= 400:
            error = body.get("error", {}) if isinstance(body, dict) else {}
            code = error.get("code", reply.status_code)
            message = error.get("message", reply.text[:200])
            raise ApiError(f"the API refused {method} {path}: {code}: {message}")
        return body

    def sign_in(self, wallet: Wallet) -> None:
        """SIWE: a nonce from the API, the message signed by ``wallet``, a session token."""
        nonce = self.call("POST", "/auth/nonce")["nonce"]
        url = urlsplit(self.base_url)
        message = sign_in_message(
            f"{url.scheme}://{url.netloc}",
            wallet.address,
            self.chain_id,
            nonce,
            datetime.now(tz=UTC).replace(microsecond=0),
        )
        signature = wallet.sign_message(message)
        reply = self.call(
            "POST", "/auth/verify", json={"message": message, "signature": "0x" + signature.hex()}
        )
        self.token = reply["token"]

    def close(self) -> None:
        self.http.close()
