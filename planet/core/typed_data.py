"""EIP-712 messages the Planet contracts verify, built for eth-account's ``sign_typed_data``.

The field lists and domain names here must match the Solidity typehashes byte for byte; the
contract tests sign with these builders, so a drift fails there first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

IDENTITY_DOMAIN = ("Planet Identity", "1")
POINTS_DOMAIN = ("Planet Contribution Points", "1")

REGISTER_TYPES = {
    "Register": [
        {"name": "owner", "type": "address"},
        {"name": "handle", "type": "string"},
        {"name": "metadataURI", "type": "string"},
        {"name": "metadataHash", "type": "bytes32"},
        {"name": "recovery", "type": "address"},
        {"name": "relayer", "type": "address"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}

CONTRIBUTION_TYPES = {
    "Contribution": [
        {"name": "account", "type": "address"},
        {"name": "kind", "type": "uint8"},
        {"name": "amount", "type": "uint256"},
        {"name": "epoch", "type": "uint256"},
        {"name": "uid", "type": "bytes32"},
        {"name": "deadline", "type": "uint256"},
    ]
}

# Contribution kinds, as documented in IContributionPoints.
KIND_POST, KIND_LIVE, KIND_COMMENT, KIND_REFERRAL, KIND_CONVERSION, KIND_TRADE = range(6)
#: A closed trade of a creator's attested trading record (planet.core.trading_record): signed
#: with the smallest amount the contract takes (1), and weighed at zero by the weekly formula
#: (planet.rewards.inputs leaves the kind out of ``points``), so one's own trades earn nothing.
KIND_RECORD = 6
RECORD_AMOUNT = 1


def domain(name_version: tuple[str, str], chain_id: int, contract: str) -> dict[str, Any]:
    name, version = name_version
    return {"name": name, "version": version, "chainId": chain_id, "verifyingContract": contract}


@dataclass(frozen=True)
class Contribution:
    """One attested contribution; field order is the Solidity struct's (and the ABI tuple's)."""

    account: str
    kind: int
    amount: int
    epoch: int
    uid: bytes
    deadline: int

    def as_tuple(self) -> tuple[str, int, int, int, bytes, int]:
        return (self.account, self.kind, self.amount, self.epoch, self.uid, self.deadline)


def new_uid(*parts: str | bytes | int) -> bytes:
    """A deterministic 32-byte uid from what identifies the contribution (e.g. post id), so the
    same off-chain fact can never be attested under two uids."""
    encoded = b"|".join(p if isinstance(p, bytes) else str(p).encode() for p in parts)
    return keccak(encoded)


def sign_contribution(
    attester: LocalAccount | str, contribution: Contribution, chain_id: int, points: str
) -> bytes:
    """The attester's signature over ``contribution`` for the points contract at ``points``."""
    key = attester.key if isinstance(attester, LocalAccount) else attester
    signed = Account.sign_typed_data(
        key,
        domain(POINTS_DOMAIN, chain_id, points),
        CONTRIBUTION_TYPES,
        asdict(contribution),
    )
    return bytes(signed.signature)


@dataclass(frozen=True)
class Registration:
    """What an identity is registered with; field order is ``IIdentity.Registration``'s."""

    handle: str
    metadata_uri: str
    metadata_hash: bytes
    recovery: str

    def as_tuple(self) -> tuple[str, str, bytes, str]:
        return (self.handle, self.metadata_uri, self.metadata_hash, self.recovery)


ANY_RELAYER = "0x" + "00" * 20  # a registration signed for this may be relayed by anyone


def register_message(
    owner: str, registration: Registration, nonce: int, deadline: int, relayer: str = ANY_RELAYER
) -> dict:
    return {
        "owner": owner,
        "handle": registration.handle,
        "metadataURI": registration.metadata_uri,
        "metadataHash": registration.metadata_hash,
        "recovery": registration.recovery,
        "relayer": relayer,
        "nonce": nonce,
        "deadline": deadline,
    }


def sign_registration(
    owner_key: LocalAccount | str,
    registration: Registration,
    nonce: int,
    deadline: int,
    chain_id: int,
    identity: str,
    relayer: str = ANY_RELAYER,
) -> bytes:
    """The owner's consent to have ``registration`` relayed (``Identity.registerFor``) by
    ``relayer`` only, or by anyone (the default, the zero address)."""
    owner = owner_key if isinstance(owner_key, LocalAccount) else Account.from_key(owner_key)
    signed = Account.sign_typed_data(
        owner.key,
        domain(IDENTITY_DOMAIN, chain_id, identity),
        REGISTER_TYPES,
        register_message(owner.address, registration, nonce, deadline, relayer),
    )
    return bytes(signed.signature)


def typed_digest(domain_data: dict, types: dict, message: dict) -> bytes:
    """The EIP-712 digest a wallet signs; lets tests compare with the contract's own digest."""
    signable = encode_typed_data(domain_data, types, message)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)
