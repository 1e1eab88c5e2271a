"""Property test: random sequences of pass operations against the real contract on anvil.

A Python model predicts every outcome (success or the exact custom error) and the test checks
after every step that supply stays under the cap, that every wei or token a buyer paid is either
withdrawable or withdrawn, that no expiry moves backwards, and that `hasAccess` agrees with the
model. Each example runs from a chain snapshot and is rolled back afterwards.

Protocol v2 paths are in the same machine: a creator may require a verified identity (the
verifier flips verification of wallets at random) and set a refund window, gift passes in a
batch, and holders cancel their latest payment. Properties: a refund never exceeds what the
holder's payments credited the creator (nor the refunded payment), a renewal during a price
notice never charges more than the holder's snapshot, and a transfer or renewal to a wallet
that misses a requirement is refused exactly as the model predicts, whoever pays or sends.

Calls go over plain JSON-RPC (tests/contracts/fast_reads.py): each invariant reads what it
checks in one batch, and a predicted failure must be the exact custom error with the arguments
the model predicts. Every example first asks for one token more than the lifetime pass's cap,
and an `overfill` rule asks for one more than a pass has left, so a cap that lets one token too
many through cannot go unseen (tools/mutants.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from planet.core.passes import NATIVE, PassTerms, renewed_expiry, split_cost
from tests.contracts.fast_reads import contracts
from tests.support.profiles import examples

DURATIONS = [0, 0, 3_600, 7_200]  # half lifetime passes, half short subscriptions
MAX_PASSES = 3
NOTICE = 30 * 24 * 3_600  # CommunityPass.PRICE_NOTICE
EDGE = 10  # seconds around a time boundary where the next block's timestamp is not predictable


@dataclass
class ModelPass:
    creator: str
    currency: str
    price: int
    cap: int
    wallet_limit: int
    duration: int
    transferable: bool
    fee_bps: int
    paused: bool = False
    minted: int = 0
    price_changed_at: int = 0
    refund_window: int = 0
    verified_required: bool = False


@dataclass
class Model:
    treasury: str
    fee_bps: int
    passes: dict[int, ModelPass] = field(default_factory=dict)
    balance: dict[tuple[int, str], int] = field(default_factory=dict)
    minted_to: dict[tuple[int, str], int] = field(default_factory=dict)
    expiry: dict[tuple[int, str], int] = field(default_factory=dict)
    owed: dict[tuple[str, str], int] = field(default_factory=dict)
    paid: dict[str, int] = field(default_factory=dict)
    withdrawn: dict[str, int] = field(default_factory=dict)
    snapshot: dict[tuple[int, str], int] = field(default_factory=dict)
    # (pass, holder) -> (from, refund until, creator share) of the latest refundable payment
    payment: dict[tuple[int, str], tuple[int, int, int]] = field(default_factory=dict)
    share_paid: dict[tuple[int, str], int] = field(default_factory=dict)
    refunded: dict[tuple[int, str], int] = field(default_factory=dict)
    verified: set[str] = field(default_factory=set)

    def renewal_price(self, p: ModelPass, key: tuple[int, str], now: int) -> int:
        snapshot = self.snapshot.get(key, 0)
        if snapshot < p.price and now < p.price_changed_at + NOTICE:
            return snapshot
        return p.price

    def record_payment(self, p: ModelPass, key, start: int, now: int, cost: int) -> None:
        share, _ = split_cost(cost, p.fee_bps)
        self.share_paid[key] = self.share_paid.get(key, 0) + share
        if p.refund_window and share:
            self.payment[key] = (start, now + p.refund_window, share)
        else:
            self.payment.pop(key, None)

    def credit(self, p: ModelPass, cost: int) -> None:
        creator_share, fee = split_cost(cost, p.fee_bps)
        self.paid[p.currency] = self.paid.get(p.currency, 0) + cost
        for payee, amount in ((p.creator, creator_share), (self.treasury, fee)):
            self.owed[payee, p.currency] = self.owed.get((payee, p.currency), 0) + amount

    def has_access(self, pass_id: int, holder: str, now: int) -> bool:
        if self.passes[pass_id].duration == 0:
            return self.balance.get((pass_id, holder), 0) > 0
        return now < self.expiry.get((pass_id, holder), 0)


@pytest.mark.slow
def test_pass_operations_keep_the_protocol_invariants(
    community_pass,
    token,
    identity,
    verifier,
    register,
    accounts,
    chain,
    admin,
    treasury,
    alice,
    bob,
    carol,
):
    register(alice, "alice")
    bob_id = register(bob, "bob")
    carol_id = register(carol, "carol")
    dave = accounts[8]  # holds no identity: never verified
    identities = {bob.address: bob_id, carol.address: carol_id}
    creators = [alice, bob]
    holders = [bob, carol, dave]
    # bob may also become the treasury; holders receive refunds
    payees = [alice, bob, treasury, carol, dave]
    currencies = [NATIVE, token.address]
    fee_at_start = community_pass.platformFeeBps()
    fast, fast_token = contracts(chain, community_pass, token)
    node = fast.node

    class PassMachine(RuleBasedStateMachine):
        pass_ids = Bundle("pass_ids")
        subscriptions = Bundle("subscriptions")  # (pass id, holder) of minted subscriptions

        def __init__(self) -> None:
            super().__init__()
            self.snapshot = chain.snapshot()
            self.model = Model(treasury=treasury.address, fee_bps=fee_at_start)

        def teardown(self) -> None:
            chain.restore(self.snapshot)

        # ------------------------------------------------------------ creator

        @initialize(target=pass_ids)
        def lifetime_pass(self) -> int:
            pass_id = self._create(alice, NATIVE, 1_000, 4, 2, 0, True)
            # Every example starts at the cap's edge: one token more than the whole supply
            # must be PassSoldOut (not a wallet-limit error, not a sale).
            self._mint(pass_id, holders[0], holders[0], 4 + 1)
            return pass_id

        @initialize(target=pass_ids)
        def subscription_pass(self) -> int:
            pass_id = self._create(bob, token.address, 700, 3, 1, 3_600, False)
            # Refunds from the start, so cancels are tried in most examples.
            self.set_refund_window(pass_id, 86_400)
            return pass_id

        @precondition(lambda self: len(self.model.passes) < MAX_PASSES)
        @rule(
            target=pass_ids,
            creator=st.sampled_from(creators),
            currency=st.sampled_from(currencies),
            price=st.integers(0, 5_000),
            cap=st.integers(1, 6),
            wallet_limit=st.integers(1, 3),
            duration=st.sampled_from(DURATIONS),
            transferable=st.booleans(),
        )
        def create(self, creator, currency, price, cap, wallet_limit, duration, transferable):
            if duration:
                wallet_limit, transferable = 1, False
            return self._create(creator, currency, price, cap, wallet_limit, duration, transferable)

        def _create(self, creator, currency, price, cap, wallet_limit, duration, transferable):
            terms = PassTerms(currency, price, cap, wallet_limit, duration, transferable)
            fast.transact("createPass", terms.as_tuple(), sender=creator)
            pass_id = fast.get("lastPassId")
            self.model.passes[pass_id] = ModelPass(
                creator.address,
                currency,
                price,
                cap,
                wallet_limit,
                duration,
                transferable,
                self.model.fee_bps,
            )
            return pass_id

        @rule(pass_id=pass_ids, price=st.integers(0, 5_000))
        def set_price(self, pass_id, price):
            p = self.model.passes[pass_id]
            tx = fast.transact("setPrice", pass_id, price, sender=p.creator)
            p.price = price
            p.price_changed_at = tx.timestamp

        @rule(pass_id=pass_ids, window=st.sampled_from([0, 1_800, 86_400]))
        def set_refund_window(self, pass_id, window):
            p = self.model.passes[pass_id]
            fast.transact("setRefundWindow", pass_id, window, sender=p.creator)
            p.refund_window = window

        @rule(pass_id=pass_ids, required=st.booleans())
        def require_verified(self, pass_id, required):
            p = self.model.passes[pass_id]
            fast.transact("setRequirements", pass_id, (0, 0, required), sender=p.creator)
            p.verified_required = required

        @rule(holder=st.sampled_from([bob, carol]), verified=st.booleans())
        def verify(self, holder, verified):
            identity.setVerified(identities[holder.address], verified, sender=verifier)
            if verified:
                self.model.verified.add(holder.address)
            else:
                self.model.verified.discard(holder.address)

        def _misses(self, p: ModelPass, wallet) -> bool:
            return p.verified_required and wallet.address not in self.model.verified

        @rule(
            pass_id=pass_ids,
            recipients=st.lists(st.sampled_from(holders), min_size=1, max_size=3),
            quantity=st.integers(1, 2),
        )
        def creator_gift(self, pass_id, recipients, quantity):
            """The creator's batch gift: free, no requirement, atomic (the first recipient the
            cap or wallet limit refuses reverts the whole batch)."""
            p = self.model.passes[pass_id]
            minted, minted_to = p.minted, dict(self.model.minted_to)
            expiry = dict(self.model.expiry)
            error = None
            for to in recipients:
                key = (pass_id, to.address)
                if p.duration and key in expiry:
                    continue
                tokens = 1 if p.duration else quantity
                available, remaining = p.cap - minted, p.wallet_limit - minted_to.get(key, 0)
                if tokens > available:
                    error = ("PassSoldOut", {"requested": tokens, "available": available})
                    break
                if tokens > remaining:
                    error = ("PassWalletLimit", {"wallet": to, "requested": tokens})
                    break
                minted += tokens
                minted_to[key] = minted_to.get(key, 0) + tokens
                expiry[key] = 1  # a subscriber from here on in this batch
            call = ("gift", pass_id, [r.address for r in recipients], quantity)
            if error is not None:
                fast.expect_revert(error[0], *call, sender=p.creator, passId=pass_id, **error[1])
                return
            tx = fast.transact(*call, sender=p.creator)
            expiries: dict[tuple[int, str], int] = {}  # a recipient may appear twice
            for to in recipients:
                key = (pass_id, to.address)
                if p.duration and (key in expiries or key in self.model.expiry):
                    start = max(expiries.get(key) or self.model.expiry[key], tx.timestamp)
                    expiries[key] = start + quantity * p.duration
                    continue
                tokens = 1 if p.duration else quantity
                p.minted += tokens
                self.model.minted_to[key] = self.model.minted_to.get(key, 0) + tokens
                self.model.balance[key] = self.model.balance.get(key, 0) + tokens
                if p.duration:
                    self.model.snapshot[key] = p.price
                    expiries[key] = tx.timestamp + quantity * p.duration
            for key, expiry in expiries.items():
                self._set_expiry(key, expiry)

        @rule(pass_id=pass_ids, new_cap=st.integers(0, 6))
        def lower_cap(self, pass_id, new_cap):
            p = self.model.passes[pass_id]
            call = ("lowerSupplyCap", pass_id, new_cap)
            if new_cap >= p.cap:
                fast.expect_revert(
                    "PassCapNotLowered", *call, sender=p.creator, cap=p.cap, newCap=new_cap
                )
            elif new_cap < p.minted:
                fast.expect_revert(
                    "PassCapBelowSupply", *call, sender=p.creator, minted=p.minted, newCap=new_cap
                )
            else:
                fast.transact(*call, sender=p.creator)
                p.cap = new_cap

        # Pausing half the time would leave most sales refused; resume twice as often.
        @rule(pass_id=pass_ids, paused=st.sampled_from([True, False, False]))
        def pause(self, pass_id, paused):
            p = self.model.passes[pass_id]
            fast.transact("setSalesPaused", pass_id, paused, sender=p.creator)
            p.paused = paused

        # ------------------------------------------------------------ buyers

        def _value(self, p: ModelPass, payer, cost: int, expect_success: bool) -> int:
            """The native value to send; an ERC-20 cost is minted to and approved by the payer
            only for a sale the model expects to succeed (refused sales revert before the pull)."""
            if p.currency == NATIVE:
                return cost
            if expect_success and cost:
                fast_token.transact("mint", payer, cost, sender=payer)
                fast_token.transact("approve", community_pass, cost, sender=payer)
            return 0

        @rule(
            target=subscriptions,
            pass_id=pass_ids,
            buyer=st.sampled_from(holders),
            quantity=st.integers(1, 3),
        )
        def mint(self, pass_id, buyer, quantity):
            return self._mint(pass_id, buyer, buyer, quantity)

        @rule(
            target=subscriptions,
            pass_id=pass_ids,
            payer=st.sampled_from(holders),
            recipient=st.sampled_from(holders),
            quantity=st.integers(1, 3),
        )
        def gift(self, pass_id, payer, recipient, quantity):
            return self._mint(pass_id, payer, recipient, quantity)

        @rule(target=subscriptions, pass_id=pass_ids, buyer=st.sampled_from(holders))
        def overfill(self, pass_id, buyer):
            """Asks for one token more than the pass has left (a subscription: one token, which
            overfills only once sold out): the cap's edge, where an off-by-one would let supply
            pass the cap, is tried in every run rather than when quantities happen to meet it."""
            # A lifetime pass on sale if there is one: there, the cap's edge is always reachable.
            open_lifetime = sorted(
                i for i, q in self.model.passes.items() if not q.duration and not q.paused
            )
            if open_lifetime and pass_id not in open_lifetime:
                pass_id = open_lifetime[pass_id % len(open_lifetime)]
            p = self.model.passes[pass_id]
            return self._mint(pass_id, buyer, buyer, max(1, p.cap - p.minted + 1))

        def _mint(self, pass_id, payer, to, quantity):
            """Mints as the model predicts; a new subscriber joins the `subscriptions` bundle."""
            p, key = self.model.passes[pass_id], (pass_id, to.address)
            tokens = 1 if p.duration else quantity
            available = p.cap - p.minted
            remaining = p.wallet_limit - self.model.minted_to.get(key, 0)
            if p.paused:
                error, args = "PassSalesPaused", {}
            elif self._misses(p, to):
                error, args = "PassIdentityNotVerified", {"account": to}
            elif tokens > available:
                error, args = "PassSoldOut", {"requested": tokens, "available": available}
            elif tokens > remaining:
                error = "PassWalletLimit"
                args = {"wallet": to, "requested": tokens, "remaining": remaining}
            else:
                error, args = None, {}
            cost = p.price * quantity
            value = self._value(p, payer, cost, error is None)
            call = ("mint", pass_id, to, quantity, p.price)
            if error is not None:
                fast.expect_revert(error, *call, sender=payer, value=value, passId=pass_id, **args)
                return multiple()
            tx = fast.transact(*call, sender=payer, value=value)
            p.minted += tokens
            self.model.minted_to[key] = self.model.minted_to.get(key, 0) + tokens
            self.model.balance[key] = self.model.balance.get(key, 0) + tokens
            self.model.credit(p, cost)
            self.model.snapshot[key] = p.price
            if not p.duration:
                return multiple()
            self.model.record_payment(p, key, tx.timestamp, tx.timestamp, cost)
            self._set_expiry(key, tx.timestamp + quantity * p.duration)
            return key

        @rule(
            pass_id=pass_ids,
            payer=st.sampled_from(holders),
            holder=st.sampled_from(holders),
            periods=st.integers(1, 3),
        )
        def renew(self, pass_id, payer, holder, periods):
            self._renew(pass_id, payer, holder, periods)

        @rule(
            subscription=subscriptions,
            payer=st.sampled_from(holders),
            periods=st.integers(1, 3),
        )
        def renew_subscriber(self, subscription, payer, periods):
            pass_id, address = subscription
            holder = next(h for h in holders if h.address == address)
            self._renew(pass_id, payer, holder, periods)

        def _renew(self, pass_id, payer, holder, periods):
            p, key = self.model.passes[pass_id], (pass_id, holder.address)
            now = chain.blocks.head.timestamp
            if abs(now - (p.price_changed_at + NOTICE)) < EDGE:
                return  # the notice ends about now: which price applies depends on the second
            price = self.model.renewal_price(p, key, now + 1)
            if p.paused:
                error, args = "PassSalesPaused", {}
            elif p.duration == 0:
                error, args = "PassNotSubscription", {}
            elif key not in self.model.expiry:
                error, args = "PassNotHolder", {"holder": holder}
            elif self._misses(p, holder):
                # whoever pays: the holder receives the rights
                error, args = "PassIdentityNotVerified", {"account": holder}
            else:
                error, args = None, {}
            cost = price * periods
            value = self._value(p, payer, cost, error is None)
            call = ("renew", pass_id, holder, periods, price)
            if error is not None:
                fast.expect_revert(error, *call, sender=payer, value=value, passId=pass_id, **args)
                return
            tx = fast.transact(*call, sender=payer, value=value)
            if tx.timestamp < p.price_changed_at + NOTICE:
                assert price <= self.model.snapshot[key], "a renewal charged above the snapshot"
            previous = self.model.expiry[key]
            expiry = renewed_expiry(previous, tx.timestamp, periods, p.duration)
            self._set_expiry(key, expiry)
            self.model.credit(p, cost)
            self.model.snapshot[key] = price
            self.model.record_payment(p, key, max(previous, tx.timestamp), tx.timestamp, cost)

        @rule(subscription=subscriptions)
        def cancel(self, subscription):
            """The holder cancels its latest payment: refunded pro rata within the window."""
            pass_id, address = subscription
            p, holder = self.model.passes[pass_id], address
            now = chain.blocks.head.timestamp
            payment = self.model.payment.get(subscription)
            expiry = self.model.expiry[subscription]
            creator_owed = self.model.owed.get((p.creator, p.currency), 0)
            if payment is None or now + EDGE >= min(payment[1], expiry):
                if payment is not None and now < min(payment[1], expiry) + EDGE:
                    return  # too close to the window's end or the expiry to predict
                fast.expect_revert(
                    "PassRefundWindowClosed",
                    "cancelSubscription",
                    pass_id,
                    sender=holder,
                    passId=pass_id,
                    holder=holder,
                )
                return
            start, _, share = payment
            if creator_owed < share:
                return  # funded or not depends on the second; the unit test covers unfunded
            tx = fast.transact("cancelSubscription", pass_id, sender=holder)
            back_to = max(tx.timestamp, start)
            refund = share * (expiry - back_to) // (expiry - start)
            assert refund <= share, "a refund exceeded the payment it refunds"
            # (the holder may be the creator: then the refund moves nothing)
            self.model.owed[p.creator, p.currency] = creator_owed - refund
            self.model.owed[holder, p.currency] = (
                self.model.owed.get((holder, p.currency), 0) + refund
            )
            assert fast.get("proceeds", holder, p.currency) == self.model.owed[holder, p.currency]
            self.model.refunded[subscription] = self.model.refunded.get(subscription, 0) + refund
            del self.model.payment[subscription]
            assert fast.get("expiryOf", *subscription) == back_to
            self.model.expiry[subscription] = back_to

        def _set_expiry(self, key, expiry: int) -> None:
            previous = self.model.expiry.get(key, 0)
            on_chain = fast.get("expiryOf", *key)
            assert on_chain == expiry >= previous, "an expiry moved backwards or off the model"
            self.model.expiry[key] = expiry

        @rule(
            pass_id=pass_ids,
            sender=st.sampled_from(holders),
            receiver=st.sampled_from(holders),
        )
        def transfer(self, pass_id, sender, receiver):
            p = self.model.passes[pass_id]
            source, target = (pass_id, sender.address), (pass_id, receiver.address)
            if self.model.balance.get(source, 0) == 0:
                return
            call = ("safeTransferFrom", sender, receiver, pass_id, 1, b"")
            if not p.transferable:
                fast.expect_revert("PassSoulbound", *call, sender=sender, passId=pass_id)
                return
            if self._misses(p, receiver):
                fast.expect_revert(
                    "PassIdentityNotVerified",
                    *call,
                    sender=sender,
                    passId=pass_id,
                    account=receiver,
                )
                return
            fast.transact(*call, sender=sender)
            self.model.balance[source] -= 1
            self.model.balance[target] = self.model.balance.get(target, 0) + 1

        # ------------------------------------------------------------ proceeds and admin

        @rule(payee=st.sampled_from(payees), currency=st.sampled_from(currencies))
        def withdraw(self, payee, currency):
            owed = self.model.owed.get((payee.address, currency), 0)
            if owed == 0:
                fast.expect_revert(
                    "PassNothingToWithdraw",
                    "withdraw",
                    currency,
                    sender=payee,
                    payee=payee,
                    currency=currency,
                )
                return
            fast.transact("withdraw", currency, sender=payee)
            self.model.owed[payee.address, currency] = 0
            self.model.withdrawn[currency] = self.model.withdrawn.get(currency, 0) + owed

        @rule(fee_bps=st.integers(0, 1_000), new_treasury=st.sampled_from([treasury, bob]))
        def platform_settings(self, fee_bps, new_treasury):
            fast.transact("setPlatformFee", fee_bps, sender=admin)
            fast.transact("setTreasury", new_treasury, sender=admin)
            self.model.fee_bps = fee_bps
            self.model.treasury = new_treasury.address

        @rule(seconds=st.sampled_from([1, 1_800, 3_600, 7_200, 86_400, NOTICE + 60]))
        def time_travel(self, seconds):
            chain.mine(timestamp=chain.blocks.head.timestamp + seconds)

        @rule(subscription=subscriptions, past=st.sampled_from([0, 1, 600]))
        def lapse(self, subscription, past):
            """Moves time to a subscriber's expiry (the first second without access) or past it."""
            target = self.model.expiry[subscription] + past
            chain.mine(timestamp=max(target, chain.blocks.head.timestamp + 1))

        # ------------------------------------------------------------ invariants

        @invariant()
        def refunds_never_exceed_what_was_paid(self):
            for key, refunded in self.model.refunded.items():
                assert refunded <= self.model.share_paid.get(key, 0)

        @invariant()
        def supply_never_exceeds_the_cap(self):
            read = node.read_all(
                {pass_id: fast.call("passes", pass_id) for pass_id in self.model.passes}
            )
            for pass_id, p in self.model.passes.items():
                stored = read[pass_id]
                assert stored.minted == p.minted <= stored.maxSupply == p.cap

        @invariant()
        def every_payment_is_withdrawable_or_withdrawn(self):
            read = node.read_all(
                {
                    **{
                        (payee, currency): fast.call("proceeds", payee, currency)
                        for currency in currencies
                        for payee in payees
                    },
                    NATIVE: node.balance(community_pass),
                    token.address: fast_token.call("balanceOf", community_pass),
                }
            )
            for currency in currencies:
                accrued = 0
                for payee in payees:
                    owed = read[payee, currency]
                    assert owed == self.model.owed.get((payee.address, currency), 0)
                    accrued += owed
                paid = self.model.paid.get(currency, 0)
                assert accrued + self.model.withdrawn.get(currency, 0) == paid
                held = read[currency]  # the pass contract's native balance or token balance
                assert held == accrued

        @invariant()
        def access_agrees_with_the_model(self):
            head = node.read(node.block("latest"))[0]
            now, block = int(head["timestamp"], 16), head["number"]
            read = node.read_all(
                {
                    (pass_id, holder.address): fast.call("hasAccess", holder, pass_id, block=block)
                    for pass_id in self.model.passes
                    for holder in holders
                }
            )
            for pass_id in self.model.passes:
                for holder in holders:
                    expected = self.model.has_access(pass_id, holder.address, now)
                    assert read[pass_id, holder.address] == expected

    run_state_machine_as_test(
        PassMachine,
        settings=settings(
            max_examples=examples(25),
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    assert community_pass.lastPassId() == 0  # every example was rolled back
