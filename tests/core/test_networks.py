"""Networks: X Layer transactions get explorer links, a local chain none."""

from __future__ import annotations

from planet.core.networks import network


def test_x_layer_links_to_its_explorer() -> None:
    assert network(196).name == "X Layer"
    assert network(196).tx_url("0xabc") == "https://www.oklink.com/xlayer/tx/0xabc"
    assert network(1952).address_url("0x1") == "https://www.oklink.com/xlayer-test/address/0x1"


def test_a_local_or_unknown_chain_has_no_explorer() -> None:
    assert network(31337).tx_url("0xabc") is None
    assert network(5).name == "chain 5"
    assert network(5).explorer is None


def test_x_layer_networks_name_their_chain_in_the_explorer_api() -> None:
    """Source verification names the chain as OKLink's API does."""
    assert network(196).explorer_chain == "XLAYER"
    assert network(1952).explorer_chain == "XLAYER_TESTNET"
    assert network(31337).explorer_chain is None
