"""Smart-contract wallets for tests: a real M-of-N ``MultisigAccount`` (contracts/mocks) whose
owners sign hashes with their keys, and what such a wallet hands to a verifier: its owners'
signatures concatenated (ERC-1271), wrapped per ERC-6492 while it is not deployed yet, or
wrapped for ContributionPoints when it attests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address

ERC6492_SUFFIX = bytes.fromhex("6492" * 16)


def owner_keys(label: str, count: int) -> list[LocalAccount]:
    """``count`` owner keys, the same every run for one label."""
    return [Account.from_key(keccak(text=f"{label} owner {i}")) for i in range(count)]


def owners_sign(digest: bytes, signers: list[LocalAccount], *, order: bool = True) -> bytes:
    """What ``MultisigAccount.isValidSignature`` takes: each signer's 65-byte signature of
    ``digest`` itself, by increasing address unless ``order`` is False (kept as given)."""
    chosen = sorted(signers, key=lambda k: int(k.address, 16)) if order else signers
    return b"".join(bytes(Account.unsafe_sign_hash(digest, k.key).signature) for k in chosen)


def wrap_6492(factory: str, factory_calldata: bytes, signature: bytes) -> bytes:
    """An ERC-6492 signature: how to deploy the wallet, then its signature, then the suffix."""
    inner = encode(["address", "bytes", "bytes"], [factory, factory_calldata, signature])
    return inner + ERC6492_SUFFIX


def contract_attestation(attester: str, signature: bytes) -> bytes:
    """A contract attester's signature as ContributionPoints takes it."""
    return encode(["address", "bytes"], [attester, signature])


@dataclass
class Multisig:
    """A deployed ape ``MultisigAccount`` and its owners' keys."""

    contract: Any
    owners: list[LocalAccount]
    threshold: int

    @property
    def address(self) -> str:
        return to_checksum_address(str(self.contract.address))

    def sign(self, digest: bytes, count: int | None = None) -> bytes:
        """The first ``count`` (default: threshold) owners' signature of ``digest``."""
        return owners_sign(digest, self.owners[: self.threshold if count is None else count])

    def execute(self, target: Any, method: str, *args: Any, sender: Any) -> Any:
        """Calls ``target.method(*args)`` from the wallet, approved by ``threshold`` owners;
        ``sender`` only pays the gas."""
        data = getattr(target, method).encode_input(*args)
        nonce = self.contract.nextNonce()
        digest = bytes(self.contract.executeHash(target.address, 0, data, nonce))
        return self.contract.execute(target.address, 0, data, self.sign(digest), sender=sender)


def deploy_multisig(
    project: Any, deployer: Any, label: str, owners: int = 3, threshold: int = 2
) -> Multisig:
    keys = owner_keys(label, owners)
    contract = deployer.deploy(project.MultisigAccount, [k.address for k in keys], threshold)
    return Multisig(contract, keys, threshold)
