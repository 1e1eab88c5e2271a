"""The prize vault as closing an epoch sees it: reads over web3, and who sends ``proposeRoot``.

Reads (chain id, chain time, ``epochInfo``, the distributor role) always go through web3, from
``planet epoch close --rpc`` or from ape's provider in ``ape run publish_epoch``. Sending is a
small :class:`RootProposer`: :class:`KeyProposer` signs with any wallet of the shared wallet
layer (key file, keystore, ape account, ``PLANET_PRIVATE_KEY``); the ape script
has its own that sends from an ape account. Everything else is shared, including with
``planet epoch verify`` and ``planet claim``: which file a proposal commits to
(:func:`proposed_file_hash`); reverts are named by :mod:`planet.chain.reverts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from eth_utils import keccak, to_checksum_address

from planet.chain.reverts import Reverts
from planet.chain.wallets import Wallet
from planet.core.errors import PlanetError
from planet.core.manifest import DeployedContract

VAULT_CONTRACT = "PrizeVault"
DISTRIBUTOR_ROLE = keccak(text="DISTRIBUTOR_ROLE")


class ChainError(PlanetError):
    """The chain could not be read, or a transaction failed; the message says which."""


class RootStatus(IntEnum):
    NONE = 0
    PROPOSED = 1
    VETOED = 2


@dataclass(frozen=True)
class VaultEpoch:
    """``epochInfo(epoch)``, flattened."""

    root: str
    total: int
    paid: int
    status: RootStatus
    swept: bool
    funded: int


class RootProposer(Protocol):
    """Sends ``proposeRoot`` from the distributor's account; returns the transaction hash."""

    @property
    def address(self) -> str: ...

    def propose_root(
        self, epoch: int, root: bytes, total: int, uri: str, file_hash: bytes
    ) -> str: ...


def proposed_file_hash(contract: Any, epoch: int, root: bytes, from_block: int) -> str | None:
    """The ``fileHash`` of the latest ``RootProposed`` event proposing ``root`` for ``epoch``
    (searched from ``from_block``, the vault's deployment), or None without one.

    ``epochInfo`` holds the root and the total but not the file's hash: only the event says
    which file a proposal commits to. ``contract`` is a web3 contract of the vault; failures of
    the RPC are the caller's to word."""
    logs = contract.events.RootProposed.get_logs(
        from_block=from_block, argument_filters={"epoch": epoch}
    )
    for log in reversed(logs):
        if bytes(log["args"]["root"]) == bytes(root):
            return "0x" + bytes(log["args"]["fileHash"]).hex()
    return None


class Vault:
    """Reads of one deployed vault through a web3 instance."""

    def __init__(self, w3: Any, deployed: DeployedContract) -> None:
        self.w3 = w3
        self.deployed = deployed
        self.address = to_checksum_address(deployed.address)
        self.contract = w3.eth.contract(address=self.address, abi=deployed.abi)

    def _call(self, what: str, fn: Any) -> Any:
        try:
            return fn()
        except Exception as err:  # any transport or ABI failure: one line, no traceback
            raise ChainError(
                f"cannot read {what} from the vault at {self.address}: {err}"
            ) from None

    @property
    def chain_id(self) -> int:
        return int(self._call("the chain id", lambda: self.w3.eth.chain_id))

    def latest_timestamp(self) -> int:
        return int(
            self._call("the latest block", lambda: self.w3.eth.get_block("latest"))["timestamp"]
        )

    def epoch(self, epoch: int) -> VaultEpoch:
        root, payout, pool = self._call(
            f"epochInfo({epoch})", self.contract.functions.epochInfo(epoch).call
        )
        total, paid, _claimable_at, status, swept = payout
        return VaultEpoch(
            root="0x" + bytes(root).hex(),
            total=int(total),
            paid=int(paid),
            status=RootStatus(status),
            swept=bool(swept),
            funded=int(pool[0]),
        )

    def proposed_file_hash(self, epoch: int, root: str) -> str | None:
        """See :func:`proposed_file_hash`; ``root`` as :meth:`epoch` gives it (0x hex)."""
        return self._call(
            f"the RootProposed events of epoch {epoch}",
            lambda: proposed_file_hash(
                self.contract, epoch, bytes.fromhex(root[2:]), self.deployed.block_number
            ),
        )

    def is_distributor(self, account: str) -> bool:
        call = self.contract.functions.hasRole(DISTRIBUTOR_ROLE, to_checksum_address(account)).call
        return bool(self._call("the distributor role", call))


class KeyProposer:
    """Signs ``proposeRoot`` with a wallet (:mod:`planet.chain.wallets`) and waits for it."""

    def __init__(self, vault: Vault, wallet: Wallet, timeout: float = 120) -> None:
        self.vault = vault
        self.wallet = wallet
        self.timeout = timeout
        self.reverts = Reverts([(VAULT_CONTRACT, vault.deployed)])

    @property
    def address(self) -> str:
        return to_checksum_address(self.wallet.address)

    def propose_root(self, epoch: int, root: bytes, total: int, uri: str, file_hash: bytes) -> str:
        w3, contract = self.vault.w3, self.vault.contract
        try:
            tx = contract.functions.proposeRoot(
                epoch, root, total, uri, file_hash
            ).build_transaction(
                {
                    "from": self.address,
                    "nonce": w3.eth.get_transaction_count(self.address, "pending"),
                    "chainId": w3.eth.chain_id,
                }
            )
            tx_hash = w3.eth.send_raw_transaction(self.wallet.sign(tx))
            receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=self.timeout)
        except PlanetError:
            raise
        except Exception as err:  # a revert in estimation, a transport error: one line
            raise ChainError(f"proposeRoot({epoch}) failed: {self.reverts.explain(err)}") from None
        if receipt["status"] != 1:
            raise ChainError(f"proposeRoot({epoch}) reverted in transaction 0x{tx_hash.hex()}")
        return "0x" + bytes(tx_hash).hex()
