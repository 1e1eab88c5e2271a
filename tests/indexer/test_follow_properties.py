"""The mirror as a property: whatever happens on the four contracts, in whatever order, with
reorgs of unfinal blocks and indexer restarts in between, every time the indexer has caught up
with the head, every table equals what the contracts answer.

A hypothesis state machine drives a real anvil: its rules are the protocol's actions (every
Identity, ContributionPoints and CommunityPass action of :mod:`tests.support.protocol`; funding,
proposing, vetoing, claiming and sweeping in the vault; time passing), reorgs (the chain put back
to a snapshot taken at an earlier head, the blocks above it replaced by empty ones or not, so
that what follows builds other blocks at the same heights, as a reorg looks to an indexer; after
the indexer has read them where it can), restarts of the indexer, and polls. A poll is where the
mirror is compared with the chain, and every example ends with one. Reorgs only reach back to
blocks the indexer has not treated as final yet: a deeper one is refused
(``test_reorg_chain.py``), not repaired.
"""

from __future__ import annotations

import random
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from indexer.config import IndexerSettings
from tests.indexer.compare import assert_mirrors_chain
from tests.support.indexing import close_indexer, open_indexer
from tests.support.profiles import examples
from tests.support.protocol import HOUR, PASS_ACTIONS, STEP_ACTIONS, Planet

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects

PROPOSED = 1  # IPrizeVault.RootStatus.Proposed


