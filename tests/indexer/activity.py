"""Random but valid Planet activity on anvil, sent through web3 as wallets would send it.

Transactions go out as ``eth_sendTransaction`` from anvil's unlocked test accounts (fast: no
Python signing), except EIP-712 messages (attestations, relayed registrations), which are signed
with the keys exactly as the platform and wallets sign them. The helper remembers what it did
(identities, uids, revocations, addresses) so tests can ask the contracts about all of it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from planet.manifest import Manifest
from planet.typed_data import (
    Contribution,
    Registration,
    new_uid,
    sign_contribution,
    sign_registration,
)

ZERO = "0x" + "00" * 20


@dataclass
class Actors:
    admin: LocalAccount
    attester: LocalAccount
    verifier: LocalAccount
    risk: LocalAccount
    users: list[LocalAccount]


@dataclass
class Planet:
    w3: Web3
    manifest: Manifest
    actors: Actors
    rng: random.Random
    tokens: dict[str, int] = field(default_factory=dict)  # owner (lowercase) -> token id
    recoverers: dict[str, LocalAccount] = field(default_factory=dict)  # owner -> recovery
    uids: list[bytes] = field(default_factory=list)
    revoked: set[bytes] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    tx_hashes: list[str] = field(default_factory=list)
    _counter: int = 0

    def __post_init__(self) -> None:
        self.identity = self._contract("Identity")
        self.points = self._contract("ContributionPoints")
        self.chain_id = self.manifest.chain_id
        self.addresses.update(u.address.lower() for u in self.actors.users)

    def _contract(self, name: str) -> Any:
        record = self.manifest.contract(name)
        return self.w3.eth.contract(
            address=Web3.to_checksum_address(record.address), abi=record.abi
        )

    # ------------------------------------------------------------------ sending

    def send(self, call: Any, sender: LocalAccount) -> str:
        tx_hash = call.transact({"from": sender.address})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=0.01)
        assert receipt.status == 1, f"transaction failed: {call}"
        self.tx_hashes.append("0x" + bytes(tx_hash).hex())
        return self.tx_hashes[-1]

    def raw(self, call: Any, sender: LocalAccount, nonce: int) -> str:
        """A signed raw transaction (for anvil_reorg), not sent."""
        tx = call.build_transaction(
            {
                "from": sender.address,
                "nonce": nonce,
                "gas": 1_500_000,
                "maxFeePerGas": 10**11,
                "maxPriorityFeePerGas": 10**9,
                "chainId": self.chain_id,
            }
        )
        return "0x" + bytes(sender.sign_transaction(tx).raw_transaction).hex()

    # ------------------------------------------------------------------ identity

    def _registration(self, handle: str, recovery: str = ZERO) -> Registration:
        uri = f"ipfs://persona/{handle}/{self.rng.randrange(10**6)}"
        return Registration(handle, uri, keccak(text=uri), recovery)

    def register(self, user: LocalAccount, handle: str | None = None) -> int:
        handle = handle or f"User_{len(self.tokens) + 1}_{self.rng.randrange(1000)}"
        self.send(self.identity.functions.register(self._registration(handle).as_tuple()), user)
        return self._registered(user.address)

    def register_relayed(self, relayer: LocalAccount) -> LocalAccount:
        """A fresh wallet with no gas gets an identity through a relayer."""
        owner = Account.create(extra_entropy=str(self.rng.random()))
        reg = self._registration(f"fresh_{len(self.tokens) + 1}")
        deadline = self.w3.eth.get_block("latest").timestamp + 3600
        sig = sign_registration(owner, reg, 0, deadline, self.chain_id, self.identity.address)
        self.send(
            self.identity.functions.registerFor(owner.address, reg.as_tuple(), deadline, sig),
            relayer,
        )
        self._registered(owner.address)
        return owner

    def _registered(self, address: str) -> int:
        token = self.identity.functions.identityOf(address).call()
        assert token
        self.tokens[address.lower()] = token
        self.addresses.add(address.lower())
        return token

    def set_metadata(self, user: LocalAccount) -> None:
        uri = f"ipfs://persona/v{self.rng.randrange(10**6)}"
        self.send(self.identity.functions.setMetadata(uri, keccak(text=uri)), user)

    def set_recovery(self, user: LocalAccount, recovery: LocalAccount) -> None:
        self.send(self.identity.functions.setRecovery(recovery.address), user)
        self.recoverers[user.address.lower()] = recovery

    def recover(self, owner: str) -> str:
        """The recovery address moves ``owner``'s identity to a fresh address."""
        fresh = Account.create(extra_entropy=str(self.rng.random())).address
        recovery = self.recoverers.pop(owner.lower())
        self.send(self.identity.functions.recover(owner, fresh), recovery)
        self.tokens[fresh.lower()] = self.tokens.pop(owner.lower())
        self.addresses.add(fresh.lower())
        return fresh

    def verify(self, token: int, verified: bool) -> None:
        self.send(self.identity.functions.setVerified(token, verified), self.actors.verifier)

    def label(self, token: int, labels: int) -> None:
        self.send(self.identity.functions.setLabels(token, labels), self.actors.verifier)

    # ------------------------------------------------------------------ points

    def contribution(self, account: str, amount: int | None = None) -> tuple[Contribution, bytes]:
        self._counter += 1
        current = self.points.functions.currentEpoch().call()
        c = Contribution(
            account=Web3.to_checksum_address(account),
            kind=self.rng.randrange(7),
            amount=amount or self.rng.randrange(1, 500),
            epoch=self.rng.randrange(current + 1),
            uid=new_uid("test", account, self._counter, self.rng.random()),
            deadline=self.w3.eth.get_block("latest").timestamp + 3600,
        )
        return c, sign_contribution(self.actors.attester, c, self.chain_id, self.points.address)

    def attest(self, user: LocalAccount) -> bytes:
        c, sig = self.contribution(user.address)
        self.send(self.points.functions.attest(c.as_tuple(), sig), user)
        self.uids.append(c.uid)
        return c.uid

    def batch(self, accounts: list[str]) -> list[bytes]:
        items = [self.contribution(a) for a in accounts]
        self.send(
            self.points.functions.attestBatch(
                [c.as_tuple() for c, _ in items], [s for _, s in items]
            ),
            self.actors.attester,
        )
        self.uids += [c.uid for c, _ in items]
        return [c.uid for c, _ in items]

    def revoke(self, uid: bytes) -> None:
        self.send(
            self.points.functions.revoke(uid, f"reason {self.rng.randrange(100)}"), self.actors.risk
        )
        self.revoked.add(uid)

    # ------------------------------------------------------------------ a mix

    def funded_holders(self) -> list[LocalAccount]:
        return [u for u in self.actors.users if u.address.lower() in self.tokens]

    def random_activity(self, steps: int) -> None:
        """``steps`` random valid actions; registers every funded user first."""
        for user in self.actors.users:
            if user.address.lower() not in self.tokens:
                self.register(user)
        for _ in range(steps):
            self.random_step()

    def random_step(self) -> None:
        rng = self.rng
        holders = self.funded_holders()
        action = rng.choices(
            ["attest", "batch", "revoke", "metadata", "verify", "label", "relayed", "recovery"],
            weights=[5, 3, 2, 2, 1, 2, 1, 1],
        )[0]
        live = [u for u in self.uids if u not in self.revoked]
        if action == "attest" and holders:
            self.attest(rng.choice(holders))
        elif action == "batch" and self.tokens:
            self.batch([rng.choice(sorted(self.tokens)) for _ in range(rng.randrange(2, 12))])
        elif action == "revoke" and live:
            self.revoke(rng.choice(live))
        elif action == "metadata" and holders:
            self.set_metadata(rng.choice(holders))
        elif action == "verify" and self.tokens:
            self.verify(rng.choice(list(self.tokens.values())), rng.random() < 0.7)
        elif action == "label" and self.tokens:
            labels = rng.choice([rng.randrange(16), rng.getrandbits(256), 2**255 + 1])
            self.label(rng.choice(list(self.tokens.values())), labels)
        elif action == "relayed":
            self.register_relayed(rng.choice(self.actors.users))
        elif action == "recovery" and holders:
            user = rng.choice(holders)
            key = user.address.lower()
            if key in self.recoverers:
                self.recover(user.address)
            else:
                others = [u for u in self.actors.users if u is not user]
                self.set_recovery(user, rng.choice(others))
        else:
            self.set_metadata(rng.choice(holders)) if holders else None
