"""Currencies as people read them: symbol and decimals of the native coin and of ERC-20 tokens,
so prices and proceeds can be shown in human units (``0.01 OKB``, ``5 USDT``).

The native coin's come from :mod:`planet.core.networks`. A token's are read from the chain
(``symbol()``, ``decimals()`` by ``eth_call`` on ``PLANET_API_RPC_URL``) the first time it is
asked for, then kept for the life of the process: neither is expected to change, and passes
and proceeds name a handful of tokens. A token that cannot be read (RPC down, not an ERC-20)
is answered without symbol or decimals, so amounts stay in base units only, and is asked again
after :data:`RETRY_AFTER` seconds rather than on every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import to_checksum_address
from web3 import Web3
from web3.exceptions import Web3Exception

from planet.core import logs
from planet.core.networks import Network
from planet.core.passes import NATIVE
from planet.core.units import format_units

log = logs.get("api.currencies")

RETRY_AFTER = 60.0
"""Seconds before a token that could not be read is asked again."""
_TIMEOUT = 5.0
_SYMBOL = bytes.fromhex("95d89b41")  # symbol()
_DECIMALS = bytes.fromhex("313ce567")  # decimals()
_MAX_DECIMALS = 77  # 10**77 is the largest power of ten a uint256 holds


@dataclass(frozen=True)
class Currency:
    """A currency a price or a balance is in."""

    address: str  # checksummed; the zero address for the native coin
    native: bool
    symbol: str | None  # None when the token could not be read
    decimals: int | None

    def human(self, amount: int) -> str | None:
        """``amount`` base units as e.g. ``0.01 OKB``; None when the decimals are unknown."""
        if self.decimals is None:
            return None
        return format_units(amount, self.decimals, self.symbol or "")


class Currencies:
    """Symbols and decimals by currency address, for one chain."""

    def __init__(
        self, net: Network, rpc_url: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._native = Currency(NATIVE, True, net.native_symbol, net.native_decimals)
        self._w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": _TIMEOUT}))
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, Currency] = {}
        self._failed: dict[str, float] = {}  # lowercase address -> when reading it failed

    @property
    def native(self) -> Currency:
        return self._native

    def get(self, address: str) -> Currency:
        key = address.lower()
        if key == NATIVE:
            return self._native
        with self._lock:
            known = self._known.get(key)
            failed = self._failed.get(key)
        if known is not None:
            return known
        checksummed = to_checksum_address(key)
        unread = Currency(checksummed, False, None, None)
        if failed is not None and self._clock() - failed < RETRY_AFTER:
            return unread
        try:
            currency = Currency(checksummed, False, self._symbol(key), self._decimals(key))
        except (Web3Exception, DecodingError, OSError, ValueError) as err:
            log.warning("token unreadable", token=checksummed, error=str(err))
            with self._lock:
                self._failed[key] = self._clock()
            return unread
        with self._lock:
            self._known[key] = currency
            self._failed.pop(key, None)
        return currency

    def _call(self, token: str, selector: bytes) -> bytes:
        return bytes(self._w3.eth.call({"to": to_checksum_address(token), "data": selector}))

    def _symbol(self, token: str) -> str:
        raw = self._call(token, _SYMBOL)
        if len(raw) == 32:  # a few early tokens answer bytes32
            return raw.rstrip(b"\0").decode("utf-8", errors="replace")
        (symbol,) = decode(["string"], raw)
        return str(symbol)

    def _decimals(self, token: str) -> int:
        raw = self._call(token, _DECIMALS)
        (decimals,) = decode(["uint256"], raw)
        if decimals > _MAX_DECIMALS:
            raise ValueError(f"decimals() answered {decimals}")
        return int(decimals)