class Following(RuleBasedStateMachine):
    """One example: activity from the shared starting chain, an indexer following it into a
    new database; the chain is put back at the end, so every example starts alike."""

    def __init__(self, planet: Planet, new_database: Any, settings_for: Any, manifest: Any):
        super().__init__()
        self.planet = planet
        self.manifest = manifest
        self.settings_for = settings_for
        self.url = new_database()
        self.rpc = planet.w3.provider
        self.start = self.rpc.make_request("evm_snapshot", [])["result"]
        self.start_knowledge = planet.remember()
        # block -> a snapshot of the chain there and what the helper knew there
        self.known: dict[int, tuple[str, dict[str, Any]]] = {}
        self.final = -1  # the highest block the indexer has treated as final
        self.opened: tuple[Any, Any, Any] | None = None
        self.polls = 0
        self.rewinds = 0  # reorgs the indexer found and undid

    # ------------------------------------------------------------------ set-up and tear-down

    @initialize(seed=st.integers(0, 2**32), finality=st.integers(1, 6), span=st.integers(1, 16))
    def start_indexer(self, seed: int, finality: int, span: int) -> None:
        self.planet.rng = random.Random(seed)
        self.finality = finality
        self._open(span)

    def _open(self, span: int) -> None:
        settings: IndexerSettings = self.settings_for(
            self.url, finality=self.finality, range_initial=span, range_max=4 * span
        )
        self.opened = open_indexer(settings, self.manifest)

    def teardown(self) -> None:
        """The indexer catches up once more (unless a step failed already), then the chain
        goes back to where the example started."""
        try:
            if self.opened is not None and sys.exc_info()[1] is None:
                self.poll()
        finally:
            if self.opened is not None:
                close_indexer(*self.opened)
            assert self.rpc.make_request("evm_revert", [self.start])["result"] is True
            self.planet.forget_since(self.start_knowledge)

    # ------------------------------------------------------------------ the protocol

    @rule(action=st.sampled_from(STEP_ACTIONS))
    def identity_or_points(self, action: str) -> None:
        self.planet.random_step(action)

    @rule(action=st.sampled_from(PASS_ACTIONS))
    def community_pass(self, action: str) -> None:
        self.planet.random_pass_step(action)

    def _epochs(self) -> list[tuple[int, Any]]:
        """(epoch, epochInfo) from the first to the current one."""
        vault = self.planet.vault.functions
        return [(e, vault.epochInfo(e).call()) for e in range(vault.currentEpoch().call() + 1)]

    def _now(self) -> int:
        return self.planet.w3.eth.get_block("latest").timestamp

    @rule(pick=st.integers(0, 2**16), amount=st.integers(1, 10**18))
    def fund(self, pick: int, amount: int) -> None:
        now = self._now()
        open_epochs = [
            e
            for e, (_, (_, _, claimable_at, status, swept), _) in self._epochs()
            if not swept and not (status == PROPOSED and now >= claimable_at)
        ]
        if open_epochs:
            self.planet.fund(open_epochs[pick % len(open_epochs)], amount)

    @rule(pick=st.integers(0, 2**16), count=st.integers(1, 5))
    def propose(self, pick: int, count: int) -> None:
        ended = [
            (e, funded)
            for e, (_, (_, _, _, status, swept), (funded, _)) in self._epochs()[:-1]
            if not swept and status != PROPOSED and funded >= 2 * count
        ]
        if ended:
            epoch, funded = ended[pick % len(ended)]
            self.planet.propose(epoch, self.planet.random_rewards(funded, count))

    @rule(pick=st.integers(0, 2**16))
    def veto(self, pick: int) -> None:
        now = self._now()
        pending = [
            e
            for e, (_, (_, _, claimable_at, status, _), _) in self._epochs()
            if status == PROPOSED and now < claimable_at
        ]
        if pending:
            self.planet.veto(pending[pick % len(pending)], f"veto {pick}")

    @rule()
    def time_passes(self) -> None:
        """Past the challenge period of roots proposed so far (an hour in these deployments)."""
        self.planet.travel(HOUR + 1)

    @rule(pick=st.integers(0, 2**16))
    def claim(self, pick: int) -> None:
        vault, now = self.planet.vault.functions, self._now()
        claimable = [
            (e, account)
            for e, (_, (_, _, claimable_at, status, swept), _) in self._epochs()
            if status == PROPOSED and now >= claimable_at and not swept and e in self.planet.trees
            for account in sorted(leaf.account for leaf in self.planet.trees[e].leaves())
            if not vault.isClaimed(e, account).call()
        ]
        if claimable:
            self.planet.claim(*claimable[pick % len(claimable)])

    @rule(pick=st.integers(0, 2**16))
    def sweep(self, pick: int) -> None:
        vault, now = self.planet.vault.functions, self._now()
        epochs = self._epochs()
        current = len(epochs) - 1
        _, (_, _, claimable_at, status, swept), _ = epochs[current][1]
        if swept or (status == PROPOSED and now >= claimable_at):
            return  # the current epoch is final: nothing may be swept into it
        closed = [
            e
            for e, (_, (_, paid, _, _, swept), (funded, swept_out)) in epochs[:-1]
            if not swept
            and funded > paid + swept_out
            and vault.claimWindowClosesAt(e).call() <= now
        ]
        if closed:
            self.planet.sweep(closed[pick % len(closed)], current)

    # ------------------------------------------------------------------ the chain and the indexer

    @invariant()
    def remember_the_head(self) -> None:
        """Not a check: a snapshot of the chain at a new head, with what the helper knows there,
        as a point to fork from."""
        head = self.planet.w3.eth.block_number
        if head not in self.known:
            snapshot = self.rpc.make_request("evm_snapshot", [])["result"]
            self.known[head] = (snapshot, self.planet.remember())

    def _forks(self) -> list[int]:
        """Blocks to fork from: known ones above those the indexer treated as final, below
        the head."""
        head = self.planet.w3.eth.block_number
        return sorted(b for b in self.known if self.final <= b < head)

    @precondition(lambda self: self._forks())
    @rule(pick=st.integers(0, 2**16), replace=st.booleans())
    def reorg(self, pick: int, replace: bool) -> None:
        """The blocks above a fork point go, replaced by as many empty blocks or not (a shorter
        chain); what follows builds on the fork point. Where the fork point stays unfinal, the
        indexer reads the doomed blocks first."""
        forks = self._forks()
        fork = forks[pick % len(forks)]
        head = self.planet.w3.eth.block_number
        if fork >= head - self.finality:
            self.poll()
        snapshot, knowledge = self.known[fork]
        assert self.rpc.make_request("evm_revert", [snapshot])["result"] is True
        # reverting consumed that snapshot and every later one
        self.known = {b: known for b, known in self.known.items() if b < fork}
        self.planet.forget_since(knowledge)
        for _ in range(head - fork if replace else 0):
            self.rpc.make_request("evm_mine", [])

    @rule(span=st.integers(1, 16))
    def restart(self, span: int) -> None:
        assert self.opened is not None
        close_indexer(*self.opened)
        self._open(span)

    @rule()
    def poll(self) -> None:
        """The indexer catches up with the head: the mirror equals the chain."""
        assert self.opened is not None
        indexer, _, engine = self.opened
        head = self.planet.w3.eth.block_number
        while True:
            result = indexer.poll()
            self.rewinds += len(result.rewinds)
            if not result.retry:
                break
        self.final = max(self.final, head - self.finality)
        self.polls += 1
        assert_mirrors_chain(engine, self.planet)


@pytest.mark.slow
def test_the_mirror_equals_the_chain_through_any_activity_reorgs_and_restarts(
    planet_with_token: Planet, backend, new_database, settings_for, manifest
):
    planet = planet_with_token
    planet.random_activity(0)  # every funded user has an identity
    machines: list[Following] = []

    def machine() -> Following:
        machines.append(
            Following(planet, lambda: new_database(backend, migrated=True), settings_for, manifest)
        )
        return machines[-1]

    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples(8),
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # every example that ran to its end compared the mirror with the chain at least once
    compared = [m for m in machines if m.polls]
    assert len(compared) >= 8
    print(
        f"{len(compared)} examples compared the mirror {sum(m.polls for m in compared)} times "
        f"and undid {sum(m.rewinds for m in compared)} reorgs"
    )
