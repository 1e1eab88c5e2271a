"""Plain JSON-RPC access to the contracts for the hypothesis state machines.

The property tests check the chain after every step, thousands of times a run. Through ape's
contract objects a view call costs about 20 ms and a transaction several times that; here a
whole check is one JSON-RPC batch (one HTTP round trip) and a transaction is an
`eth_sendTransaction` from anvil's unlocked test accounts (the accounts ape's fixtures hand out).
Calldata, results, custom errors and events are encoded and decoded with eth-abi from the ABI
ape compiled, so the calls are the ones ape would make.

An expected failure is checked with `eth_estimateGas`, the request with which ape finds a
transaction's revert before sending it (what `ape.reverts` sees); the revert data must be
exactly the named custom error of this contract, with the given arguments where a test names
them.
"""

from __future__ import annotations

import time
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address

#: Gas limit of transactions sent by `Contract.transact` (far above any Planet call).
_GAS_LIMIT = 10_000_000


class RpcError(Exception):
    """A JSON-RPC error answer; `data` holds revert data when the node returned any."""

    def __init__(self, method: str, error: dict[str, Any]) -> None:
        super().__init__(f"{method}: {error.get('message')} (data {error.get('data')})")
        self.error = error
        self.data = error.get("data")


def address_of(value: Any) -> str:
    return to_checksum_address(str(getattr(value, "address", value)))


def _plain(value: Any) -> Any:
    """ape accounts and contracts become their addresses, recursively through lists/tuples."""
    if hasattr(value, "address"):
        return address_of(value)
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return value


def _type(param: dict[str, Any]) -> str:
    """The canonical ABI type of a parameter: tuples spelled out as `(t1,t2)` plus any `[]`."""
    kind = param["type"]
    if not kind.startswith("tuple"):
        return kind
    inner = ",".join(_type(c) for c in param["components"])
    return f"({inner}){kind[len('tuple') :]}"


@cache
def _struct(names: tuple[str, ...]) -> type:
    return namedtuple("Struct", names)


def _shape(param: dict[str, Any], value: Any) -> Any:
    """Gives decoded tuples their field names (`stored.minted`, `info.payout.paid`) as ape does."""
    kind = param["type"]
    if not kind.startswith("tuple"):
        return value
    components = param["components"]
    if kind != "tuple":  # an array of tuples
        inner = {**param, "type": kind[: kind.rindex("[")]}
        return [_shape(inner, v) for v in value]
    fields = tuple(c["name"] for c in components)
    return _struct(fields)(*(_shape(c, v) for c, v in zip(components, value, strict=True)))


@dataclass(frozen=True)
class Request:
    """One JSON-RPC request and how to turn its result into a Python value."""

    method: str
    params: list[Any]
    convert: Callable[[Any], Any] = lambda result: result


