"""Property test against the real vault on anvil: for any sequence of fund, propose, veto,
claim, claimMany, sweep, pause, unpause and time travel, the books stay whole; run on the
ERC-20 vault and on the native-OKB vault.

A Python model predicts every call's outcome (success, or which custom error). Predicted
failures are checked with an `eth_call` (a reverting call changes nothing, and this skips the
call trace ape prints for every failed transaction); predicted successes are sent as real
transactions. After every step the epochs it touched are compared with the model and checked
for paid <= root total <= funds; the vault must hold exactly what is still owed (funded - paid -
swept out, summed over epochs); no (epoch, account) leaf may be paid twice and each payment
must be its leaf's amount. At the end of each example every epoch is checked again.

Claims are also summed from their own `Claimed` events and the claimant's balance, not only from
the vault's `paid` field (which the claim path writes with hand-decoded storage words): the
events of each root never add up to more than that root's total, each epoch's never to more than
its funds, and every claim moves exactly its amount to the account. `pause_then_claim` checks
that a pause pushes each pending or claimable root's window back by exactly the paused time and
that claims after the unpause are still taken, while the sweep stays shut until the pushed-back
close.

Calls go over plain JSON-RPC (tests/contracts/fast_reads.py), not ape's contract objects: the
check after each step reads what it compares in one batch, and each distinct tree is built
once a run.

Timing is kept off the boundaries on purpose: every travel step is a whole number of hours from
a start half an hour past the hour, and the challenge period is a day and a half hour, so week
ends and `claimableAt` (and the windows counted from them) fall on the hour while calls happen
at half past; a few seconds of block-time drift can never flip a prediction. Pauses last whole
hours give or take those seconds, and a root proposed during a pause closes its window a fixed
time after the unpause, which keeps the boundaries about half an hour from the calls too.

Rules aim where bugs hide: sweeps pick, half the time, an epoch that has paid claims (a sweep
must move `funded - paid`, not `funded`), and a travel rule jumps just past the claim window of
such an epoch and sweeps it; funding also tries the last fundable week and the one after it.
`pause_for` pauses, waits and (mostly) unpauses, so windows move; when it leaves the vault
paused, the steps after it must fail EnforcedPause wherever the vault stops them.
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

from .conftest import HOUR, USDT, WEEK, WINDOW_WEEKS, ZERO_ADDRESS

CHALLENGE = 24 * HOUR + 30 * 60
SPAN = 5  # epochs base .. base + SPAN - 1 take funds and roots (and far ones, see fund_far)
FUND_AHEAD = 52  # weeks past the current one a pool may be funded
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
    clock_at_root: int = 0  # the model's pause clock when the root was proposed


@dataclass
class Model:
    genesis: int
    epochs: dict[int, EpochModel] = field(default_factory=dict)
    claimed: set[tuple[int, str]] = field(default_factory=set)
    paused: bool = False
    paused_since: int = 0
    paused_before: int = 0  # seconds of pauses that ended
    paused_before_last: int = 0  # how long the last pause that ended lasted

    def pause_clock(self, now: int) -> int:
        return self.paused_before + (now - self.paused_since if self.paused else 0)

    def at(self, epoch: int) -> EpochModel:
        return self.epochs.setdefault(epoch, EpochModel())

    def current(self, now: int) -> int:
        return (now - self.genesis) // WEEK

    def final(self, e: EpochModel, now: int) -> bool:
        return e.swept or (e.status == PROPOSED and now >= e.claimable_at)

    def closes_at(self, epoch: int, now: int) -> int:
        e = self.at(epoch)
        if e.status == PROPOSED:
            extension = self.pause_clock(now) - e.clock_at_root
            return e.claimable_at + WINDOW_WEEKS * WEEK + extension
        if epoch > self.current(now) + FUND_AHEAD:
            return 2**256 - 1  # beyond the fundable range: holds nothing, never closes
        return self.genesis + (epoch + 1) * WEEK + WINDOW_WEEKS * WEEK

    def claim_error(self, epoch: int, account: str, amount: int, now: int) -> str | None:
        e = self.at(epoch)
        checks = [
            (self.paused, "EnforcedPause"),
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
    funder: Any = None  # also the admin, who unpauses
    native: bool = False  # the vault pays native OKB: funding sends value
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
        # Claimed events summed per (epoch, root) and per epoch: what claims really paid.
        self.paid_by_root: Counter[tuple[int, bytes]] = Counter()
        self.paid_by_epoch: Counter[int] = Counter()
        self.roots: dict[int, tuple[bytes, int]] = {}  # epoch -> (current root, its total)
        self.dirty: set[int] = set()
        for epoch in range(self.base, self.base + SPAN):
            self.send_fund(epoch, START_FUNDS)
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

    def send_fund(self, epoch: int, amount: int) -> Any:
        value = amount if self.native else 0
        return self.vault.transact("fund", epoch, amount, sender=self.funder, value=value)

    def attempt(
        self, rule_name: str, expected: str | None, method: str, *args: Any, sender: Any
    ) -> Any:
        """Checks a predicted failure with eth_call, or sends a predicted success."""
        self.outcomes[(rule_name, expected)] += 1
        value = args[1] if method == "fund" and self.native else 0
        if expected is not None:
            error = self.vault.revert_of(method, *args, sender=sender, block="latest", value=value)
            assert (error and error.name) == expected
            return None
        return self.vault.transact(method, *args, sender=sender, value=value)

    def record_claims(
        self, receipt, amounts: dict[int, int], account: str, held_before: int | None = None
    ) -> None:
        events = self.vault.decode_events(receipt, "Claimed")
        assert sorted((ev.epoch, ev.amount) for ev in events) == sorted(amounts.items())
        for ev in events:
            assert address_of(ev.account) == account
            self.payments[(ev.epoch, account)] += 1
            self.paid_by_root[(ev.epoch, self.roots[ev.epoch][0])] += ev.amount
            self.paid_by_epoch[ev.epoch] += ev.amount
        if held_before is not None:  # the account got exactly what the events say, in one go
            assert self.held(account) - held_before == sum(amounts.values())

    def held(self, account: str) -> int:
        """The account's balance of the prize token (token vaults only: a native claimant's
        balance also moves by the gas its sender pays)."""
        return self.node.read(self.token.call("balanceOf", account))[0]

    def token_held(self, account: str) -> int | None:
        return None if self.native else self.held(account)

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
        self.fund_epoch(self.base + offset, units * USDT)

    @rule(beyond=st.booleans())
    def fund_far(self, beyond):
        """The last week that may be funded, or the first that may not."""
        self.fund_epoch(self.model.current(self.now) + FUND_AHEAD + int(beyond), USDT)

    def fund_epoch(self, epoch: int, amount: int) -> None:
        e = self.model.at(epoch)
        checks = [
            (self.model.paused, "EnforcedPause"),
            (amount == 0, "VaultZeroAmount"),
            (epoch > self.model.current(self.now) + FUND_AHEAD, "VaultEpochTooFar"),
            (self.model.final(e, self.now), "VaultEpochFinalized"),
        ]
        expected = next((error for failed, error in checks if failed), None)
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
            self.roots[epoch] = (tree.root, total)
            e.claimable_at = receipt.timestamp + CHALLENGE
            e.clock_at_root = self.model.pause_clock(receipt.timestamp)
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
        before = self.token_held(account) if expected is None else None
        receipt = self.attempt("claim", expected, "claim", *args, sender=self.people[0])
        if receipt:
            self.model.claimed.add((epoch, account))
            self.model.at(epoch).paid += amount
            self.record_claims(receipt, {epoch: amount}, account, before)
            self.dirty.add(epoch)

    @rule(
        picks=st.lists(st.integers(0, 2 * SPAN - 1), min_size=1, max_size=3), who=st.integers(0, 3)
    )
    def claim_many(self, picks, who):
        epochs = [self.pick_epoch(pick) for pick in picks]
        items = [self.leaf_for(epoch, who, False) for epoch in epochs]
        account = items[0][0]
        # Item by item on the model: an item already claimed (before, or earlier in the batch)
        # is skipped; the first other failing item's error is the batch's error.
        expected, booked, seen = None, {}, set(self.model.claimed)
        for epoch, (_, amount, _) in zip(epochs, items, strict=True):
            if self.model.paused:
                expected = "EnforcedPause"
                break
            if (epoch, account) in self.model.claimed:
                continue
            expected = self.model.claim_error(epoch, account, amount, self.now)
            if expected:
                break
            self.model.claimed.add((epoch, account))
            self.model.at(epoch).paid += amount
            booked[epoch] = amount
        args = (epochs, account, [a for _, a, _ in items], [p for _, _, p in items])
        before = self.token_held(account) if expected is None else None
        receipt = self.attempt("claim_many", expected, "claimMany", *args, sender=self.funder)
        if receipt:
            self.record_claims(receipt, booked, account, before)
            self.dirty.update(booked)
        else:  # all or nothing: undo the simulation
            self.model.claimed = seen
            for epoch, amount in booked.items():
                self.model.at(epoch).paid -= amount

    def paid_epochs(self) -> list[int]:
        """Epochs with paid claims not swept yet: where a sweep's amount can go wrong."""
        return sorted(n for n, e in self.model.epochs.items() if e.paid and not e.swept)

    @rule(
        src=st.integers(0, SPAN - 1),
        ahead=st.integers(0, 5),
        paid=st.booleans(),
        to_current=st.sampled_from([False, True, True]),
    )
    def sweep(self, src, ahead, paid, to_current):
        source = self.base + src
        candidates = self.paid_epochs()
        if paid and candidates:
            source = candidates[src % len(candidates)]
        now_epoch = self.model.current(self.now)
        target = now_epoch if to_current else source + ahead
        s, t = self.model.at(source), self.model.at(target)
        checks = [
            (self.model.paused, "EnforcedPause"),
            (target <= source or target > now_epoch, "VaultBadSweepTarget"),
            (s.swept, "VaultEpochSwept"),
            (self.now < self.model.closes_at(source, self.now), "VaultClaimWindowOpen"),
            (self.model.final(t, self.now), "VaultEpochFinalized"),
            (t.status == PROPOSED, "VaultSweepTargetHasRoot"),
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

    @rule(pick=st.integers(0, 7))
    def sweep_paid(self, pick):
        """Travels half an hour past the claim window of an epoch with paid claims and sweeps
        it into the current epoch: the sweep whose amount must leave out what was paid."""
        candidates = self.paid_epochs()
        if not candidates or self.model.paused:
            return
        source = candidates[pick % len(candidates)]
        closes = self.model.closes_at(source, self.now)
        if closes > self.now:
            self.travel_to(closes + HOUR // 2)
        current = self.model.current(self.now)
        self.sweep(src=source - self.base, ahead=current - source, paid=False, to_current=True)

    @rule(hours=st.sampled_from([1, 25, 7 * 24]), stay=st.sampled_from([False, False, True]))
    def pause_for(self, hours, stay):
        """The guardian pauses (or tries to, if paused already), time passes, and unless the
        vault is to stay paused for the next steps, the admin unpauses. One rule rather than
        two, so a run spends its steps on claims and sweeps rather than on toggling."""
        self.pause()
        self.travel(hours)
        if not stay:
            self.unpause()

    @rule(
        hours=st.sampled_from([1, 25, 7 * 24]),
        who=st.integers(0, 3),
        pick=st.integers(0, 2 * SPAN - 1),
    )
    def pause_then_claim(self, hours, who, pick):
        """A pause and an unpause push every proposed root's window back by exactly the paused
        time; right after the unpause a claim is decided as before the pause (the model's
        prediction), and sweeping a root still inside its pushed-back window is refused."""
        if self.model.paused:
            return
        rooted = [n for n, e in self.model.epochs.items() if e.status == PROPOSED]
        before = {n: self.model.closes_at(n, self.now) for n in rooted}
        self.pause()
        paused_at = self.model.paused_since
        self.travel(hours)
        self.unpause()
        paused_for = self.model.paused_before_last
        assert paused_for >= hours * HOUR and paused_at + paused_for == self.now
        if rooted:
            read = self.node.read(*(self.vault.call("claimWindowClosesAt", n) for n in rooted))
            for epoch, closes in zip(rooted, read, strict=True):
                assert closes == before[epoch] + paused_for
        epoch = self.pick_epoch(pick)
        self.claim(pick=pick, who=who, wrong=False)
        closes = self.model.closes_at(epoch, self.now)
        e = self.model.at(epoch)
        if e.status == PROPOSED and not e.swept and self.now < closes:
            error = self.revert_name("sweep", (epoch, self.model.current(self.now)), self.funder)
            assert error in ("VaultClaimWindowOpen", "VaultBadSweepTarget"), error

    def pause(self):
        expected = "EnforcedPause" if self.model.paused else None
        receipt = self.attempt("pause", expected, "pause", sender=self.guardian)
        if receipt:
            self.model.paused, self.model.paused_since = True, receipt.timestamp

    def unpause(self):
        expected = None if self.model.paused else "ExpectedPause"
        receipt = self.attempt("unpause", expected, "unpause", sender=self.funder)
        if receipt:
            self.model.paused = False
            self.model.paused_before_last = receipt.timestamp - self.model.paused_since
            self.model.paused_before += self.model.paused_before_last
            [ended] = self.vault.decode_events(receipt, "PauseEnded")
            assert (ended.pausedAt, ended.unpausedAt) == (
                self.model.paused_since,
                receipt.timestamp,
            )

    # ---------------------------------------------------------------- invariants

    @invariant()
    def books_are_whole(self):
        if not hasattr(self, "model"):
            return
        held = (
            self.node.balance(self.vault.address)
            if self.native
            else self.token.call("balanceOf", self.vault.address)
        )
        read = self.node.read_all(
            {
                **{epoch: self.vault.call("epochInfo", epoch) for epoch in self.dirty},
                **{
                    ("closes", epoch): self.vault.call("claimWindowClosesAt", epoch)
                    for epoch in self.dirty
                },
                "held": held,
            }
        )
        now = self.now
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
            assert read[("closes", epoch)] == self.model.closes_at(epoch, now)
        self.dirty.clear()
        owed = sum(e.funded - e.paid - e.swept_out for e in self.model.epochs.values())
        assert read["held"] == owed

    @invariant()
    def claims_stay_within_root_totals_and_funds(self):
        """From the Claimed events alone: no root pays out more than its total, no epoch more
        than it was funded, and the vault's own `paid` agrees with what the events paid."""
        if not hasattr(self, "paid_by_root"):
            return
        totals = {}
        for epoch, (root, total) in self.roots.items():
            totals[(epoch, root)] = total
        for (epoch, root), paid in self.paid_by_root.items():
            # A root proposed again after its veto pays under the same total each time.
            assert paid <= totals[(epoch, root)], (epoch, paid, totals[(epoch, root)])
        for epoch, paid in self.paid_by_epoch.items():
            e = self.model.at(epoch)
            assert paid == e.paid <= e.funded

    @invariant()
    def no_leaf_is_paid_twice(self):
        if hasattr(self, "payments"):
            assert all(count == 1 for count in self.payments.values())
            for (epoch, account), _ in self.payments.items():
                assert (epoch, account) in self.model.claimed


@pytest.mark.slow
@pytest.mark.parametrize("native", [False, True], ids=["erc20", "native"])
def test_any_sequence_of_operations_keeps_the_books_whole(
    native, deploy_vault, usdt, chain, accounts, alice, bob, carol, admin, distributor, guardian
):
    vault = deploy_vault(ZERO_ADDRESS if native else usdt, challengePeriod=CHALLENGE)
    usdt.mint(admin, 10**15, sender=admin)
    usdt.approve(vault, 2**256 - 1, sender=admin)
    machine = VaultMachine
    machine.native = native
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
