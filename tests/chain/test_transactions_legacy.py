"""A chain whose blocks carry no base fee (anvil at Berlin): the shared Transactor, which every
`planet` command and the deploy send through, falls back to a legacy gas price, capped like
an EIP-1559 fee. Shown with a contract creation, as the deploy sends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from web3 import Web3

from planet.chain.reverts import Reverts
from planet.chain.transactions import TransactionError, Transactor
from planet.chain.wallets import KeyWallet
from planet.core.networks import network
from tests.support.chains import local_chain

# creation code of a contract whose runtime returns 42 (no PUSH0: valid before Shanghai)
CREATION = "0x600a600c600039600a6000f3602a60005260206000f3"
ANVIL_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


@pytest.fixture
def berlin() -> Iterator[Web3]:
    with local_chain("--hardfork", "berlin") as url:
        yield Web3(Web3.HTTPProvider(url))


def transactor(w3: Web3, cap: int | None) -> Transactor:
    wallet = KeyWallet(Account.from_key(ANVIL_KEY))
    return Transactor(w3, wallet, Reverts(), network(int(w3.eth.chain_id)), cap)


def test_a_chain_without_a_base_fee_gets_a_legacy_gas_price_under_the_cap(berlin):
    assert berlin.eth.get_block("latest").get("baseFeePerGas") is None
    node_price = int(berlin.eth.gas_price)
    cap = node_price // 2
    creation = berlin.eth.contract(abi=[], bytecode=CREATION).constructor()
    sent = transactor(berlin, cap).send(transactor(berlin, cap).quote(creation))
    tx = berlin.eth.get_transaction(sent.tx_hash)
    assert tx["type"] == 0 and tx["gasPrice"] == cap
    assert sent.contract_address and berlin.eth.get_code(sent.contract_address)
    uncapped = transactor(berlin, None).quote(creation)
    assert uncapped.legacy and uncapped.fee_fields() == {"gasPrice": node_price}


def test_a_creation_the_node_refuses_stops_before_signing(berlin):
    failing = berlin.eth.contract(abi=[], bytecode="0xfe").constructor()  # INVALID
    sender = transactor(berlin, None)
    nonce = berlin.eth.get_transaction_count(sender.sender)
    with pytest.raises(TransactionError):
        sender.quote(failing)
    assert berlin.eth.get_transaction_count(sender.sender) == nonce