@dataclass(frozen=True)
class ContractError:
    """A decoded custom error: its name and its arguments by name."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)


class Node:
    """The node ape started (the same HTTP endpoint ape's web3 instance talks to)."""

    def __init__(self, chain: Any) -> None:
        self.provider = chain.provider.web3.provider

    def request(self, method: str, params: list[Any]) -> Any:
        answer = self.provider.make_request(method, params)
        if answer.get("error"):
            raise RpcError(method, answer["error"])
        return answer["result"]

    def read(self, *requests: Request) -> list[Any]:
        """All requests in one batch; their converted results in order."""
        if not requests:
            return []
        answers = self.provider.make_batch_request([(r.method, r.params) for r in requests])
        if not isinstance(answers, list):  # the node refused the batch as a whole
            raise RpcError("batch", answers.get("error", answers))
        results = []
        for request, answer in zip(requests, answers, strict=True):
            if answer.get("error"):
                raise RpcError(request.method, answer["error"])
            results.append(request.convert(answer["result"]))
        return results

    def read_all(self, requests: dict[Any, Request]) -> dict[Any, Any]:
        """`read` by key: one batch, the results under the requests' keys."""
        return dict(zip(requests, self.read(*requests.values()), strict=True))

    def balance(self, account: Any, block: str = "latest") -> Request:
        return Request("eth_getBalance", [address_of(account), block], lambda r: int(r, 16))

    def block(self, block: str | int = "latest") -> Request:
        tag = hex(block) if isinstance(block, int) else block
        return Request("eth_getBlockByNumber", [tag, False])

    def timestamp(self, block: str | int = "latest") -> int:
        return int(self.read(self.block(block))[0]["timestamp"], 16)

    def receipt(self, tx_hash: str, timeout: float = 30.0) -> dict[str, Any]:
        """Waits for the receipt (anvil mines each transaction at once, but may answer the
        send before the block is written)."""
        deadline = time.monotonic() + timeout
        while (receipt := self.request("eth_getTransactionReceipt", [tx_hash])) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no receipt for {tx_hash}")
            time.sleep(0.001)
        return receipt


@dataclass
class Receipt:
    """A mined, successful transaction."""

    node: Node
    raw: dict[str, Any]

    @property
    def block_number(self) -> int:
        return int(self.raw["blockNumber"], 16)

    @property
    def timestamp(self) -> int:
        return self.node.timestamp(self.block_number)

    @property
    def logs(self) -> list[dict[str, Any]]:
        return self.raw["logs"]


class Contract:
    """An ape contract's functions, errors and events over plain JSON-RPC."""

    def __init__(self, node: Node, contract: Any) -> None:
        self.node = node
        self.address = address_of(contract)
        abi = [item.model_dump(mode="json", by_alias=True) for item in contract.contract_type.abi]
        self.functions: dict[str, dict[str, Any]] = {}
        self.errors: dict[bytes, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        for item in abi:
            kind = item["type"]
            if kind not in ("function", "error", "event"):
                continue
            types = [_type(p) for p in item["inputs"]]
            selector = keccak(text=f"{item['name']}({','.join(types)})")
            entry = {**item, "types": types, "selector": selector}
            if kind == "function":
                if item["name"] in self.functions:
                    raise ValueError(f"overloaded function {item['name']}: not supported here")
                self.functions[item["name"]] = entry
            elif kind == "error":
                self.errors[selector[:4]] = entry
            else:
                self.events[item["name"]] = entry

    # ------------------------------------------------------------------ encoding

    def data(self, fn: str, *args: Any) -> str:
        entry = self.functions[fn]
        return "0x" + (entry["selector"][:4] + encode(entry["types"], _plain(args))).hex()

    def _transaction(self, fn: str, args: tuple, sender: Any, value: int) -> dict[str, Any]:
        tx = {"from": address_of(sender), "to": self.address, "data": self.data(fn, *args)}
        if value:
            tx["value"] = hex(value)
        return tx

    def decode_error(self, data: str | None) -> ContractError:
        """The custom error in revert data; unknown or malformed data is named as such."""
        raw = bytes.fromhex((data or "0x")[2:])
        entry = self.errors.get(raw[:4])
        if entry is None:
            return ContractError(f"<unknown revert data {data}>")
        values = decode(entry["types"], raw[4:], strict=True)
        if encode(entry["types"], values) != raw[4:]:  # nothing extra, nothing missing
            return ContractError(f"<malformed {entry['name']}: {data}>")
        names = [p["name"] for p in entry["inputs"]]
        return ContractError(entry["name"], dict(zip(names, values, strict=True)))

    # ------------------------------------------------------------------ reads

    def call(self, fn: str, *args: Any, block: str = "latest") -> Request:
        """A view call to batch with `Node.read`; results come back as ape returns them."""
        entry = self.functions[fn]
        outputs = entry["outputs"]
        types = [_type(p) for p in outputs]
        tx = {"to": self.address, "data": self.data(fn, *args)}

        def convert(result: str) -> Any:
            values = decode(types, bytes.fromhex(result[2:]))
            shaped = [_shape(p, v) for p, v in zip(outputs, values, strict=True)]
            if len(shaped) == 1:
                return shaped[0]
            return _struct(tuple(p["name"] or f"_{i}" for i, p in enumerate(outputs)))(*shaped)

        return Request("eth_call", [tx, block], convert)

    def get(self, fn: str, *args: Any) -> Any:
        """One view call on its own."""
        return self.node.read(self.call(fn, *args))[0]

    # ------------------------------------------------------------------ writes

    def transact(self, fn: str, *args: Any, sender: Any, value: int = 0) -> Receipt:
        """Sends from an unlocked account; fails the test on any revert, naming the error.

        The gas limit is fixed and generous rather than estimated: after `evm_revert`, anvil's
        estimate for eth_sendTransaction sometimes comes out below what the call then uses
        (seen as out-of-gas proposals in the vault machine), and gas costs nothing here."""
        tx = self._transaction(fn, args, sender, value) | {"gas": hex(_GAS_LIMIT)}
        try:
            tx_hash = self.node.request("eth_sendTransaction", [tx])
        except RpcError as err:
            if err.data is None:
                raise
            raise AssertionError(f"{fn} reverted: {self.decode_error(err.data)}") from err
        receipt = self.node.receipt(tx_hash)
        assert receipt["status"] == "0x1", f"{fn} failed on chain: {receipt}"
        return Receipt(self.node, receipt)

    def revert_of(
        self, fn: str, *args: Any, sender: Any, value: int = 0, block: str | None = None
    ) -> ContractError | None:
        """The custom error a transaction would revert with (None if it would succeed): asked
        with `eth_estimateGas` as ape does before sending, or with `eth_call` at `block`."""
        tx = self._transaction(fn, args, sender, value)
        try:
            if block is None:
                self.node.request("eth_estimateGas", [tx])
            else:
                self.node.request("eth_call", [tx, block])
        except RpcError as err:
            if err.data is None:
                raise
            return self.decode_error(err.data)
        return None

    def expect_revert(
        self, error: str, fn: str, *args: Any, sender: Any, value: int = 0, **expected: Any
    ) -> ContractError:
        """Asserts the transaction reverts with exactly custom error `error` of this contract,
        and with the `expected` arguments (by name) where given."""
        entries = {e["name"]: e for e in self.errors.values()}
        assert error in entries, f"{error} is not an error of this contract"
        known = {p["name"] for p in entries[error]["inputs"]}
        assert set(expected) <= known, f"{error} has no argument(s) {set(expected) - known}"
        got = self.revert_of(fn, *args, sender=sender, value=value)
        assert got is not None, f"{fn} did not revert; expected {error}"
        assert got.name == error, f"{fn} reverted with {got}; expected {error}"
        wanted = {k: _plain(v) for k, v in expected.items()}
        actual = {k: _plain(got.args[k]) for k in wanted}
        assert actual == wanted, f"{fn} reverted with {got}; expected {error}{wanted}"
        return got

    # ------------------------------------------------------------------ events

    def decode_events(self, receipt: Receipt, name: str) -> list[Any]:
        """This contract's `name` events in the receipt, fields by name."""
        entry = self.events[name]
        topic0 = "0x" + entry["selector"].hex()
        indexed = [p for p in entry["inputs"] if p.get("indexed")]
        # Indexed strings, bytes, arrays and tuples are only hashed into a topic.
        assert all(_type(p) not in ("string", "bytes") and _type(p)[-1] != "]" for p in indexed)
        assert all(not _type(p).startswith("(") for p in indexed)
        plain = [p for p in entry["inputs"] if not p.get("indexed")]
        names = tuple(p["name"] for p in entry["inputs"])
        found = []
        for log in receipt.logs:
            if address_of(log["address"]) != self.address or log["topics"][0] != topic0:
                continue
            values = {
                p["name"]: decode([_type(p)], bytes.fromhex(topic[2:]))[0]
                for p, topic in zip(indexed, log["topics"][1:], strict=True)
            }
            data = decode([_type(p) for p in plain], bytes.fromhex(log["data"][2:]))
            values.update((p["name"], v) for p, v in zip(plain, data, strict=True))
            found.append(_struct(names)(*(values[n] for n in names)))
        return found


def contracts(chain: Any, *ape_contracts: Any) -> Sequence[Contract]:
    """Plain JSON-RPC views of `ape_contracts`, sharing one connection to the node."""
    node = Node(chain)
    return [Contract(node, c) for c in ape_contracts]
