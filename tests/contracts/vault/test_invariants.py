"""Property test against the real vault on anvil: for any sequence of fund, propose, veto,
claim, claimMany, sweep and time travel, the books stay whole.

A Python model predicts every call's outcome (success, or which custom error). Predicted
failures are checked with an `eth_call` (a reverting call changes nothing, and this skips the
call trace ape prints for every failed transaction); predicted successes are sent as real
transactions. After every step the epochs it touched are compared with the model and checked
for paid <= root total <= funds; the vault must hold exactly what is still owed (funded - paid -
swept out, summed over epochs); no (epoch, account) leaf may be paid twice and each payment
must be its leaf's amount. At the end of each example every epoch is checked again.

Calls go over plain JSON-RPC (tests/contracts/fast_reads.py), not ape's contract objects: the
check after each step reads what it compares in one batch, and each distinct tree is built
once a run.

Timing is kept off the boundaries on purpose: every travel step is a whole number of hours from
a start half an hour past the hour, and the challenge period is a day and a half hour, so week
ends and `claimableAt` (and the windows counted from them) fall on the hour while calls happen
at half past; a few seconds of block-time drift can never flip a prediction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.contracts.fast_reads import contracts
from tests.support.oz_merkle import OzTree, address_of, build_tree
from tests.support.profiles import examples

from .conftest import HOUR, USDT, WEEK, WINDOW_WEEKS

CHALLENGE = 24 * HOUR + 30 * 60
SPAN = 5  # epochs base .. base + SPAN - 1 take funds and roots
START_FUNDS = 30 * USDT
NONE, PROPOSED, VETOED = 0, 1, 2

# The same leaves give the same tree: each one is built (by node, ~0.1 s) once a run.
tree_of = cache(build_tree)


@dataclass
class EpochModel:
    funded: int = 0
    total: int = 0
    paid: int = 0
    claimable_at: int = 0
    status: int = NONE
    swept: bool = False
    swept_out: int = 0
    tree: OzTree | None = None


@dataclass
class Model:
    genesis: int
    epochs: dict[int, EpochModel] = field(default_factory=dict)
    claimed: set[tuple[int, str]] = field(default_factory=set)

    def at(self, epoch: int) -> EpochModel:
        return self.epochs.setdefault(epoch, EpochModel())

    def current(self, now: int) -> int:
        return (now - self.genesis) // WEEK

    def final(self, e: EpochModel, now: int) -> bool:
        return e.swept or (e.status == PROPOSED and now >= e.claimable_at)

    def closes_at(self, epoch: int) -> int:
        e = self.at(epoch)
        opens = e.claimable_at if e.status == PROPOSED else self.genesis + (epoch + 1) * WEEK
        return opens + WINDOW_WEEKS * WEEK

    def claim_error(self, epoch: int, account: str, amount: int, now: int) -> str | None:
        e = self.at(epoch)
        checks = [
            (e.status == NONE, "VaultNoRoot"),
            (e.status == VETOED, "VaultRootVetoed"),
            (now < e.claimable_at, "VaultRootNotReady"),
            (e.swept, "VaultEpochSwept"),
            ((epoch, account) in self.claimed, "VaultAlreadyClaimed"),
            (e.tree is None or e.tree.amounts.get(account) != amount, "VaultInvalidProof"),
            (e.paid + amount > e.total, "VaultExceedsTotal"),
        ]
        return next((error for failed, error in checks if failed), None)


class VaultMachine(RuleBasedStateMachine):
    """Fixtures are attached as class attributes by the test below."""

    vault: Any = None  # fast_reads.Contract views of the vault and its token
    token: Any = None
    chain: Any = None
    people: ClassVar[list[Any]] = []
    distributor: Any = None
    guardian: Any = None
    funder: Any = None
    # (rule, expected error or None) -> count: shows with -s which paths the run reached.
    outcomes: ClassVar[Counter] = Counter()

    @initialize()
    def start(self):
        self.snapshot = self.chain.snapshot()
        genesis, self.base = self.node.read(
            self.vault.call("GENESIS"), self.vault.call("currentEpoch")
        )
        self.model = Model(genesis=genesis)
        self.payments: Counter[tuple[int, str]] = Counter()
        self.dirty: set[int] = set()
        for epoch in range(self.base, self.base + SPAN):
            self.vault.transact("fund", epoch, START_FUNDS, sender=self.funder)
            self.model.at(epoch).funded = START_FUNDS
        head = self.now
        self.travel_to((head // HOUR + 3 * 7 * 24 + 1) * HOUR + HOUR // 2)
        # The first week already has a root past its challenge period, so claims start at once
        # (a faulty one: leaves of 10 under a total of 7, so claims can run into the total);
        # the next two weeks have ended without one, the fourth is current, the fifth ahead.
        self.propose(offset=0, shares=[4, 3, 2, 1], mode="short")
        self.travel(hours=25)

    def teardown(self):
        if not hasattr(self, "snapshot"):
            return
        try:  # a last look at every epoch, then back to the chain as the example found it
            self.dirty = set(self.model.epochs)
            self.books_are_whole()
        finally:
            self.chain.restore(self.snapshot)

    # ---------------------------------------------------------------- helpers

    @property
    def node(self) -> Any:
        return self.vault.node

    @property
    def now(self) -> int:
        """The head block's timestamp (read raw: ape's block model costs more than the call)."""
        return self.node.timestamp("latest")

    def travel_to(self, timestamp: int) -> None:
        self.chain.pending_timestamp = timestamp
        self.chain.mine()

    def revert_name(self, method: str, args: tuple, sender: Any) -> str | None:
        error = self.vault.revert_of(method, *args, sender=sender, block="latest")
        return error and error.name

    def attempt(self, rule_name: str, expected: str | None, method: str, *args: Any, sender: Any):
        """Checks a predicted failure with eth_call, or sends a predicted success."""
        self.outcomes[(rule_name, expected)] += 1
        if expected is not None:
            assert self.revert_name(method, args, sender) == expected
            return None
        return self.vault.transact(method, *args, sender=sender)

    def record_claims(self, receipt, amounts: dict[int, int], account: str) -> None:
        events = self.vault.decode_events(receipt, "Claimed")
        assert sorted((ev.epoch, ev.amount) for ev in events) == sorted(amounts.items())
        for ev in events:
            assert address_of(ev.account) == account
            self.payments[(ev.epoch, account)] += 1

    def leaf_for(self, epoch: int, who: int, wrong: bool) -> tuple[str, int, list[bytes]]:
        account = address_of(self.people[who])
        tree = self.model.at(epoch).tree
        if tree is None or account not in tree.amounts:
            # Not in this distribution: try someone else's proof.
            return account, USDT, next(iter(tree.proofs.values())) if tree else []
        return account, tree.amounts[account] + int(wrong), tree.proof(account)

    # ---------------------------------------------------------------- rules

    @rule(offset=st.integers(0, SPAN - 1), units=st.integers(0, 20))
    def fund(self, offset, units):
        epoch, amount = self.base + offset, units * USDT
        e = self.model.at(epoch)
        expected = None
        if amount == 0:
            expected = "VaultZeroAmount"
        elif self.model.final(e, self.now):
            expected = "VaultEpochFinalized"
        if self.attempt("fund", expected, "fund", epoch, amount, sender=self.funder):
            e.funded += amount
            self.dirty.add(epoch)

    @rule(
        offset=st.integers(0, SPAN - 1),
        shares=st.lists(st.integers(1, 10), min_size=1, max_size=4),
        mode=st.sampled_from(["exact", "short", "spare", "over_funds"]),
    )
    def propose(self, offset, shares, mode):
        epoch = self.base + offset
        e = self.model.at(epoch)
        rewards = {address_of(p): s * USDT for p, s in zip(self.people, shares, strict=False)}
        leaves = sum(rewards.values())
        # "short" is a faulty tree whose leaves add up to more than the root's total.
        total = {
            "exact": leaves,
            "short": max(USDT, leaves - 3 * USDT),
            "spare": leaves + USDT,
            "over_funds": e.funded + 1,
        }[mode]
        checks = [
            (epoch >= self.model.current(self.now), "VaultEpochNotEnded"),
            (e.swept, "VaultEpochSwept"),
            (e.status == PROPOSED, "VaultRootAlreadyProposed"),
            (total > e.funded, "VaultTotalExceedsFunds"),
        ]
        expected = next((error for failed, error in checks if failed), None)
        # Only a proposal expected to succeed needs a real tree (node takes ~0.1 s a tree).
        tree = tree_of(tuple(rewards.items())) if expected is None else None
        root = tree.root if tree else keccak(text="any non-zero root")
        args = (epoch, root, total, "ipfs://dist", keccak(root))
        receipt = self.attempt("propose", expected, "proposeRoot", *args, sender=self.distributor)
        if receipt:
            e.status, e.total, e.tree = PROPOSED, total, tree
            e.claimable_at = receipt.timestamp + CHALLENGE
            self.dirty.add(epoch)

    @rule(offset=st.integers(0, SPAN - 1))
    def veto(self, offset):
        epoch = self.base + offset
        e = self.model.at(epoch)
        expected = None
        if e.status != PROPOSED:
            expected = "VaultNoPendingRoot"
        elif self.now >= e.claimable_at:
            expected = "VaultChallengePeriodOver"
        if self.attempt("veto", expected, "veto", epoch, "bad", sender=self.guardian):
            e.status = VETOED
            self.dirty.add(epoch)

    def pick_epoch(self, pick: int) -> int:
        """Half the picks land on an epoch that has a tree, so claims get past "no root"."""
        rooted = sorted(epoch for epoch, e in self.model.epochs.items() if e.tree)
        if pick < SPAN or not rooted:
            return self.base + pick % SPAN
        return rooted[pick % len(rooted)]

    @rule(
        pick=st.integers(0, 2 * SPAN - 1),
        who=st.integers(0, 3),
        wrong=st.sampled_from([False, False, False, True]),
    )
    def claim(self, pick, who, wrong):
        epoch = self.pick_epoch(pick)
        account, amount, proof = self.leaf_for(epoch, who, wrong)
        expected = self.model.claim_error(epoch, account, amount, self.now)
        args = (epoch, account, amount, proof)
        receipt = self.attempt("claim", expected, "claim", *args, sender=self.people[0])
        if receipt:
            self.model.claimed.add((epoch, account))
            self.model.at(epoch).paid += amount
            self.record_claims(receipt, {epoch: amount}, account)
            self.dirty.add(epoch)

    @rule(
        picks=st.lists(st.integers(0, 2 * SPAN - 1), min_size=1, max_size=3), who=st.integers(0, 3)
    )
    def claim_many(self, picks, who):
        epochs = [self.pick_epoch(pick) for pick in picks]
        items = [self.leaf_for(epoch, who, False) for epoch in epochs]
        account = items[0][0]
        # Item by item on the model: the first failing item's error is the batch's error.
        expected, booked, seen = None, {}, set(self.model.claimed)
        for epoch, (_, amount, _) in zip(epochs, items, strict=True):
            expected = self.model.claim_error(epoch, account, amount, self.now)
            if expected:
                break
            self.model.claimed.add((epoch, account))
            self.model.at(epoch).paid += amount
            booked[epoch] = amount
        args = (epochs, account, [a for _, a, _ in items], [p for _, _, p in items])
        receipt = self.attempt("claim_many", expected, "claimMany", *args, sender=self.funder)
        if receipt:
            self.record_claims(receipt, booked, account)
            self.dirty.update(booked)
        else:  # all or nothing: undo the simulation
            self.model.claimed = seen
            for epoch, amount in booked.items():
                self.model.at(epoch).paid -= amount

    @rule(src=st.integers(0, SPAN - 1), ahead=st.integers(0, 5))
    def sweep(self, src, ahead):
        source, target = self.base + src, self.base + src + ahead
        s, t = self.model.at(source), self.model.at(target)
        checks = [
            (target <= source or target > self.model.current(self.now), "VaultBadSweepTarget"),
            (s.swept, "VaultEpochSwept"),
            (self.now < self.model.closes_at(source), "VaultClaimWindowOpen"),
            (self.model.final(t, self.now), "VaultEpochFinalized"),
            (s.funded == s.paid, "VaultNothingToSweep"),
        ]
        expected = next((error for failed, error in checks if failed), None)
        if self.attempt("sweep", expected, "sweep", source, target, sender=self.funder):
            s.swept, s.swept_out = True, s.funded - s.paid
            t.funded += s.swept_out
            self.dirty.update((source, target))

    @rule(hours=st.sampled_from([1, 13, 25, 7 * 24, 2 * 7 * 24, 4 * 7 * 24 + 5]))
    def travel(self, hours):
        self.travel_to(self.now + hours * HOUR)

    # ---------------------------------------------------------------- invariants

    @invariant()
    def books_are_whole(self):
        if not hasattr(self, "model"):
            return
        read = self.node.read_all(
            {
                **{epoch: self.vault.call("epochInfo", epoch) for epoch in self.dirty},
                "held": self.token.call("balanceOf", self.vault),
            }
        )
        for epoch in self.dirty:
            e = self.model.at(epoch)
            info = read[epoch]
            p, pool = info.payout, info.pool
            assert (pool.funded, p.paid, p.total, p.status, p.swept, pool.sweptOut) == (
                e.funded,
                e.paid,
                e.total,
                e.status,
                e.swept,
                e.swept_out,
            )
            assert p.paid <= p.total <= pool.funded or p.status == NONE
            assert p.paid + pool.sweptOut <= pool.funded
        self.dirty.clear()
        owed = sum(e.funded - e.paid - e.swept_out for e in self.model.epochs.values())
        assert read["held"] == owed

    @invariant()
    def no_leaf_is_paid_twice(self):
        if hasattr(self, "payments"):
            assert all(count == 1 for count in self.payments.values())
            for (epoch, account), _ in self.payments.items():
                assert (epoch, account) in self.model.claimed


@pytest.mark.slow
def test_any_sequence_of_operations_keeps_the_books_whole(
    deploy_vault, usdt, chain, accounts, alice, bob, carol, admin, distributor, guardian
):
    vault = deploy_vault(usdt, challengePeriod=CHALLENGE)
    usdt.mint(admin, 10**15, sender=admin)
    usdt.approve(vault, 2**256 - 1, sender=admin)
    machine = VaultMachine
    machine.vault, machine.token = contracts(chain, vault, usdt)
    machine.chain = chain
    machine.people = [alice, bob, carol, accounts[9]]
    machine.distributor, machine.guardian, machine.funder = distributor, guardian, admin
    machine.TestCase.settings = settings(
        max_examples=examples(40),
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    machine.TestCase().runTest()
    print("outcomes:", dict(sorted(machine.outcomes.items(), key=str)))
