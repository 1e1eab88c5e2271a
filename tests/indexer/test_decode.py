"""The fast decoder agrees with web3's event decoding on every Planet event and on a synthetic
event with the types the fast path hands to eth_abi (indexed strings, arrays, tuples)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3._utils.events import get_event_data

from indexer.decode import EventDecoder
from indexer.errors import DecodeError
from indexer.rpc import Log
from tests.support.profiles import examples

ADDRESS = "0x" + "ab" * 20
WEIRD = {
    "type": "event",
    "name": "Weird",
    "anonymous": False,
    "inputs": [
        {"name": "tag", "type": "string", "indexed": True},
        {"name": "delta", "type": "int128", "indexed": True},
        {"name": "xs", "type": "uint256[]", "indexed": False},
        {
            "name": "pair",
            "type": "tuple",
            "indexed": False,
            "components": [{"name": "who", "type": "address"}, {"name": "blob", "type": "bytes"}],
        },
        {"name": "sel", "type": "bytes4", "indexed": False},
        {"name": "note", "type": "string", "indexed": False},
    ],
}


# Arrays of words next to nothing dynamic (ERC-1155 TransferBatch's shape), indexed or not.
WORD_ARRAYS = {
    "type": "event",
    "name": "WordArrays",
    "anonymous": False,
    "inputs": [
        {"name": "tags", "type": "uint256[]", "indexed": True},
        {"name": "ids", "type": "uint256[]", "indexed": False},
        {"name": "deltas", "type": "int64[]", "indexed": False},
        {"name": "pair", "type": "uint8[2]", "indexed": False},
    ],
}


def _abis(project) -> list[tuple[str, dict]]:
    out = []
    for name in ("Identity", "ContributionPoints", "CommunityPass", "PrizeVault"):
        abi = getattr(project, name).contract_type.model_dump(mode="json", by_alias=True)["abi"]
        out += [(name, item) for item in abi if item["type"] == "event"]
    return [*out, ("Weird", WEIRD), ("WordArrays", WORD_ARRAYS)]


def _type(param: dict) -> str:
    if param["type"].startswith("tuple"):
        return "(" + ",".join(_type(c) for c in param["components"]) + ")" + param["type"][5:]
    return param["type"]


def _values(abi_type: str) -> st.SearchStrategy[Any]:
    if abi_type == "address":
        return st.binary(min_size=20, max_size=20).map(lambda b: Web3.to_checksum_address(b))
    if abi_type == "bool":
        return st.booleans()
    if abi_type.endswith("[]"):
        return st.lists(_values(abi_type[:-2]), max_size=4)
    if abi_type.endswith("]"):
        base, size = abi_type[:-1].split("[")
        return st.lists(_values(base), min_size=int(size), max_size=int(size))
    if abi_type.startswith("("):
        inner = abi_type[1:-1].split(",")
        return st.tuples(*(_values(t) for t in inner))
    if abi_type.startswith("uint"):
        return st.integers(0, 2 ** int(abi_type[4:] or 256) - 1)
    if abi_type.startswith("int"):
        bits = int(abi_type[3:] or 256)
        return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if abi_type == "string":
        return st.text(max_size=40)
    if abi_type == "bytes":
        return st.binary(max_size=70)
    if abi_type.startswith("bytes"):
        size = int(abi_type[5:])
        return st.binary(min_size=size, max_size=size)
    raise AssertionError(abi_type)


def _topic(abi_type: str, value: Any) -> bytes:
    if abi_type in ("string", "bytes") or abi_type.endswith("]") or abi_type.startswith("("):
        raw = value.encode() if isinstance(value, str) else value
        return keccak(raw if abi_type in ("string", "bytes") else encode([abi_type], [value]))
    return encode([abi_type], [value])


def _plain(value: Any) -> Any:
    """web3's values as the indexer stores them, written independently of indexer.decode."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and Web3.is_checksum_address(value):
        return value.lower()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def events(project) -> list[tuple[str, dict]]:
    return _abis(project)


@pytest.mark.slow
@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_fast_decoder_equals_web3(events, data):
    _check_against_web3(data, *data.draw(st.sampled_from(events)))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["TransferBatch", "WordArrays"])
@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_arrays_of_words_decode_as_arrays(events, name, data):
    """Every event above is drawn only now and then; these two shapes each time."""
    [(contract, item)] = [(c, i) for c, i in events if i["name"] == name]
    _check_against_web3(data, contract, item)


