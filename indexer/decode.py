"""Turns raw logs of Planet contracts into named events with JSON-ready arguments.

Decoders are built once per (address, topic0) from the manifest's ABIs, since two contracts may
share an event signature with different indexed fields (ERC-20 and ERC-721 ``Transfer``). Each
event gets a generated function: static words (integers, addresses, booleans, fixed bytes) are
read by slicing the hex string in place; data with dynamic types goes through eth_abi's decoder,
built once. Values come out as JSON keeps them: integers as ints, addresses and byte strings as
lowercase 0x-hex, strings as str, arrays as lists, tuples as objects keyed by component name.
Indexed dynamic values (strings, arrays) are only present as their keccak hash in a log and
come out as that hash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import Any

import msgspec
from eth_abi.decoding import ContextFramesBytesIO, TupleDecoder
from eth_abi.exceptions import DecodingError
from eth_abi.registry import registry as abi_registry
from eth_utils import keccak

from indexer.errors import DecodeError
from indexer.priority import chunks
from indexer.rpc import Log
from planet.core.manifest import Manifest


class Event(msgspec.Struct, frozen=True, gc=False):
    """A decoded log: where it sits on chain, who emitted it, and its named arguments.

    A msgspec Struct rather than a frozen dataclass or NamedTuple: a backfill builds one per
    log, construction costs about what a tuple's does, and ``gc=False`` keeps the tens of
    thousands a backfill holds at once out of the cycle collector, which would otherwise
    rescan them at every full collection (an event cannot be part of a reference cycle: its
    arguments are plain values, lists and dicts made by the decoder).
    """

    block_number: int
    log_index: int
    block_hash: str
    tx_hash: str
    tx_index: int
    address: str
    contract: str
    name: str
    args: dict[str, Any]


_POSITION = attrgetter("block_number", "log_index")

#: The ``events`` table's columns, in the order of the rows :meth:`EventDecoder.decode_rows`
#: builds.
EVENT_COLUMNS = (
    "chain_id",
    "block_number",
    "log_index",
    "block_hash",
    "tx_hash",
    "tx_index",
    "address",
    "contract",
    "event",
    "args",
)


class _ShapeError(Exception):
    """A log whose topics or data do not fit the ABI (reported as DecodeError)."""


def _signed(value: int) -> int:
    return value - (1 << 256) if value >> 255 else value


def _word_expression(abi_type: str, word: str, start: int) -> str | None:
    """A Python expression reading a static elementary type from the 64 hex digits of ``word``
    that begin at ``start``; None if the type is not one (dynamic, array, tuple)."""
    if abi_type.endswith("]"):  # an array, even of words ("uint256[]" starts like "uint")
        return None
    whole = f"{word}[{start}:{start + 64}]"
    if abi_type == "address":
        return f"'0x' + {word}[{start + 24}:{start + 64}]"
    if abi_type == "bool":
        return f"int({whole}, 16) != 0"
    if abi_type.startswith("uint"):
        return f"int({whole}, 16)"
    if abi_type.startswith("int"):
        return f"_signed(int({whole}, 16))"
    if abi_type.startswith("bytes") and abi_type[5:].isdigit():
        return f"'0x' + {word}[{start}:{start + 2 * int(abi_type[5:])}]"
    return None


def _type_string(param: Mapping[str, Any]) -> str:
    """The canonical ABI type, tuples spelled out (for signatures and eth_abi)."""
    abi_type = param["type"]
    if abi_type.startswith("tuple"):
        inner = ",".join(_type_string(c) for c in param["components"])
        return f"({inner}){abi_type[5:]}"
    return abi_type


def _converter(param: Mapping[str, Any]) -> Callable[[Any], Any]:
    """How to turn eth_abi's value for ``param`` into what JSON keeps (module docstring);
    tuples become objects keyed by their component names, as web3 reports them."""
    abi_type = param["type"]
    if abi_type.endswith("]"):
        inner = _converter({**param, "type": abi_type[: abi_type.rindex("[")]})
        return lambda values: [inner(v) for v in values]
    if abi_type == "tuple":
        parts = [
            (c.get("name") or f"arg{i}", _converter(c)) for i, c in enumerate(param["components"])
        ]
        return lambda values: {n: convert(v) for (n, convert), v in zip(parts, values, strict=True)}
    if abi_type == "address":
        return str.lower
    if abi_type.startswith("bytes"):
        return lambda value: "0x" + value.hex()
    return lambda value: value


_JSON_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def _json_kind(abi_type: str) -> str:
    """How a static value is written in JSON: a quoted hex string, a number or a boolean."""
    if abi_type == "bool":
        return "bool"
    if abi_type.startswith(("uint", "int")):
        return "number"
    return "string"  # addresses, fixed bytes, hashes of indexed dynamic values: 0x-hex


def _compile(
    item: Mapping[str, Any],
) -> tuple[Callable[[Sequence[str], str], tuple[dict[str, Any], str]], int]:
    """A function (topics, data) -> (args, args as JSON text) for one event, generated once.

    Reading each word with an inline expression instead of a loop over converter functions
    makes decoding several times faster; the hot path of a backfill runs it once per log.
    Where every value is static, the JSON text is formatted in the same function (hex strings
    and numbers need no escaping), as compact as msgspec writes it; data holding dynamic
    types goes through eth_abi's decoder, built here once, and its JSON through msgspec.
    """
    inputs = item.get("inputs", [])
    topic_count = 1 + sum(1 for p in inputs if p.get("indexed"))
    plain = [p for p in inputs if not p.get("indexed")]
    static = [_word_expression(_type_string(p), "d", 2 + 64 * i) for i, p in enumerate(plain)]
    namespace: dict[str, Any] = {
        "_signed": _signed,
        "_Shape": _ShapeError,
        "_encode": msgspec.json.encode,
        "_bool": ("false", "true"),
    }
    names = [p.get("name") or f"arg{i}" for i, p in enumerate(inputs)]
    values: list[str] = []
    kinds: list[str] = []
    topic = data = 0
    dynamic = not all(e is not None for e in static)
    if dynamic:
        decoder = TupleDecoder(decoders=[abi_registry.get_decoder(_type_string(p)) for p in plain])
        namespace["_stream"] = ContextFramesBytesIO
        namespace["_decoder"] = decoder
    for param in inputs:
        if param.get("indexed"):
            topic += 1
            word = _word_expression(_type_string(param), f"t[{topic}]", 2)
            values.append(word or f"t[{topic}]")  # dynamic: only its hash
            kinds.append(_json_kind(_type_string(param)) if word else "string")
        else:
            if dynamic:
                namespace[f"_c{data}"] = _converter(param)
                values.append(f"_c{data}(v[{data}])")
            else:
                expression = static[data]
                assert expression is not None  # not dynamic: every word has an expression
                values.append(expression)
                kinds.append(_json_kind(_type_string(plain[data])))
            data += 1
    lines = [
        "def decode(t, d):",
        f"    if len(t) != {topic_count}:",
        "        raise _Shape('topics')",
    ]
    if dynamic:
        lines.append("    v = _decoder(_stream(bytes.fromhex(d[2:])))")
    else:
        lines += [f"    if len(d) != {2 + 64 * len(plain)}:", "        raise _Shape('data')"]
    lines += [f"    a{i} = {value}" for i, value in enumerate(values)]
    args = "{" + ", ".join(f"{name!r}: a{i}" for i, name in enumerate(names)) + "}"
    formatted = not dynamic and all(_JSON_NAME.fullmatch(n) for n in names)
    if formatted:
        # an f-string of JSON: names are identifiers, values 0x-hex, digits or true/false
        fields = []
        for i, (name, kind) in enumerate(zip(names, kinds, strict=True)):
            value = {"string": f'"{{a{i}}}"', "number": f"{{a{i}}}", "bool": f"{{_bool[a{i}]}}"}
            fields.append(f'"{name}":{value[kind]}')
        lines.append(f"    return {args}, f'{{{{{','.join(fields)}}}}}'")
    else:
        lines += [f"    args = {args}", "    return args, _encode(args).decode()"]
    # the source holds only dict keys (repr of ABI names) and fixed word positions
    exec("\n".join(lines), namespace)
    return namespace["decode"], topic_count


@dataclass(frozen=True)
class _Spec:
    address: str  # lowercase
    contract: str
    name: str
    topic_count: int
    decode_args: Callable[[Sequence[str], str], tuple[dict[str, Any], str]]


def _spec(address: str, contract: str, item: Mapping[str, Any]) -> tuple[bytes, _Spec]:
    inputs = item.get("inputs", [])
    signature = f"{item['name']}({','.join(_type_string(p) for p in inputs)})"
    decode_args, topic_count = _compile(item)
    spec = _Spec(address, contract, item["name"], topic_count, decode_args)
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
                topic0, spec = _spec(address, contract, item)
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
        found = self.decode_all([log])
        return found[0] if found else None

    def decode_all(self, logs: Sequence[Log]) -> list[Event]:
        """Decoded events in chain order, unknown topics left out."""
        return self.decode_rows(logs, 0)[0]

    def decode_rows(
        self, logs: Sequence[Log], chain_id: int, pause: Callable[[], None] | None = None
    ) -> tuple[list[Event], list[tuple[Any, ...]]]:
        """Decoded events in chain order, unknown topics left out, and their ``events`` rows
        (:data:`EVENT_COLUMNS`, arguments as JSON text) in the same order; ``pause`` is
        called between chunks of logs (see :mod:`indexer.priority`).

        One loop with everything in locals, since a backfill runs it once per log: block
        numbers and transaction indexes repeat within a range, so each hex quantity is
        parsed once; addresses and topics are looked up as the node sent them and lowercased
        only if that misses.
        """
        specs = self._specs
        numbers: dict[str, int] = {}
        events: list[Event] = []
        rows: list[tuple[Any, ...]] = []
        append = events.append
        append_row = rows.append
        ordered, last_block, last_index = True, -1, -1
        for log in chain.from_iterable(chunks(logs, pause)):
            topics = log.topics
            if not topics:
                continue
            spec = specs.get((log.address, topics[0]))
            if spec is None:
                spec = specs.get((log.address.lower(), topics[0].lower()))
                if spec is None:
                    continue
            try:
                args, text = spec.decode_args(topics, log.data)
            except (_ShapeError, DecodingError, ValueError) as err:
                raise DecodeError(
                    f"{spec.contract}.{spec.name} log at block {int(log.blockNumber, 16)} does "
                    f"not match its ABI in the manifest ({err}): is the manifest's ABI the "
                    "deployed one?"
                ) from None
            block = numbers.get(log.blockNumber)
            if block is None:
                block = numbers[log.blockNumber] = int(log.blockNumber, 16)
            tx_index = numbers.get(log.transactionIndex)
            if tx_index is None:
                tx_index = numbers[log.transactionIndex] = int(log.transactionIndex, 16)
            log_index = int(log.logIndex, 16)
            if block < last_block or (block == last_block and log_index <= last_index):
                ordered = False
            last_block, last_index = block, log_index
            block_hash, tx_hash = log.blockHash, log.transactionHash
            address, contract, name = spec.address, spec.contract, spec.name
            append(
                Event(
                    block, log_index, block_hash, tx_hash, tx_index, address, contract, name, args
                )
            )
            append_row(
                (
                    chain_id,
                    block,
                    log_index,
                    block_hash,
                    tx_hash,
                    tx_index,
                    address,
                    contract,
                    name,
                    text,
                )
            )
        if not ordered:  # nodes answer in chain order; sorting is for those that do not
            order = sorted(range(len(events)), key=lambda i: _POSITION(events[i]))
            events = [events[i] for i in order]
            rows = [rows[i] for i in order]
        return events, rows
