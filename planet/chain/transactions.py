"""Sending one contract call from a wallet: quote it, then send it and wait for its receipt.

Quoting runs ``eth_estimateGas``, so a call the contract would refuse stops before anything is
signed, with the contract's own custom error in words (:mod:`planet.chain.reverts`). The quote
also says what the gas costs at today's fees and the most it can cost, which the commands show
before asking to send. A transaction that still reverts on chain (state changed in between) is
reported with its hash and the reason, replayed at the block before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address
from web3.types import TxParams, Wei

from planet.chain.reverts import Reverts
from planet.chain.wallets import Wallet, WalletError
from planet.core.errors import PlanetError
from planet.core.networks import Network
from planet.core.units import format_units


class TransactionError(PlanetError):
    """A transaction that cannot be sent or did not succeed; the message says why."""


@dataclass(frozen=True)
class Quote:
    """What sending ``call`` will cost: gas from ``eth_estimateGas`` and the fees.

    An EIP-1559 chain gets ``maxFeePerGas = min(2 x base fee + tip, cap)``; a chain whose
    blocks carry no base fee gets a legacy ``gasPrice`` (the node's, capped the same way)."""

    call: Any
    value: int
    gas: int
    base_fee: int
    tip: int
    legacy: bool = False
    cap: int | None = None  # wei per gas the user will pay at most

    @property
    def gas_limit(self) -> int:
        return self.gas * 6 // 5  # 20% headroom: state may move between estimate and inclusion

    @property
    def max_fee_per_gas(self) -> int:
        wanted = self.tip if self.legacy else 2 * self.base_fee + self.tip
        return wanted if self.cap is None else min(wanted, self.cap)

    @property
    def priority_fee(self) -> int:
        return min(self.tip, self.max_fee_per_gas)

    @property
    def fee(self) -> int:
        """The likely gas cost in wei."""
        per_gas = self.tip if self.legacy else self.base_fee + self.priority_fee
        return self.gas * min(per_gas, self.max_fee_per_gas)

    @property
    def max_fee(self) -> int:
        """The most the gas can cost in wei (limit times the fee cap)."""
        return self.gas_limit * self.max_fee_per_gas

    def fee_fields(self) -> dict[str, Wei]:
        if self.legacy:
            return {"gasPrice": Wei(self.max_fee_per_gas)}
        return {
            "maxFeePerGas": Wei(self.max_fee_per_gas),
            "maxPriorityFeePerGas": Wei(self.priority_fee),
        }


@dataclass(frozen=True)
class Sent:
    """A transaction mined with status 1."""

    tx_hash: str
    block: int
    gas_used: int
    fee: int
    url: str | None
    receipt: Any
    contract_address: str | None = None  # what a contract creation created


class Transactor:
    """One wallet sending calls on one chain."""

    def __init__(
        self,
        w3: Any,
        wallet: Wallet,
        reverts: Reverts,
        network: Network,
        max_fee_per_gas: int | None = None,
    ) -> None:
        self.max_fee_per_gas = max_fee_per_gas
        self.w3 = w3
        self.wallet = wallet
        self.reverts = reverts
        self.network = network
        self.sender = to_checksum_address(wallet.address)

    def quote(self, call: Any, value: int = 0) -> Quote:
        """Estimates ``call`` from the wallet; a refusal raises with the decoded reason."""
        try:
            gas = int(call.estimate_gas({"from": self.sender, "value": Wei(value)}))
        except Exception as err:
            raise TransactionError(self.reverts.explain(err)) from None
        try:
            block = self.w3.eth.get_block("latest")
            legacy = block.get("baseFeePerGas") is None
            base_fee = 0 if legacy else max(int(block["baseFeePerGas"]), self._next_base_fee())
            tip = int(self.w3.eth.gas_price if legacy else self.w3.eth.max_priority_fee)
        except Exception as err:
            raise TransactionError(f"cannot read the chain's fees: {err}") from None
        cap = self.max_fee_per_gas
        if cap is not None and base_fee > cap:
            raise TransactionError(
                f"the chain's base fee is {format_units(base_fee, 9)} gwei, above your cap of "
                f"{format_units(cap, 9)} gwei (--max-fee-gwei): wait for cheaper blocks or raise it"
            )
        return Quote(call, value, gas, base_fee, tip, legacy, cap)

    def _next_base_fee(self) -> int:
        """The base fee of the block the transaction will be in, where the node says (the
        pending block); it can exceed the latest block's, e.g. after a reorg or a revert."""
        try:
            pending = self.w3.eth.get_block("pending").get("baseFeePerGas")
        except Exception:  # a node without a pending block: the latest block's then
            return 0
        return int(pending or 0)

    def balance(self) -> int:
        return int(self.w3.eth.get_balance(self.sender))

    def send(self, quote: Quote, timeout: float = 120) -> Sent:
        """Signs and sends what ``quote`` priced, waits for the receipt."""
        needed = quote.value + quote.max_fee
        balance = self.balance()
        if balance < needed:
            symbol = self.network.native_symbol
            raise TransactionError(
                f"insufficient funds: {self.sender} holds {_wei(balance)} {symbol}, the "
                f"transaction needs up to {_wei(needed)} {symbol} (value and gas)"
            )
        params: TxParams = {
            "from": self.sender,
            "value": Wei(quote.value),
            "nonce": self.w3.eth.get_transaction_count(self.sender, "pending"),
            "gas": quote.gas_limit,
            "chainId": self.network.chain_id,
            **quote.fee_fields(),  # type: ignore[typeddict-item]
        }
        try:
            tx = quote.call.build_transaction(params)
            if not quote.legacy:  # a web3 with a gas price strategy (ape's) adds one anyway
                tx.pop("gasPrice", None)
            raw = self.wallet.sign(tx)
            tx_hash = self.w3.eth.send_raw_transaction(raw)
            receipt = self.w3.eth.wait_for_transaction_receipt(
                tx_hash, timeout=timeout, poll_latency=0.2
            )
        except WalletError:
            raise
        except Exception as err:
            raise TransactionError(f"sending failed: {self.reverts.explain(err)}") from None
        hex_hash = "0x" + bytes(tx_hash).hex()
        if receipt["status"] != 1:
            # replayed as sent (a call or a contract creation alike) at the block before it
            replay: TxParams = {"from": self.sender, "value": Wei(quote.value), "data": tx["data"]}
            if tx.get("to"):
                replay["to"] = tx["to"]
            try:
                self.w3.eth.call(replay, block_identifier=receipt["blockNumber"] - 1)
                why = "reverted"
            except Exception as err:
                why = self.reverts.explain(err)
            raise TransactionError(f"transaction {hex_hash} reverted: {why}")
        return Sent(
            tx_hash=hex_hash,
            block=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]),
            fee=int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"]),
            url=self.network.tx_url(hex_hash),
            receipt=receipt,
            contract_address=receipt.get("contractAddress"),
        )


def _wei(value: int) -> str:
    return format_units(value, 18)
