"""Property: for any interleaving of attest, batch and revoke, supply adds up and no uid
counts twice.

Hypothesis drives the real contract on anvil; each example starts from a chain snapshot.
Calls go over plain JSON-RPC (tests/contracts/fast_reads.py): the check after every step reads
all balances in one batch, and each expected revert must be the exact custom error and uid.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from planet.core.epochs import EPOCH_DURATION
from planet.core.typed_data import Contribution, new_uid, sign_contribution
from tests.contracts.fast_reads import contracts
from tests.support.profiles import examples

AMOUNTS = st.integers(min_value=1, max_value=10**6)


@pytest.mark.slow
def test_supply_equals_balances_and_epochs_for_any_interleaving(
    points, identity, attester, attester_key, risk, alice, bob, carol, accounts, chain, chain_id
):
    holders = [alice, bob, carol]
    for i, who in enumerate(holders):
        identity.register((f"holder_{i}", "", b"\x00" * 32, "0x" + "00" * 20), sender=who)
    stranger = accounts[7]  # never registers
    everyone = [*holders, stranger]
    (fast,) = contracts(chain, points)
    node = fast.node

    class PointsMachine(RuleBasedStateMachine):
        @initialize()
        def start(self):
            self.snapshot = chain.snapshot()
            self.balances = {a.address: 0 for a in everyone}
            self.by_epoch: dict[tuple[str, int], int] = {}
            self.recorded: dict[bytes, Contribution] = {}
            self.revoked: set[bytes] = set()
            self.counter = 0

        def teardown(self):
            chain.restore(self.snapshot)

        def _contribution(self, who, amount: int, epoch_back: int) -> tuple[Contribution, bytes]:
            self.counter += 1
            current, pending = node.read(fast.call("currentEpoch"), node.block("pending"))
            epoch = max(current - epoch_back, 0)
            c = Contribution(
                who.address,
                self.counter % 6,
                amount,
                epoch,
                new_uid("prop", self.counter),
                int(pending["timestamp"], 16) + 10 * EPOCH_DURATION,
            )
            return c, sign_contribution(attester_key, c, chain_id, points.address)

        def _credit(self, c: Contribution, sign: int) -> None:
            self.balances[c.account] += sign * c.amount
            key = (c.account, c.epoch)
            self.by_epoch[key] = self.by_epoch.get(key, 0) + sign * c.amount

        @rule(who=st.sampled_from(range(4)), amount=AMOUNTS, back=st.integers(0, 2))
        def attest(self, who, amount, back):
            account = everyone[who]
            c, sig = self._contribution(account, amount, back)
            if account is stranger:
                fast.expect_revert(
                    "PointsNoIdentity", "attest", c.as_tuple(), sig, sender=account, account=account
                )
                return
            fast.transact("attest", c.as_tuple(), sig, sender=account)
            self.recorded[c.uid] = c
            self._credit(c, +1)

        @rule(
            items=st.lists(
                st.tuples(st.sampled_from(range(3)), AMOUNTS, st.integers(0, 2)),
                min_size=1,
                max_size=5,
            )
        )
        def batch(self, items):
            made = [self._contribution(holders[w], amount, back) for w, amount, back in items]
            fast.transact(
                "attestBatch",
                [c.as_tuple() for c, _ in made],
                [s for _, s in made],
                sender=attester,
            )
            for c, _ in made:
                self.recorded[c.uid] = c
                self._credit(c, +1)

        @rule(data=st.data())
        def revoke(self, data):
            if not self.recorded:
                return
            uid = data.draw(st.sampled_from(sorted(self.recorded)))
            if uid in self.revoked:
                fast.expect_revert(
                    "PointsAlreadyRevoked", "revoke", uid, "again", sender=risk, uid=uid
                )
                return
            fast.transact("revoke", uid, "property", sender=risk)
            self.revoked.add(uid)
            self._credit(self.recorded[uid], -1)

        @rule(data=st.data())
        def replay(self, data):
            """Re-submitting any recorded uid, revoked or not, is rejected and changes nothing."""
            if not self.recorded:
                return
            c = self.recorded[data.draw(st.sampled_from(sorted(self.recorded)))]
            sig = sign_contribution(attester_key, c, chain_id, points.address)
            fast.expect_revert(
                "PointsUidUsed", "attestBatch", [c.as_tuple()], [sig], sender=attester, uid=c.uid
            )

        @rule()
        def next_week(self):
            chain.pending_timestamp += EPOCH_DURATION
            chain.mine()

        @invariant()
        def supply_adds_up(self):
            epochs = range(fast.get("currentEpoch") + 1)
            read = node.read_all(
                {
                    **{("balance", a): fast.call("balanceOf", a) for a in self.balances},
                    "total": fast.call("totalSupply"),
                    **{("supply", e): fast.call("epochTotalSupply", e) for e in epochs},
                    **{
                        (a, e): fast.call("epochBalanceOf", a, e)
                        for a in self.balances
                        for e in epochs
                    },
                }
            )
            balances = {a: read["balance", a] for a in self.balances}
            assert balances == self.balances
            total = read["total"]
            assert total == sum(balances.values())
            assert total == sum(read["supply", e] for e in epochs)
            for account in self.balances:
                per_epoch = [read[account, e] for e in epochs]
                assert sum(per_epoch) == balances[account]
                for e, value in zip(epochs, per_epoch, strict=True):
                    assert value == self.by_epoch.get((account, e), 0)
            live = sum(c.amount for uid, c in self.recorded.items() if uid not in self.revoked)
            assert total == live

    run_state_machine_as_test(
        PointsMachine,
        settings=settings(
            max_examples=examples(30),
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
