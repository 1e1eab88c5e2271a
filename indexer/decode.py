"""Turns raw logs of Planet contracts into named events with JSON-ready arguments.

Decoders are built once per (address, topic0) from the manifest's ABIs, since two contracts may
share an event signature with different indexed fields (ERC-20 and ERC-721 ``Transfer``). The
common case, an event whose data holds only static words (integers, addresses, booleans, fixed
bytes), is decoded by slicing the hex string; other events go through eth_abi's decoder, built
once. Values come out as JSON keeps them: integers as ints, addresses and byte strings as
lowercase 0x-hex, strings as str, tuples as lists. Indexed dynamic values (strings, arrays) are
only present as their keccak hash in a log and come out as that hash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi.decoding import ContextFramesBytesIO, TupleDecoder
from eth_abi.exceptions import DecodingError
from eth_abi.registry import registry as abi_registry
from eth_utils import keccak

from indexer.errors import DecodeError
from indexer.rpc import Log
from planet.manifest import Manifest

Word = Callable[[str], Any]  # 64 hex characters -> value


@dataclass(frozen=True, slots=True)
class Event:
    """A decoded log: where it sits on chain, who emitted it, and its named arguments."""

    block_number: int
    log_index: int
    block_hash: str
    tx_hash: str
    tx_index: int
    address: str
    contract: str
    name: str
    args: dict[str, Any]


def _uint(word: str) -> int:
    return int(word, 16)


def _int(word: str) -> int:
    value = int(word, 16)
    return value - (1 << 256) if value >> 255 else value


def _address(word: str) -> str:
    return "0x" + word[24:]


def _bool(word: str) -> bool:
    return int(word, 16) != 0


def _hash(word: str) -> str:
    return "0x" + word


def _fixed_bytes(size: int) -> Word:
    def convert(word: str) -> str:
        return "0x" + word[: 2 * size]

    return convert


def _word_decoder(abi_type: str) -> Word | None:
    """How to read one 32-byte word of a static elementary type; None if it is not one."""
    if abi_type == "address":
        return _address
    if abi_type == "bool":
        return _bool
    if abi_type.startswith("uint"):
        return _uint
    if abi_type.startswith("int"):
        return _int
    if abi_type.startswith("bytes") and abi_type[5:].isdigit():
        return _fixed_bytes(int(abi_type[5:]))
    return None


def _type_string(param: Mapping[str, Any]) -> str:
    """The canonical ABI type, tuples spelled out (for signatures and eth_abi)."""
    abi_type = param["type"]
    if abi_type.startswith("tuple"):
        inner = ",".join(_type_string(c) for c in param["components"])
        return f"({inner}){abi_type[5:]}"
    return abi_type


def _jsonable(value: Any) -> Any:
    """eth_abi's Python values as JSON keeps them (see the module docstring)."""
    if isinstance(value, bool | int):
        return value
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") and len(value) == 42 else value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class _Spec:
    contract: str
    name: str
    topic_count: int
    topic_fields: tuple[tuple[str, Word], ...]
    data_fields: tuple[tuple[str, Word], ...] | None  # None: use data_decoder
    data_names: tuple[str, ...]
    data_decoder: TupleDecoder | None
    order: tuple[str, ...]  # the ABI's argument order, for a stable JSON layout

    def decode(self, log: Log) -> dict[str, Any]:
        topics = log.topics
        if len(topics) != self.topic_count:
            raise DecodeError(
                f"{self.contract}.{self.name} log at block {int(log.blockNumber, 16)} has "
                f"{len(topics)} topics, its ABI says {self.topic_count}: is the manifest's ABI "
                "the deployed one?"
            )
        values: dict[str, Any] = {}
        for (name, convert), topic in zip(self.topic_fields, topics[1:], strict=True):
            values[name] = convert(topic[2:])
        data = log.data
        if self.data_fields is not None:
            if len(data) != 2 + 64 * len(self.data_fields):
                raise DecodeError(self._shape_error(log))
            for i, (name, convert) in enumerate(self.data_fields):
                values[name] = convert(data[2 + 64 * i : 66 + 64 * i])
        elif self.data_decoder is not None:
            try:
                decoded = self.data_decoder(ContextFramesBytesIO(bytes.fromhex(data[2:])))
            except (DecodingError, ValueError) as err:
                raise DecodeError(f"{self._shape_error(log)}: {err}") from None
            for name, value in zip(self.data_names, decoded, strict=True):
                values[name] = _jsonable(value)
        return {name: values[name] for name in self.order}

    def _shape_error(self, log: Log) -> str:
        return (
            f"{self.contract}.{self.name} log at block {int(log.blockNumber, 16)} does not match "
            "its ABI in the manifest"
        )


