"""A browser wallet for tests: an EIP-1193 provider injected into the page before it loads and
announced through EIP-6963, whose requests are answered here in Python. It signs with test keys
(eth-account) and forwards everything else to the real anvil, as a wallet extension forwards to
its RPC node; the test can switch its account, start it on another network, or have it reject
the next request of a method as a user clicking "Reject" would."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from web3 import Web3

REJECTED = 4001
UNKNOWN_CHAIN = 4902

#: Runs in the page before its scripts: the provider object, its events, and the EIP-6963
#: announcement (again whenever the app asks with eip6963:requestProvider).
INIT_SCRIPT = (Path(__file__).parent / "wallet.js").read_text()


class WalletError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.data = data  # a revert's encoded error, as the node gave it


@dataclass
class TestWallet:
    """The Python side of the injected wallet (``page.expose_function`` calls :meth:`handle`)."""

    w3: Web3
    account: LocalAccount
    chain_id: int  # the anvil's
    on_chain: int = 0  # the network the wallet is on now (0: the anvil's)
    known_chains: set[int] = field(default_factory=set)
    rejecting: set[str] = field(default_factory=set)
    connected: bool = False
    asked: list[str] = field(default_factory=list)  # every method the page called
    sent: list[str] = field(default_factory=list)  # hashes of transactions sent
    added: list[dict[str, Any]] = field(default_factory=list)  # wallet_addEthereumChain params

    __test__ = False  # not a pytest class

    def __post_init__(self) -> None:
        self.on_chain = self.on_chain or self.chain_id
        self.known_chains |= {self.on_chain}

    @property
    def address(self) -> str:
        return self.account.address

    def reject_next(self, method: str) -> None:
        self.rejecting.add(method)

    def handle(self, payload: str) -> str:
        request = json.loads(payload)
        method, params = request["method"], request.get("params") or []
        self.asked.append(method)
        events: list[tuple[str, Any]] = []
        try:
            if method in self.rejecting:
                self.rejecting.discard(method)
                raise WalletError(REJECTED, "User rejected the request.")
            result = self._answer(method, params, events)
            return json.dumps({"result": result, "events": events})
        except WalletError as error:
            answer = {"code": error.code, "message": str(error), "data": error.data}
            return json.dumps({"error": answer})

    def _answer(self, method: str, params: list[Any], events: list[tuple[str, Any]]) -> Any:
        if method == "eth_requestAccounts":
            self.connected = True
            return [self.address]
        if method == "eth_accounts":
            return [self.address] if self.connected else []
        if method == "eth_chainId":
            return hex(self.on_chain)
        if method == "personal_sign":
            self._check_signer(params[1])
            signed = self.account.sign_message(encode_defunct(hexstr=params[0]))
            return "0x" + signed.signature.hex()
        if method == "eth_signTypedData_v4":
            self._check_signer(params[0])
            data = params[1] if isinstance(params[1], dict) else json.loads(params[1])
            return "0x" + self.account.sign_typed_data(full_message=data).signature.hex()
        if method == "eth_sendTransaction":
            return self._send(params[0])
        if method == "wallet_switchEthereumChain":
            wanted = int(params[0]["chainId"], 16)
            if wanted not in self.known_chains:
                raise WalletError(UNKNOWN_CHAIN, f"Unrecognized chain ID {hex(wanted)}.")
            if wanted != self.on_chain:
                self.on_chain = wanted
                events.append(("chainChanged", hex(wanted)))
            return None
        if method == "wallet_addEthereumChain":
            self.added.append(params[0])
            self.known_chains.add(int(params[0]["chainId"], 16))
            return None
        reply = self.w3.provider.make_request(method, params)  # type: ignore[arg-type]
        if "error" in reply:
            error = reply["error"]
            code, message = error.get("code", -32603), error.get("message", "RPC error")
            raise WalletError(code, message, error.get("data"))
        return reply["result"]

    def _check_signer(self, address: str) -> None:
        if address.lower() != self.address.lower():
            raise WalletError(4100, f"{address} is not this wallet's account")

    def _send(self, tx: dict[str, Any]) -> str:
        self._check_signer(tx["from"])
        if self.on_chain != self.chain_id:
            raise WalletError(4901, f"the wallet is on chain {self.on_chain}, not the anvil")
        latest = self.w3.eth.get_block("latest")
        call = {
            "from": self.address,
            "to": Web3.to_checksum_address(tx["to"]),
            "data": tx.get("data") or tx.get("input") or "0x",
            "value": int(tx.get("value") or "0x0", 16),
        }
        gas = int(tx["gas"], 16) if tx.get("gas") else self.w3.eth.estimate_gas(call)  # type: ignore[arg-type]
        signed = self.account.sign_transaction(
            {
                **call,
                "gas": gas,
                "nonce": self.w3.eth.get_transaction_count(self.address, "pending"),
                "chainId": self.chain_id,
                "maxFeePerGas": 2 * latest["baseFeePerGas"] + 10**9,
                "maxPriorityFeePerGas": 10**9,
                "type": 2,
            }
        )
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        self.sent.append("0x" + tx_hash.hex().removeprefix("0x"))
        return self.sent[-1]

    def switch_account(self, page: Any, account: LocalAccount) -> None:
        """The user picks another account in the wallet: it tells the page."""
        self.account = account
        page.evaluate("a => window.__planetTestWalletEmit('accountsChanged', [a])", account.address)
