"""Reverts in words: a custom error's name, arguments and NatSpec notice from revert data.

A node answers a failed call with bytes like ``0x6283c58f...``; users should read
``PassInvalidWalletLimit(walletLimit=5): The wallet limit must be at least 1, and exactly 1 for
a subscription.`` instead. Every error of every contract in the deployment manifest is known by
its 4-byte selector, with the ``@notice`` the compiler put in the manifest's ``userdoc``; the
standard ``Error(string)`` and ``Panic(uint256)`` and the ERC-20 errors of OpenZeppelin tokens
(IERC6093, raised by the token a pass or the vault pulls from) are known too. The CLI, the API
and the indexer's logs all explain reverts through :class:`Reverts`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from planet.core.manifest import DeployedContract, Manifest

_PANICS = {
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division by zero",
    0x21: "invalid enum value",
    0x22: "bad storage byte array",
    0x31: "pop on an empty array",
    0x32: "array index out of bounds",
    0x41: "too much memory allocated",
    0x51: "call to an uninitialised function",
}


def _error(name: str, *inputs: tuple[str, str]) -> dict[str, Any]:
    return {"type": "error", "name": name, "inputs": [{"name": n, "type": t} for n, t in inputs]}


_STANDARD: list[tuple[dict[str, Any], str]] = [
    (_error("ERC20InsufficientBalance", ("sender", "address"), ("balance", "uint256"),
            ("needed", "uint256")), "The token balance is too low."),
    (_error("ERC20InsufficientAllowance", ("spender", "address"), ("allowance", "uint256"),
            ("needed", "uint256")), "The token allowance is too low: approve the contract first."),
    (_error("ERC20InvalidSender", ("sender", "address")), "The token refuses this sender."),
    (_error("ERC20InvalidReceiver", ("receiver", "address")), "The token refuses this receiver."),
]  # fmt: skip


@dataclass(frozen=True)
class KnownError:
    """One custom error: where it is declared, its ABI entry and what it means."""

    contract: str
    entry: dict[str, Any]
    notice: str

    @property
    def types(self) -> list[str]:
        return [i["type"] for i in self.entry.get("inputs", [])]

    @property
    def signature(self) -> str:
        return f"{self.entry['name']}({','.join(self.types)})"


@dataclass(frozen=True)
class Explained:
    """A revert decoded: ``name`` is None when the data matched nothing known."""

    name: str | None
    args: dict[str, Any]
    notice: str
    data: str

    def __str__(self) -> str:
        if self.name is None:
            return self.notice
        args = ", ".join(f"{k}={v}" for k, v in self.args.items())
        head = f"{self.name}({args})"
        return f"{head}: {self.notice}" if self.notice else head


_DATA = re.compile(r"0x[0-9a-fA-F]{8,}")


class Reverts:
    """Every custom error the deployment can raise, by selector."""

    def __init__(self, contracts: Iterable[tuple[str, DeployedContract]] = ()) -> None:
        self._known: dict[bytes, KnownError] = {}
        for entry, notice in _STANDARD:
            self._add(KnownError("ERC20", entry, notice))
        for name, deployed in contracts:
            notices = deployed.userdoc.get("errors", {})
            for entry in deployed.abi:
                if entry.get("type") != "error":
                    continue
                known = KnownError(name, entry, "")
                docs = notices.get(known.signature) or [{}]
                notice = " ".join(str(docs[0].get("notice", "")).split())
                self._add(KnownError(name, entry, notice))

    @classmethod
    def of(cls, manifest: Manifest) -> Reverts:
        return cls(manifest.contracts.items())

    def _add(self, known: KnownError) -> None:
        selector = keccak(text=known.signature)[:4]
        # The same error inherited by several contracts: keep the first one with a notice.
        if selector not in self._known or (known.notice and not self._known[selector].notice):
            self._known[selector] = known

    def explain_data(self, data: bytes | str) -> Explained:
        """The error behind raw revert data (bytes or 0x hex)."""
        raw = data if isinstance(data, bytes) else bytes.fromhex(str(data).removeprefix("0x"))
        hexed = "0x" + raw.hex()
        if not raw:
            return Explained(None, {}, "reverted without a reason", hexed)
        if raw[:4] == keccak(text="Error(string)")[:4]:
            (reason,) = abi_decode(["string"], raw[4:])
            return Explained("Error", {"reason": reason}, "", hexed)
        if raw[:4] == keccak(text="Panic(uint256)")[:4]:
            (code,) = abi_decode(["uint256"], raw[4:])
            return Explained("Panic", {"code": hex(code)}, _PANICS.get(code, "panic"), hexed)
        known = self._known.get(raw[:4])
        if known is None:
            return Explained(None, {}, f"reverted with unknown error data {hexed}", hexed)
        try:
            values = abi_decode(known.types, raw[4:])
        except Exception:  # arguments that do not decode: the name still says what failed
            return Explained(known.entry["name"], {}, known.notice, hexed)
        args = {
            (i.get("name") or f"arg{n}"): _plain(i["type"], v)
            for n, (i, v) in enumerate(zip(known.entry["inputs"], values, strict=True))
        }
        return Explained(known.entry["name"], args, known.notice, hexed)

    def explain(self, err: BaseException) -> str:
        """One line for any failure of a call or transaction: the decoded custom error when
        the node returned revert data, otherwise the node's or library's own message."""
        data = revert_data(err)
        if data is not None:
            return str(self.explain_data(data))
        message = str(getattr(err, "message", None) or err).strip().splitlines()
        text = message[0] if message else type(err).__name__
        if "insufficient funds" in text.lower():
            return "insufficient funds: the wallet cannot pay the value and the gas"
        return text


def revert_data(err: BaseException) -> str | None:
    """The revert data a web3 exception carries, if any (as 0x hex)."""
    data = getattr(err, "data", None)
    if isinstance(data, bytes):
        return "0x" + data.hex()
    if isinstance(data, str) and data.startswith("0x"):
        return data
    if isinstance(data, dict):  # a JSON-RPC error object
        inner = data.get("data")
        if isinstance(inner, str) and inner.startswith("0x"):
            return inner
    for arg in getattr(err, "args", ()):
        if isinstance(arg, dict) and isinstance(arg.get("data"), str):
            return str(arg["data"])
        if isinstance(arg, str):
            match = _DATA.search(arg)
            if match and "revert" in arg.lower():
                return match.group(0)
    return None


def _plain(abi_type: str, value: Any) -> Any:
    if abi_type == "address":
        return to_checksum_address(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value