def _spec(contract: str, item: Mapping[str, Any]) -> tuple[bytes, _Spec]:
    inputs = item.get("inputs", [])
    signature = f"{item['name']}({','.join(_type_string(p) for p in inputs)})"
    names = tuple(p.get("name") or f"arg{i}" for i, p in enumerate(inputs))
    indexed = [(n, p) for n, p in zip(names, inputs, strict=True) if p.get("indexed")]
    plain = [(n, p) for n, p in zip(names, inputs, strict=True) if not p.get("indexed")]
    topic_fields = tuple((n, _word_decoder(_type_string(p)) or _hash) for n, p in indexed)
    words = [_word_decoder(_type_string(p)) for _, p in plain]
    if all(w is not None for w in words):
        data_fields: tuple[tuple[str, Word], ...] | None = tuple(
            (n, w) for (n, _), w in zip(plain, words, strict=True) if w is not None
        )
        data_decoder = None
    else:
        data_fields = None
        data_decoder = TupleDecoder(
            decoders=[abi_registry.get_decoder(_type_string(p)) for _, p in plain]
        )
    spec = _Spec(
        contract=contract,
        name=item["name"],
        topic_count=1 + len(indexed),
        topic_fields=topic_fields,
        data_fields=data_fields,
        data_names=tuple(n for n, _ in plain),
        data_decoder=data_decoder,
        order=names,
    )
    return keccak(text=signature), spec


class EventDecoder:
    """Decodes logs of known contracts; logs with a topic0 not in their ABI are skipped."""

    def __init__(self, contracts: Mapping[str, tuple[str, Iterable[Mapping[str, Any]]]]) -> None:
        """``contracts`` maps a contract name to its address and ABI."""
        self._specs: dict[tuple[str, str], _Spec] = {}
        self.names: dict[str, str] = {}
        for contract, (address, abi) in contracts.items():
            address = address.lower()
            self.names[address] = contract
            for item in abi:
                if item.get("type") != "event" or item.get("anonymous"):
                    continue
                topic0, spec = _spec(contract, item)
                self._specs[(address, "0x" + topic0.hex())] = spec

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> EventDecoder:
        return cls({name: (c.address, c.abi) for name, c in manifest.contracts.items()})

    @property
    def addresses(self) -> list[str]:
        """The addresses to ask eth_getLogs about, so logs of other contracts never arrive."""
        return sorted(self.names)

    def decode(self, log: Log) -> Event | None:
        """The event, or None when its topic0 is not an event of that contract's ABI."""
        if not log.topics:
            return None
        address = log.address.lower()
        spec = self._specs.get((address, log.topics[0].lower()))
        if spec is None:
            return None
        return Event(
            block_number=int(log.blockNumber, 16),
            log_index=int(log.logIndex, 16),
            block_hash=log.blockHash,
            tx_hash=log.transactionHash,
            tx_index=int(log.transactionIndex, 16),
            address=address,
            contract=spec.contract,
            name=spec.name,
            args=spec.decode(log),
        )

    def decode_all(self, logs: Iterable[Log]) -> list[Event]:
        """Decoded events in chain order, unknown topics left out."""
        events = [e for e in map(self.decode, logs) if e is not None]
        events.sort(key=lambda e: (e.block_number, e.log_index))
        return events
