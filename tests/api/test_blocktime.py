"""Weeks to blocks on a real anvil: the first block at or after a moment, found by its
timestamp; boundaries deep enough below the head are kept, those near it asked again."""

from __future__ import annotations

from web3 import Web3

from api.errors import ApiError
from api.services.blocktime import SETTLED, BlockTimes


def test_the_first_block_at_or_after_each_moment(rpc_url):
    w3 = Web3(Web3.HTTPProvider(rpc_url))
    start = w3.eth.get_block("latest")["timestamp"] + 1000
    mined = []
    for offset in (0, 10, 10_000, 10_001):  # blocks at these times past ``start``
        w3.provider.make_request("evm_mine", [start + offset])
        mined.append(w3.eth.block_number)
    blocks = BlockTimes(rpc_url)
    assert blocks.first_blocks([start, start + 1, start + 10, start + 5000, start + 10_001]) == [
        mined[0],
        mined[1],
        mined[1],
        mined[2],
        mined[3],
    ]
    # a moment after the head: the next block to come
    assert blocks.first_blocks([start + 20_000]) == [mined[3] + 1]
    # every moment agrees with reading each block's time in turn
    head = w3.eth.block_number
    times = [w3.eth.get_block(n)["timestamp"] for n in range(head + 1)]
    moments = [times[0] - 1, *range(times[0], start + 10_002, 331)]
    expected = [next((n for n, t in enumerate(times) if t >= m), head + 1) for m in moments]
    assert BlockTimes(rpc_url).first_blocks(moments) == expected


def test_settled_boundaries_are_kept_and_recent_ones_asked_again(rpc_url):
    w3 = Web3(Web3.HTTPProvider(rpc_url))
    moment = w3.eth.get_block("latest")["timestamp"] + 500
    w3.provider.make_request("evm_mine", [moment])
    first = w3.eth.block_number
    blocks = BlockTimes(rpc_url)
    assert blocks.first_blocks([moment]) == [first]
    assert moment not in blocks._known  # near the head: a reorg could still move it
    w3.provider.make_request("anvil_mine", [hex(SETTLED), "0x1"])
    assert blocks.first_blocks([moment]) == [first]
    assert blocks._known[moment] == first


def test_an_unreachable_rpc_is_503():
    blocks = BlockTimes("http://127.0.0.1:9")
    try:
        blocks.first_blocks([0])
    except ApiError as err:
        assert err.status == 503 and err.code == "chain_unavailable"
    else:
        raise AssertionError("no error")
