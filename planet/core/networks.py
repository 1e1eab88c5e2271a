"""The chains Planet deploys to, by chain id: their names, native currency and block explorer.

Clients (the `planet` command, the API's `GET /chain`, the web app) print explorer links and
name the chain from this one table, so an X Layer transaction reads the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Network:
    """One chain as Planet's clients describe it."""

    chain_id: int
    name: str
    native_symbol: str = "OKB"
    native_decimals: int = 18
    explorer: str | None = None
    """Base URL of the block explorer; None where there is none (a local anvil)."""
    rpc_url: str | None = None
    """A public RPC endpoint, for wallets adding the network; None for a local chain."""
    explorer_chain: str | None = None
    """The chain's ``chainShortName`` in OKLink's explorer API (source verification)."""

    def tx_url(self, tx_hash: str) -> str | None:
        """The explorer page of a transaction, or None where the chain has no explorer."""
        return f"{self.explorer}/tx/{tx_hash}" if self.explorer else None

    def address_url(self, address: str) -> str | None:
        """The explorer page of an account or contract, or None without an explorer."""
        return f"{self.explorer}/address/{address}" if self.explorer else None


XLAYER = Network(
    196,
    "X Layer",
    explorer="https://www.oklink.com/xlayer",
    rpc_url="https://rpc.xlayer.tech",
    explorer_chain="XLAYER",
)
XLAYER_TESTNET = Network(
    1952,
    "X Layer testnet",
    explorer="https://www.oklink.com/xlayer-test",
    rpc_url="https://testrpc.xlayer.tech",
    explorer_chain="XLAYER_TESTNET",
)
LOCAL = Network(31337, "local anvil")

KNOWN: dict[int, Network] = {n.chain_id: n for n in (XLAYER, XLAYER_TESTNET, LOCAL)}


def network(chain_id: int) -> Network:
    """The network of ``chain_id``; an unknown chain gets a generic name and no explorer."""
    return KNOWN.get(chain_id) or Network(chain_id, f"chain {chain_id}", native_symbol="native")
