"""The API's one settings object, read from ``PLANET_API_*`` environment variables.

Every value is validated when the app is built, so a bad setting stops the server at start-up
with the variable's name instead of failing on the first request.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections import Counter
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from planet.core.names import EXCHANGE_NAMES, ExchangeName
from planet.core.networks import network
from planet.rewards.close import DEFAULT_OUT_DIR

ENV_PREFIX = "PLANET_API_"
LOCAL_RPC_URL = "http://127.0.0.1:8545"
INSTRUMENT = re.compile(r"^[A-Z0-9]{2,15}-[A-Z0-9]{2,15}$")
LOCAL_CHAIN_IDS = (31337, 1337)  # anvil / hardhat and ganache / geth --dev
LOCAL_DOMAIN = "localhost:8000"
# RFC 3986 authority without userinfo: a reg-name, IPv4 or bracketed IPv6 host, optional port
AUTHORITY = re.compile(r"^(?:[A-Za-z0-9._~!$&'()*+,;=%-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")
MIN_SECRET_BITS = 80


def secret_weakness(secret: str) -> str | None:
    """Why ``secret`` is too weak to sign sessions with, or None. Its length alone proves
    nothing ("s" * 40 passed that); these catch what people type instead of random bytes:
    few distinct characters, a repeated pattern, alphabet runs, and too little
    entropy in its character frequencies (a random hex string of 32 has about 110 bits)."""
    if len(secret) < 32:
        return f"must be at least 32 characters (it has {len(secret)})"
    distinct = len(set(secret))
    if distinct < 8:
        return f"uses only {distinct} different characters"
    for period in range(1, len(secret) // 2 + 1):
        if all(secret[i] == secret[i - period] for i in range(period, len(secret))):
            return f"repeats a {period}-character pattern"
    neighbours = sum(abs(ord(a) - ord(b)) <= 1 for a, b in pairwise(secret))
    if neighbours * 5 > len(secret) * 3:
        return "is mostly runs of neighbouring characters (like abcdef or 123456)"
    counts = Counter(secret)
    bits = -sum(n * math.log2(n / len(secret)) for n in counts.values())
    if bits < MIN_SECRET_BITS:
        return f"has about {bits:.0f} bits of entropy, under {MIN_SECRET_BITS}"
    return None


class ApiSettings(BaseSettings):
    """Everything the API needs to know; see each field's description."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    database_url: str = Field(
        default="sqlite:///planet.sqlite",
        description="SQLAlchemy URL of the database the indexer writes (the API adds its own "
        "tables beside the mirrored ones): sqlite:///file or postgresql://user@host/db.",
    )
    chain_id: int = Field(default=31337, gt=0, description="The chain sign-ins must name.")
    siwe_domain: str = Field(
        default="",
        description="The RFC 3986 authority sign-in messages must name (host[:port]); "
        f"required unless chain_id is a local chain ({', '.join(map(str, LOCAL_CHAIN_IDS))}), "
        f"where it defaults to {LOCAL_DOMAIN}.",
    )
    session_secret: SecretStr = Field(
        description="HMAC key for session tokens: at least 32 characters of real randomness "
        "(e.g. python -c 'import secrets; print(secrets.token_hex(32))'); keep it secret.",
    )
    token_ttl: int = Field(default=3600, gt=0, description="Session token lifetime, seconds.")
    nonce_ttl: int = Field(default=600, gt=0, description="Sign-in nonce lifetime, seconds.")
    clock_skew: int = Field(
        default=60, ge=0, description="Seconds a sign-in's Issued At may lie in the future."
    )
    attester_private_key: SecretStr | None = Field(
        default=None,
        description="Key holding the points contract's ATTESTER_ROLE; unset disables "
        "POST /attestations.",
    )
    manifest: Path | None = Field(
        default=None,
        description="Deployment manifest: the points contract address and epoch genesis.",
    )
    points_address: str | None = Field(
        default=None, description="ContributionPoints address (overrides the manifest)."
    )
    genesis: int | None = Field(
        default=None, ge=0, description="Epoch genesis timestamp (overrides the manifest)."
    )
    attestation_ttl: int = Field(
        default=7 * 24 * 3600,
        gt=0,
        description="Seconds an attestation may wait before it is submitted (its deadline).",
    )
    scoring_config: Path = Field(
        default=Path("config/scoring.yaml"),
        description="The weekly scoring formula whose `attestations` rules say which activities "
        "earn points and how many (config/scoring-local.yaml on local chains and the demo).",
    )
    distributions_dir: Path | None = Field(
        default=DEFAULT_OUT_DIR,
        description="Folder of published rewards distribution files, laid out as "
        "<dir>/<chain_id>/epoch-<N>.json: where `planet epoch close` writes them (its "
        "--out-dir, default `distributions`); served at /distributions/<chain_id>/epoch-<N>.json. "
        "Empty: rewards are not served (the /rewards and /distributions routes answer 503 "
        "rewards_unavailable).",
    )
    rpc_url: str | None = Field(
        default=None,
        description="JSON-RPC endpoint of the chain: GET /chain hands it to clients, the "
        "API reads ERC-20 symbols and decimals there (once per token) and asks contract "
        "wallets whether they signed a sign-in message (ERC-1271, ERC-6492). Default: the "
        "network's public RPC (X Layer), else http://127.0.0.1:8545 (a local anvil).",
    )
    claim_window: int | None = Field(
        default=None,
        gt=0,
        description="Seconds an epoch stays claimable after its root does (the vault's "
        "CLAIM_WINDOW); default: from the manifest's PrizeVault.",
    )
    rate_limit_ip: float = Field(
        default=120, gt=0, description="Requests per minute per client IP (sustained)."
    )
    rate_limit_identity: float = Field(
        default=60, gt=0, description="Requests per minute per signed-in wallet (sustained)."
    )
    rate_limit_burst: int = Field(
        default=30, ge=1, description="Requests a bucket allows at once before throttling."
    )
    exchange: ExchangeName = Field(
        default="paper",
        description="Where orders placed from posts go: the built-in paper exchange or OKX.",
    )
    attested_exchanges: Annotated[tuple[ExchangeName, ...], NoDecode] = Field(
        default=("okx",),
        description="Exchanges whose attributed fills earn trade attestations, comma-separated "
        'or a JSON list ("okx,paper"); empty: none. Paper fills cost nothing, so paper is '
        "for local chains and the demo only.",
    )
    paper_prices: Annotated[dict[str, Decimal], NoDecode] = Field(
        default_factory=dict,
        description='Paper exchange prices, JSON: {"BTC-USDT": "65000"}; an instrument without '
        "a price is rejected.",
    )
    okx_api_key: SecretStr | None = Field(default=None, description="OKX v5 API key.")
    okx_secret_key: SecretStr | None = Field(default=None, description="OKX v5 secret key.")
    okx_passphrase: SecretStr | None = Field(default=None, description="OKX v5 API passphrase.")
    okx_domain: str = Field(
        default="https://www.okx.com", min_length=1, description="OKX REST base URL."
    )
    okx_demo: bool = Field(
        default=True,
        description="Trade on OKX demo trading (x-simulated-trading: 1); false: live trading.",
    )
    okx_timeout: float = Field(default=10.0, gt=0, description="Seconds per OKX request.")

    web_dir: Path | None = Field(
        default=None,
        description="Folder of the built web app served at / (default: web/dist, which "
        "make setup builds); a folder without index.html serves no app.",
    )

    ready_max_lag: int = Field(
        default=50,
        ge=0,
        description="/ready fails when the indexer's cursor is more blocks than this behind "
        "the chain's head (the indexer stopped or cannot keep up).",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for live chat fan-out across API processes (redis://host:6379/0); "
        "unset: in-process only (one process).",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1_024,
        description="Largest request body accepted, bytes (413 payload_too_large beyond; the "
        "answer closes the connection, so the rest of the body is never read).",
    )
    max_json_depth: int = Field(
        default=32,
        ge=4,
        le=1_000,
        description="Deepest nesting of arrays and objects a JSON body may have (400 "
        "json_too_deep), checked on the raw bytes before anything parses them.",
    )
    body_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a client has to send a whole request body (408 request_timeout).",
    )
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a client has to send a request's headers, from the connection's "
        "opening or the previous answer; then the server closes the connection (slowloris).",
    )
    max_header_bytes: int = Field(
        default=16_384,
        ge=1_024,
        description="Largest request line plus headers, bytes (431, then the connection closes).",
    )
    keep_alive_timeout: float = Field(
        default=5.0, gt=0, description="Seconds an idle keep-alive connection stays open."
    )
    max_connections: int = Field(
        default=4_096,
        ge=1,
        description="Connections and requests in flight per process before new ones get 503.",
    )
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Addresses or CIDR networks of reverse proxies whose X-Forwarded-For names "
        "the client (comma-separated); default none: the peer address is the client, whatever "
        "headers it sends.",
    )
    redis_channel_prefix: str = Field(
        default="planet:live",
        min_length=1,
        max_length=100,
        description="Live chat channels are <prefix>:<chain id>:<session id>.",
    )

    chat_access_ttl: float = Field(
        default=2.0,
        ge=0,
        description="Seconds a chat socket's access to a private session, once checked, is "
        "reused for deliveries (0: every delivery asks the database); never past the session "
        "token's or the granting subscription's expiry.",
    )
    chat_ticket_ttl: int = Field(
        default=30,
        gt=0,
        le=300,
        description="Seconds a chat socket ticket (POST /live/{id}/chat/ticket) stays usable.",
    )
    chat_sockets_per_ip: int = Field(
        default=20, ge=1, description="Chat sockets one client IP may hold open at once."
    )
    chat_flood_frames: int = Field(
        default=20,
        ge=1,
        description="Frames a chat socket (or one wallet over all its sockets) may send per "
        "chat_flood_window; one more closes the socket with 4429 chat_flood.",
    )
    chat_flood_window: float = Field(
        default=10.0, gt=0, description="Seconds over which chat_flood_frames are counted."
    )
    live_open_sessions: int = Field(
        default=20,
        ge=1,
        description="Live sessions (scheduled or live) one host may hold open at once.",
    )
    notification_scan_interval: float = Field(
        default=60.0,
        ge=0,
        description="Seconds between scans of the mirrored chain for notifications (passes "
        "about to lapse or lapsed, claimable rewards, revoked attestations); 0: no scheduled "
        "scan. GET /notifications also scans the reader's own, at most this often.",
    )
    notification_stream_seconds: float = Field(
        default=300.0,
        gt=0,
        description="Seconds a notification stream (GET /notifications/stream) stays open; "
        "the client then reconnects with Last-Event-ID and misses nothing.",
    )
    notification_streams_per_ip: int = Field(
        default=20, ge=1, description="Notification streams one client IP may hold open at once."
    )

    @field_validator("session_secret")
    @classmethod
    def _strong_secret(cls, value: SecretStr) -> SecretStr:
        weakness = secret_weakness(value.get_secret_value())
        if weakness is not None:
            raise ValueError(
                f"{weakness}; use a random one, e.g. python -c 'import secrets; "
                "print(secrets.token_hex(32))'"
            )
        return value

    @field_validator("siwe_domain")
    @classmethod
    def _authority(cls, value: str) -> str:
        if value and not AUTHORITY.match(value):
            raise ValueError(f"{value!r} is not a host[:port] like planet.example or [::1]:8000")
        return value

    @field_validator("attester_private_key")
    @classmethod
    def _valid_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                Account.from_key(value.get_secret_value())
            except (ValueError, TypeError):
                raise ValueError("is not a valid secp256k1 private key") from None
        return value

    @field_validator("distributions_dir", "rpc_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        """An empty variable turns a defaulted setting off (``PLANET_API_DISTRIBUTIONS_DIR=``)."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("rpc_url")
    @classmethod
    def _rpc_http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://\S+$", value):
            raise ValueError("must be an http(s) URL like http://127.0.0.1:8545")
        return value

    @field_validator("attested_exchanges", mode="before")
    @classmethod
    def _exchange_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except ValueError:
                    raise ValueError('is not a JSON list like ["okx"]') from None
            else:
                value = [name.strip() for name in text.split(",") if name.strip()]
        if isinstance(value, list | tuple):
            for name in value:
                if name not in EXCHANGE_NAMES:
                    raise ValueError(
                        f"{name!r} is not an exchange (expected some of "
                        f"{', '.join(EXCHANGE_NAMES)}, comma-separated)"
                    )
            if len(set(value)) != len(value):
                raise ValueError("names an exchange twice")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",") if item.strip()]
        if isinstance(value, list | tuple):
            for item in value:
                try:
                    ipaddress.ip_network(str(item), strict=False)
                except ValueError:
                    raise ValueError(
                        f"{item!r} is not an IP address or CIDR network (e.g. 10.0.0.5 or "
                        "10.0.0.0/24)"
                    ) from None
        return value

    @field_validator("paper_prices", mode="before")
    @classmethod
    def _json_prices(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else {}
            except ValueError:
                raise ValueError('is not JSON like {"BTC-USDT": "65000"}') from None
        return value

    @field_validator("paper_prices")
    @classmethod
    def _positive_prices(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for instrument, price in value.items():
            if not INSTRUMENT.match(instrument):
                raise ValueError(f"{instrument!r} is not an instrument like BTC-USDT")
            if not price.is_finite() or price <= 0:
                raise ValueError(f"the price of {instrument} must be a positive decimal")
        return value

    @field_validator("okx_domain")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+/?$", value):
            raise ValueError("must be a base URL like https://www.okx.com")
        return value

    @model_validator(mode="after")
    def _local_domain_only(self) -> ApiSettings:
        """Fails closed: outside a local chain no domain is assumed, since every sign-in
        message names one and a wrong default would accept messages meant for another site."""
        if not self.siwe_domain:
            if self.chain_id not in LOCAL_CHAIN_IDS:
                raise ValueError(
                    f"{ENV_PREFIX}SIWE_DOMAIN is required on chain {self.chain_id}: the "
                    "host[:port] users sign in at (e.g. planet.example)"
                )
            self.siwe_domain = LOCAL_DOMAIN
        return self

    @model_validator(mode="after")
    def _okx_keys(self) -> ApiSettings:
        if self.exchange == "okx" and None in (
            self.okx_api_key,
            self.okx_secret_key,
            self.okx_passphrase,
        ):
            raise ValueError(
                f"{ENV_PREFIX}EXCHANGE=okx needs {ENV_PREFIX}OKX_API_KEY, "
                f"{ENV_PREFIX}OKX_SECRET_KEY and {ENV_PREFIX}OKX_PASSPHRASE"
            )
        return self

    @property
    def chain_rpc_url(self) -> str:
        """``rpc_url``, or the network's public RPC, or a local anvil's."""
        return self.rpc_url or network(self.chain_id).rpc_url or LOCAL_RPC_URL

    @property
    def okx_credentials(self) -> tuple[str, str, str]:
        """(api key, secret key, passphrase); only valid once ``_okx_keys`` passed."""
        keys = (self.okx_api_key, self.okx_secret_key, self.okx_passphrase)
        return tuple(k.get_secret_value() if k else "" for k in keys)  # type: ignore[return-value]

    @cached_property
    def attester(self) -> LocalAccount | None:
        if self.attester_private_key is None:
            return None
        return Account.from_key(self.attester_private_key.get_secret_value())
