"""Random but valid Planet activity on anvil, sent through web3 as wallets would send it.

Transactions go out as ``eth_sendTransaction`` from anvil's unlocked test accounts (fast: no
Python signing), except EIP-712 messages (attestations, relayed registrations), which are signed
with the keys exactly as the platform and wallets sign them. The helper remembers what it did
(identities, uids, revocations, addresses, passes, payees, vault epochs and trees) so tests can
ask the contracts about all of it.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from planet.core.manifest import Manifest
from planet.core.merkle import StandardMerkleTree
from planet.core.passes import PassTerms
from planet.core.typed_data import (
    Contribution,
    Registration,
    new_uid,
    sign_contribution,
    sign_registration,
)

ZERO = "0x" + "00" * 20
HOUR = 60 * 60
DAY = 24 * HOUR
NATIVE_PRICE = 10**15
TOKEN_PRICE = 5 * 10**6  # 5 USDT, 6 decimals
UINT64_MAX = 2**64 - 1
#: What :meth:`Planet.random_step` and :meth:`Planet.random_pass_step` can do.
STEP_ACTIONS = ("attest", "batch", "revoke", "metadata", "verify", "label", "relayed", "recovery")
PASS_ACTIONS = (
    "create",
    "mint",
    "renew",
    "transfer",
    "cap",
    "pause",
    "price",
    "withdraw",
    "admin",
    "window",
    "gift",
    "cancel",
)
_BLOCKED_BY_REQUIREMENT = (7, 8)  # ICommunityPass.Block.NotEnoughPoints, IdentityNotVerified


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
    erc20: Any = None  # a MockERC20 that passes may be priced in (tests deploy it)
    currencies: set[str] = field(default_factory=lambda: {ZERO})
    withdrawn: dict[tuple[str, str], int] = field(default_factory=dict)  # (payee, currency)
    epochs: set[int] = field(default_factory=set)  # vault epochs funded or swept into
    trees: dict[int, StandardMerkleTree] = field(default_factory=dict)  # the epoch's root
    proposals: dict[int, tuple[str, str]] = field(default_factory=dict)  # epoch -> (uri, hash)
    fundings: list[tuple[int, str, int]] = field(default_factory=list)  # (epoch, funder, amount)
    pauses: int = 0  # completed vault pauses
    _counter: int = 0

    #: What the helper has learnt of the chain (see :meth:`remember`).
    KNOWLEDGE = (
        "tokens",
        "recoverers",
        "uids",
        "revoked",
        "addresses",
        "tx_hashes",
        "currencies",
        "withdrawn",
        "epochs",
        "trees",
        "proposals",
        "fundings",
        "pauses",
    )

    def __post_init__(self) -> None:
        self.identity = self._contract("Identity")
        self.points = self._contract("ContributionPoints")
        self.community_pass = self._contract("CommunityPass")
        self.vault = self._contract("PrizeVault")
        self.chain_id = self.manifest.chain_id
        self.addresses.update(u.address.lower() for u in self.actors.users)
        self.addresses.add(self.actors.admin.address.lower())  # treasury and vault roles

    def remember(self) -> dict[str, Any]:
        """What the helper knows of the chain now, for :meth:`forget_since` once the chain is
        rewound to this point (``evm_revert``, ``anvil_reorg``)."""
        return {name: copy.copy(getattr(self, name)) for name in self.KNOWLEDGE}

    def forget_since(self, remembered: dict[str, Any]) -> None:
        """Back to what :meth:`remember` returned: the transactions since are gone."""
        for name, value in remembered.items():
            setattr(self, name, copy.copy(value))

    def _contract(self, name: str) -> Any:
        record = self.manifest.contract(name)
        return self.w3.eth.contract(
            address=Web3.to_checksum_address(record.address), abi=record.abi
        )

    # ------------------------------------------------------------------ sending

    def send(self, call: Any, sender: LocalAccount, value: int = 0) -> str:
        tx_hash = call.transact({"from": sender.address, "value": value})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=0.01)
        assert receipt.status == 1, f"transaction failed: {call}"
        self.tx_hashes.append("0x" + bytes(tx_hash).hex())
        return self.tx_hashes[-1]

    def raw(self, call: Any, sender: LocalAccount, nonce: int, value: int = 0) -> str:
        """A signed raw transaction (for anvil_reorg), not sent."""
        tx = call.build_transaction(
            {
                "from": sender.address,
                "value": value,
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

    def fresh_address(self) -> str:
        """A wallet nobody controls here, to receive gifts, transfers and rewards."""
        address = Account.create(extra_entropy=str(self.rng.random())).address
        self.addresses.add(address.lower())
        return address

    def travel(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])

    # ------------------------------------------------------------------ passes

    @property
    def pass_ids(self) -> range:
        return range(1, self.community_pass.functions.lastPassId().call() + 1)

    def pass_info(self, pass_id: int) -> Any:
        """``passes(id)`` with named fields (creator, duration, ..., minted, uri)."""
        return _PassInfo(*self.community_pass.functions.passes(pass_id).call())

    def user(self, address: str) -> LocalAccount | None:
        return next((u for u in self.actors.users if u.address.lower() == address.lower()), None)

    def create_pass(self, creator: LocalAccount, terms: PassTerms) -> int:
        self.send(self.community_pass.functions.createPass(terms.as_tuple()), creator)
        return self.community_pass.functions.lastPassId().call()

    def _pay(self, payer: LocalAccount, currency: str, cost: int) -> int:
        """Prepares an ERC-20 payment (mint and approve); returns the native value to send."""
        if currency.lower() == ZERO:
            return cost
        if cost:
            self.send(self.erc20.functions.mint(payer.address, cost), payer)
            self.send(self.erc20.functions.approve(self.community_pass.address, cost), payer)
        return 0

    def mint_pass(self, payer: LocalAccount, pass_id: int, quantity: int, to: str) -> str:
        info = self.pass_info(pass_id)
        value = self._pay(payer, info.currency, info.price * quantity)
        call = self.community_pass.functions.mint(pass_id, to, quantity, info.price)
        return self.send(call, payer, value)

    def renew_pass(self, payer: LocalAccount, pass_id: int, holder: str, periods: int) -> str:
        info = self.pass_info(pass_id)
        # the holder's price: its snapshot during a price notice, else the current one
        price = self.community_pass.functions.renewalPrice(pass_id, holder).call()
        value = self._pay(payer, info.currency, price * periods)
        call = self.community_pass.functions.renew(pass_id, holder, periods, price)
        return self.send(call, payer, value)

    def withdraw(self, payee: LocalAccount, currency: str, to: str | None = None) -> None:
        amount = self.community_pass.functions.proceeds(payee.address, currency).call()
        functions = self.community_pass.functions
        call = functions.withdraw(currency) if to is None else functions.withdrawTo(currency, to)
        self.send(call, payee)
        key = (payee.address.lower(), currency.lower())
        self.withdrawn[key] = self.withdrawn.get(key, 0) + amount

    def random_terms(self) -> PassTerms:
        rng = self.rng
        currency = rng.choice([ZERO, self.erc20.address]) if self.erc20 is not None else ZERO
        price = rng.choice([0, rng.randrange(1, 10**16), rng.randrange(1, 10**16)])
        supply = rng.choice([rng.randrange(3, 20), rng.randrange(3, 20), UINT64_MAX])
        uri = f"ipfs://pass/{rng.randrange(10**6)}"
        if rng.random() < 0.4:  # a subscription: soulbound, one per wallet
            duration = rng.choice([DAY, 7 * DAY, 30 * DAY])
            return PassTerms(currency, price, supply, 1, duration, uri=uri)
        limit = rng.choice([1, rng.randrange(2, 8), UINT64_MAX])
        transferable = rng.random() < 0.5
        royalty = rng.randrange(0, 1001) if transferable else 0
        return PassTerms(currency, price, supply, limit, 0, transferable, royalty, uri)

    def random_pass_step(self, action: str | None = None) -> None:
        """One valid CommunityPass action (of :data:`PASS_ACTIONS`, random if not named, its
        details random); creates a pass if there is none."""
        rng = self.rng
        creators = self.funded_holders()
        ids = list(self.pass_ids)
        weights = [3, 10, 3, 3, 1, 1, 1, 2, 1, 1, 1, 1]
        action = action or rng.choices(PASS_ACTIONS, weights=weights)[0]
        if action == "create" or not ids:
            self.create_pass(rng.choice(creators), self.random_terms())
        elif action == "mint":
            self._random_mint(rng.choice(ids))
        elif action == "renew":
            self._random_renew(ids)
        elif action == "transfer":
            self._random_transfer(ids)
        elif action in ("cap", "pause", "price"):
            pass_id = rng.choice(ids)
            info = self.pass_info(pass_id)
            creator = self.user(info.creator)
            if creator is None:  # its creator's identity moved to a wallet without a key
                return
            functions = self.community_pass.functions
            if action == "cap" and info.max_supply > info.minted:
                cap = rng.randrange(info.minted, min(info.max_supply, info.minted + 10))
                self.send(functions.lowerSupplyCap(pass_id, cap), creator)
            elif action == "pause":
                self.send(functions.setSalesPaused(pass_id, not info.paused), creator)
            elif action == "price":
                self.send(
                    functions.setPrice(pass_id, rng.choice([0, rng.randrange(10**16)])), creator
                )
        elif action == "withdraw":
            self._random_withdraw()
        elif action in ("window", "gift", "cancel"):
            self._random_v2(action, ids)
        else:
            admin = self.actors.admin
            if rng.random() < 0.5:
                treasury = rng.choice([admin, *self.actors.users])
                self.send(self.community_pass.functions.setTreasury(treasury.address), admin)
            else:
                self.send(self.community_pass.functions.setPlatformFee(rng.randrange(1001)), admin)

    def _random_mint(self, pass_id: int) -> None:
        rng = self.rng
        info = self.pass_info(pass_id)
        if info.paused or info.minted >= info.max_supply:
            return
        payer = rng.choice(self.actors.users)
        to = (
            rng.choices(
                [payer.address, rng.choice(self.actors.users).address, None], weights=[6, 3, 1]
            )[0]
            or self.fresh_address()
        )
        if self.community_pass.functions.canMint(pass_id, to).call()[1] in _BLOCKED_BY_REQUIREMENT:
            return  # the recipient misses the pass's requirement
        room = info.wallet_limit - self.community_pass.functions.mintedTo(pass_id, to).call()
        if info.duration:
            if room == 0:  # a subscriber renews rather than mints again
                return
            quantity = rng.randrange(1, 4)
        else:
            quantity = min(rng.randrange(1, 4), room, info.max_supply - info.minted)
            if quantity == 0:
                return
        self.mint_pass(payer, pass_id, quantity, to)

    def _random_renew(self, ids: list[int]) -> None:
        rng = self.rng
        expiry_of = self.community_pass.functions.expiryOf
        subscriptions = [i for i in ids if (info := self.pass_info(i)).duration and not info.paused]
        subscribed = [
            (pass_id, address_of(address))
            for pass_id in subscriptions
            for address in sorted(self.addresses)
            if expiry_of(pass_id, address_of(address)).call()
            and self.community_pass.functions.canRenew(pass_id, address_of(address)).call()[0]
        ]
        if subscribed:
            pass_id, holder = rng.choice(subscribed)
            self.renew_pass(rng.choice(self.actors.users), pass_id, holder, rng.randrange(1, 3))

    def _random_transfer(self, ids: list[int]) -> None:
        rng = self.rng
        functions = self.community_pass.functions
        held = [
            (pass_id, user, balance)
            for pass_id in ids
            if self.pass_info(pass_id).transferable
            # a receiver may miss a requirement: only passes without one move at random
            and functions.policy(pass_id).call()[:3] == [0, 0, False]
            for user in self.actors.users
            if (balance := functions.balanceOf(user.address, pass_id).call())
        ]
        if not held:
            return
        pass_id, user, balance = rng.choice(held)
        to = rng.choice([rng.choice(self.actors.users).address, self.fresh_address()])
        others = [(i, b) for i, u, b in held if u is user and i != pass_id]
        if others and rng.random() < 0.5:
            other, other_balance = rng.choice(others)
            amounts = [rng.randrange(1, balance + 1), rng.randrange(0, other_balance + 1)]
            call = functions.safeBatchTransferFrom(user.address, to, [pass_id, other], amounts, b"")
        else:
            amount = rng.randrange(1, balance + 1)
            call = functions.safeTransferFrom(user.address, to, pass_id, amount, b"")
        self.send(call, user)

    def _random_v2(self, action: str, ids: list[int]) -> None:
        """Protocol v2 at random: a creator sets a refund window or gifts a batch; a holder
        cancels a payment that is still refundable (and funded)."""
        rng, functions = self.rng, self.community_pass.functions
        pass_id = rng.choice(ids)
        info = self.pass_info(pass_id)
        creator = self.user(info.creator)
        if action == "window" and creator is not None and info.duration:
            self.send(functions.setRefundWindow(pass_id, rng.choice([0, DAY, 7 * DAY])), creator)
        elif action == "gift" and creator is not None and info.minted < info.max_supply:
            recipients = [rng.choice(self.actors.users).address]
            if info.duration == 0:
                left = info.wallet_limit - functions.mintedTo(pass_id, recipients[0]).call()
                if left <= 0 or info.max_supply - info.minted < 1:
                    return
            elif not functions.expiryOf(pass_id, recipients[0]).call():
                recipients.append(self.fresh_address())
                if info.max_supply - info.minted < 2:
                    return
            self.send(functions.gift(pass_id, recipients, 1), creator)
        elif action == "cancel" and info.duration:
            for user in self.actors.users:
                refund, funded = functions.refundable(pass_id, user.address).call()
                if refund and funded:
                    self.send(functions.cancelSubscription(pass_id), user)
                    return

    def _random_withdraw(self) -> None:
        rng = self.rng
        owed = [
            (payee, currency)
            for payee in [self.actors.admin, *self.actors.users]
            for currency in sorted(self.currencies)
            if self.community_pass.functions.proceeds(payee.address, address_of(currency)).call()
        ]
        if owed:
            payee, currency = rng.choice(owed)
            to = rng.choice([None, rng.choice(self.actors.users).address])
            self.withdraw(payee, address_of(currency), to)

    # ------------------------------------------------------------------ vault

    def fund(self, epoch: int, amount: int, funder: LocalAccount | None = None) -> str:
        """Funds an epoch with native OKB (the deployment's vault asset)."""
        funder = funder or self.rng.choice(self.actors.users)
        tx = self.send(self.vault.functions.fund(epoch, amount), funder, amount)
        self.epochs.add(epoch)
        self.fundings.append((epoch, funder.address.lower(), amount))
        return tx

    def propose(self, epoch: int, rewards: dict[str, int]) -> StandardMerkleTree:
        """The distributor proposes a tree of ``rewards`` for the epoch."""
        tree = StandardMerkleTree.of(rewards.items())
        uri = f"ipfs://planet/distributions/{epoch}/{self.rng.randrange(10**6)}.json"
        file_hash = keccak(text=uri)
        call = self.vault.functions.proposeRoot(
            epoch, tree.root, sum(rewards.values()), uri, file_hash
        )
        self.send(call, self.actors.admin)
        self.trees[epoch] = tree
        self.proposals[epoch] = (uri, "0x" + file_hash.hex())
        return tree

    def veto(self, epoch: int, reason: str) -> None:
        self.send(self.vault.functions.veto(epoch, reason), self.actors.admin)

    def claim(self, epoch: int, account: str, sender: LocalAccount | None = None) -> str:
        tree = self.trees[epoch]
        call = self.vault.functions.claim(
            epoch, account, tree.amount_of(account), tree.proof(account)
        )
        return self.send(call, sender or self.rng.choice(self.actors.users))

    def claim_many(self, epochs: list[int], account: str) -> str:
        trees = [self.trees[e] for e in epochs]
        call = self.vault.functions.claimMany(
            epochs,
            account,
            [t.amount_of(account) for t in trees],
            [t.proof(account) for t in trees],
        )
        return self.send(call, self.rng.choice(self.actors.users))

    def pause_for(self, seconds: int) -> None:
        """The guardian (the admin here) pauses the vault, time passes, the admin unpauses."""
        self.send(self.vault.functions.pause(), self.actors.admin)
        self.travel(seconds)
        self.send(self.vault.functions.unpause(), self.actors.admin)
        self.pauses += 1

    def role_changes(self) -> None:
        """Schedules three delayed role changes and leaves one of each state: one executed
        after the delay, one cancelled, one still pending."""
        vault = self.vault.functions
        distributor, guardian = vault.DISTRIBUTOR_ROLE().call(), vault.GUARDIAN_ROLE().call()
        admin = self.actors.admin
        users = [u.address for u in self.actors.users]
        self.send(vault.scheduleRoleChange(distributor, users[1], True), admin)
        self.send(vault.scheduleRoleChange(guardian, users[2], True), admin)
        self.send(vault.cancelRoleChange(guardian, users[2], True), admin)
        self.send(vault.scheduleRoleChange(guardian, users[2], True), admin)  # again: row reused
        self.travel(vault.ROLE_DELAY().call())
        self.send(vault.executeRoleChange(distributor, users[1], True), self.actors.users[3])
        self.send(vault.scheduleRoleChange(guardian, users[3], True), admin)
        self.send(vault.cancelRoleChange(guardian, users[2], True), admin)

    def sweep(self, source: int, target: int) -> None:
        self.send(self.vault.functions.sweep(source, target), self.rng.choice(self.actors.users))
        self.epochs.add(target)

    def random_rewards(self, pool: int, count: int) -> dict[str, int]:
        """Rewards for ``count`` accounts (users and fresh wallets) summing to at most ``pool``."""
        accounts = self.rng.sample([u.address for u in self.actors.users], min(count, 4))
        accounts += [self.fresh_address() for _ in range(count - len(accounts))]
        share = pool // (2 * count)
        return {a: self.rng.randrange(1, share + 1) for a in accounts}

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

    def random_step(self, action: str | None = None) -> None:
        """One valid Identity or ContributionPoints action (of :data:`STEP_ACTIONS`, random if
        not named, its details random); a metadata update when the named one cannot be done."""
        rng = self.rng
        holders = self.funded_holders()
        action = action or rng.choices(STEP_ACTIONS, weights=[5, 3, 2, 2, 1, 2, 1, 1])[0]
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


# ---------------------------------------------------------------------- scripted activity


def pass_activity(planet: Planet) -> dict[str, int]:
    """Every CommunityPass action at least once, then random ones; returns the scripted ids."""
    users, admin = planet.actors.users, planet.actors.admin
    cp = planet.community_pass.functions
    usdt = planet.erc20.address
    ids = {
        "lifetime": planet.create_pass(
            users[0], PassTerms(ZERO, NATIVE_PRICE, 10, 3, uri="ipfs://pass/lifetime")
        ),
        "tradable": planet.create_pass(
            users[1],
            PassTerms(usdt, TOKEN_PRICE, UINT64_MAX, UINT64_MAX, 0, True, 750, "ipfs://pass/t"),
        ),
        "daily": planet.create_pass(
            users[2], PassTerms(ZERO, NATIVE_PRICE, 100, 1, DAY, uri="ipfs://pass/daily")
        ),
        "monthly": planet.create_pass(
            users[3], PassTerms(usdt, TOKEN_PRICE, 100, 1, 30 * DAY, uri="ipfs://pass/monthly")
        ),
        "free": planet.create_pass(users[0], PassTerms(ZERO, 0, 5, 2, uri="ipfs://pass/free")),
    }
    lifetime, tradable, daily, monthly = (
        ids[k] for k in ("lifetime", "tradable", "daily", "monthly")
    )
    planet.mint_pass(users[1], lifetime, 2, users[1].address)  # native
    planet.mint_pass(users[2], lifetime, 1, users[4].address)  # a gift
    planet.mint_pass(users[4], tradable, 4, users[4].address)  # ERC-20
    planet.mint_pass(users[5], tradable, 2, users[5].address)
    planet.mint_pass(users[0], daily, 1, users[0].address)  # lapses when time moves
    planet.mint_pass(users[1], monthly, 1, users[1].address)  # ERC-20 subscription
    planet.mint_pass(users[2], monthly, 2, users[3].address)  # a gifted subscription
    planet.mint_pass(users[3], ids["free"], 2, users[3].address)  # free: no proceeds
    planet.renew_pass(users[4], monthly, users[1].address, 2)  # someone else renews
    planet.send(  # a transferable pass moves, once alone and once in a batch
        cp.safeTransferFrom(users[4].address, users[5].address, tradable, 1, b""), users[4]
    )
    planet.send(
        cp.safeBatchTransferFrom(
            users[5].address, planet.fresh_address(), [tradable, tradable], [1, 0], b""
        ),
        users[5],
    )
    planet.send(cp.lowerSupplyCap(lifetime, 6), users[0])
    planet.send(cp.setSalesPaused(daily, True), users[2])
    planet.send(cp.setPrice(lifetime, 3 * NATIVE_PRICE), users[0])
    planet.mint_pass(users[5], lifetime, 1, users[5].address)  # at the new price
    planet.withdraw(users[0], ZERO)
    planet.withdraw(users[1], usdt, users[2].address)  # withdrawTo
    # fees follow the treasury current at each sale
    planet.send(cp.setTreasury(users[5].address), admin)
    planet.send(cp.setPlatformFee(900), admin)
    planet.mint_pass(users[2], tradable, 1, users[2].address)
    ids["after_fee"] = planet.create_pass(
        users[4], PassTerms(ZERO, NATIVE_PRICE, 20, 4, uri="ipfs://pass/after-fee")
    )
    planet.mint_pass(users[0], ids["after_fee"], 3, users[0].address)
    planet.withdraw(admin, usdt)
    planet.send(cp.setTreasury(admin.address), admin)
    # protocol v2: a refund window, a refunded and a refundable payment, a batch gift to a new
    # and an existing subscriber, a renewal at the snapshot during a price notice, a requirement
    planet.send(cp.setRefundWindow(monthly, 7 * DAY), users[3])
    planet.mint_pass(users[5], monthly, 1, users[5].address)
    planet.send(cp.cancelSubscription(monthly), users[5])
    planet.renew_pass(users[1], monthly, users[1].address, 1)
    planet.send(cp.gift(monthly, [users[0].address, users[3].address], 1), users[3])
    planet.send(cp.setPrice(monthly, 2 * TOKEN_PRICE), users[3])
    planet.renew_pass(users[3], monthly, users[3].address, 1)  # still at the snapshot
    planet.send(cp.setRequirements(ids["after_fee"], (1, 0, False)), users[4])
    for _ in range(25):
        planet.random_pass_step()
    return ids


def vault_activity(planet: Planet, between: int = 6) -> None:
    """Fund, propose, veto, re-propose, wait out the challenge, claim, claimMany, sweep (with
    ``between`` random pass steps after each phase)."""
    rng, users = planet.rng, planet.actors.users
    vault = planet.vault.functions
    current = vault.currentEpoch().call()
    assert current >= 3, "genesis lies three weeks back"

    def pool(epoch: int) -> int:
        return vault.epochInfo(epoch).call()[2][0]

    def interlude() -> None:
        for _ in range(between):
            planet.random_pass_step()

    for epoch in (0, 1, 2, current):
        for _ in range(rng.randrange(1, 3)):
            planet.fund(epoch, rng.randrange(10**16, 10**18))
    planet.fund(current + 52, 1)  # the furthest epoch that may be funded
    planet.pause_for(HOUR)  # before any root, so no window moves; mirrored in vault_pauses
    interlude()

    common = users[0].address  # in both trees: claims two epochs at once
    planet.propose(1, {common: 10**15, **planet.random_rewards(pool(1), 3)})
    planet.veto(1, "counted a wash trade")
    rewards_1 = {common: 2 * 10**15, **planet.random_rewards(pool(1), 4)}
    planet.propose(1, rewards_1)
    rewards_2 = {common: 3 * 10**15, **planet.random_rewards(pool(2), 3)}
    planet.propose(2, rewards_2)
    interlude()

    planet.travel(HOUR + 1)  # past the challenge period
    planet.claim_many([1, 2], common)
    for account in list(rewards_1)[1:-1]:  # one account of epoch 1 never claims
        planet.claim(1, account)
    planet.claim(2, list(rewards_2)[1], planet.user(common))
    planet.sweep(0, current)  # no root ever: its window closed a week after it ended
    interlude()

    planet.travel(7 * DAY + HOUR)  # past epoch 1 and 2's claim windows
    later = vault.currentEpoch().call()
    planet.sweep(1, later)
    planet.sweep(2, later)
    planet.fund(later, 10**17)
    planet.propose(current, planet.random_rewards(pool(current), 3))
    planet.veto(current, "distribution file does not match")
    planet.role_changes()
    interlude()


def full_activity(planet: Planet) -> dict[str, int]:
    planet.random_activity(8)  # identities for every user, some points
    ids = pass_activity(planet)
    vault_activity(planet)
    # after the time travel: a lapsed subscription renewed from now, more sales
    cp = planet.community_pass.functions
    planet.send(cp.setSalesPaused(ids["daily"], False), planet.actors.users[2])
    planet.renew_pass(planet.actors.users[3], ids["daily"], planet.actors.users[0].address, 3)
    planet.mint_pass(planet.actors.users[4], ids["daily"], 1, planet.actors.users[4].address)
    for _ in range(10):
        planet.random_step()
        planet.random_pass_step()
    return ids


def address_of(address: str) -> str:
    return Web3.to_checksum_address(address)


@dataclass(frozen=True)
class _PassInfo:
    """``ICommunityPass.Pass`` in its field order."""

    creator: str
    duration: int
    fee_bps: int
    royalty_bps: int
    currency: str
    transferable: bool
    paused: bool
    wallet_limit: int
    price: int
    max_supply: int
    minted: int
    uri: str


def local_key(account) -> LocalAccount:
    """The eth-account view of an ape test account, to sign exactly as a wallet would."""
    return Account.from_key(account.private_key)


def registration(handle: str, recovery: str = "0x" + "00" * 20, uri: str = "") -> Registration:
    uri = uri or f"ipfs://persona/{handle}"
    return Registration(handle, uri, keccak(text=uri), recovery)