def _check_against_web3(data: Any, contract: str, item: dict) -> None:
    decoder = EventDecoder({contract: (ADDRESS, [item])})
    types = [_type(p) for p in item["inputs"]]
    values = [data.draw(_values(t)) for t in types]
    indexed = [
        (t, v) for t, v, p in zip(types, values, item["inputs"], strict=True) if p["indexed"]
    ]
    plain = [
        (t, v) for t, v, p in zip(types, values, item["inputs"], strict=True) if not p["indexed"]
    ]
    signature = f"{item['name']}({','.join(types)})"
    topics = [keccak(text=signature)] + [_topic(t, v) for t, v in indexed]
    payload = encode([t for t, _ in plain], [v for _, v in plain])
    log = Log(
        address=ADDRESS,
        topics=["0x" + t.hex() for t in topics],
        data="0x" + payload.hex(),
        blockNumber="0x10",
        blockHash="0x" + "01" * 32,
        transactionHash="0x" + "02" * 32,
        transactionIndex="0x3",
        logIndex="0x4",
    )

    ours = decoder.decode(log)
    [row] = decoder.decode_rows([log], 9)[1]

    expected = get_event_data(
        Web3().codec,
        item,
        {
            "address": Web3.to_checksum_address(ADDRESS),
            "topics": topics,
            "data": payload,
            "blockNumber": 16,
            "blockHash": b"\x01" * 32,
            "transactionHash": b"\x02" * 32,
            "transactionIndex": 3,
            "logIndex": 4,
        },
    )
    assert ours is not None
    assert (ours.contract, ours.name, ours.block_number, ours.log_index) == (
        contract,
        item["name"],
        16,
        4,
    )
    assert ours.args == {k: _plain(v) for k, v in expected["args"].items()}
    assert list(ours.args) == [p["name"] for p in item["inputs"]]
    # the events row: its place, and the arguments' JSON exactly as msgspec writes it
    assert row[:9] == (
        9,
        16,
        4,
        "0x" + "01" * 32,
        "0x" + "02" * 32,
        3,
        ADDRESS,
        contract,
        item["name"],
    )
    assert row[9] == msgspec.json.encode(ours.args).decode()


def _log(**fields) -> Log:
    base = dict(
        address=ADDRESS,
        topics=[],
        data="0x",
        blockNumber="0x1",
        blockHash="0x" + "01" * 32,
        transactionHash="0x" + "02" * 32,
        transactionIndex="0x0",
        logIndex="0x0",
    )
    return Log(**{**base, **fields})


def test_unknown_topics_are_skipped(events):
    decoder = EventDecoder({name: (ADDRESS, [item]) for name, item in events[:1]})
    assert decoder.decode(_log(topics=["0x" + "99" * 32])) is None
    assert decoder.decode(_log(topics=[])) is None


def test_a_log_that_contradicts_the_abi_fails_loudly():
    item = {
        "type": "event",
        "name": "Moved",
        "inputs": [{"name": "to", "type": "address", "indexed": True}],
    }
    decoder = EventDecoder({"C": (ADDRESS, [item])})
    topic0 = "0x" + keccak(text="Moved(address)").hex()
    with pytest.raises(DecodeError, match="topics"):
        decoder.decode(_log(topics=[topic0]))
    with pytest.raises(DecodeError, match="does not match"):
        decoder.decode(_log(topics=[topic0, "0x" + "00" * 32], data="0x1234"))


def test_same_signature_at_two_addresses_decodes_by_each_abi(project):
    """ERC-20 and ERC-721 Transfer share topic0 but not their indexed fields."""
    erc20 = {
        "type": "event",
        "name": "Transfer",
        "inputs": [
            {"name": "from", "type": "address", "indexed": True},
            {"name": "to", "type": "address", "indexed": True},
            {"name": "value", "type": "uint256", "indexed": False},
        ],
    }
    erc721 = {**erc20, "inputs": [{**i, "indexed": True} for i in erc20["inputs"]]}
    erc721["inputs"][2] = {"name": "tokenId", "type": "uint256", "indexed": True}
    other = "0x" + "cd" * 20
    decoder = EventDecoder({"Points": (ADDRESS, [erc20]), "Identity": (other, [erc721])})
    topic0 = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
    word = "0x" + "00" * 31 + "05"
    assert decoder.decode(_log(topics=[topic0, word, word], data=word)).args == {
        "from": "0x" + "00" * 19 + "05",
        "to": "0x" + "00" * 19 + "05",
        "value": 5,
    }
    assert (
        decoder.decode(_log(address=other, topics=[topic0, word, word, word])).args["tokenId"] == 5
    )
    assert decoder.addresses == sorted([ADDRESS, other])


def test_logs_come_out_in_chain_order_and_upper_case_hex_is_recognised():
    item = {
        "type": "event",
        "name": "Moved",
        "inputs": [{"name": "to", "type": "address", "indexed": True}],
    }
    decoder = EventDecoder({"C": (ADDRESS, [item])})
    topic0 = "0x" + keccak(text="Moved(address)").hex()
    word = "0x" + "00" * 31 + "07"
    positions = [("0x2", "0x0"), ("0x1", "0x5"), ("0x1", "0x1"), ("0xa", "0x0"), ("0x2", "0x1")]
    logs = [
        _log(
            address=ADDRESS.upper().replace("0X", "0x"),
            topics=[topic0.upper().replace("0X", "0x"), word],
            blockNumber=block,
            logIndex=index,
        )
        for block, index in positions
    ]
    decoded = decoder.decode_all(logs)
    assert [(e.block_number, e.log_index) for e in decoded] == [
        (1, 1),
        (1, 5),
        (2, 0),
        (2, 1),
        (10, 0),
    ]
    assert {e.address for e in decoded} == {ADDRESS}
    in_order = decoder.decode_all([logs[i] for i in (2, 1, 0, 4, 3)])
    assert in_order == decoded
