"""CommunityPass: passes, holdings and proceeds as the contract answers them (``passes(id)``,
``balanceOf``, ``mintedTo``, ``expiryOf``, ``proceeds``, ``treasury``, ``platformFeeBps``).

* ``passes``: created by ``PassCreated``; price, cap and sales state follow their events;
  ``minted`` adds the tokens of every ``PassMinted``.
* ``pass_holdings``: ``balance`` follows the ERC-1155 ``TransferSingle`` / ``TransferBatch``
  logs (mints and transfers of transferable passes); ``minted`` and ``expiry`` follow
  ``PassMinted`` and ``PassRenewed``. Access is what ``hasAccess`` decides: a lifetime pass
  (duration 0) needs balance > 0, a subscription needs now < expiry.
* ``pass_proceeds``: each sale credits the creator with ``cost - platformFee`` and the treasury
  current at the sale with ``platformFee``; ``ProceedsWithdrawn`` moves the whole balance to
  ``withdrawn``.
* ``pass_settings``: the treasury and platform fee, from ``TreasuryChanged`` and
  ``PlatformFeeChanged`` (the constructor emits both, treasury first).
* Protocol v2: ``PassRequirementsSet`` and ``PassRefundWindowSet`` set the pass's rules,
  ``PassPriceChanged`` also the end of its price notice (``holders_price_from``); a sale sets
  the holding's ``price`` snapshot (cost / quantity); ``PaymentRefundable`` (emitted after the
  sale it describes) records the refundable payment and a renewal without one clears it;
  ``PassGifted`` mints like a sale that pays nothing; ``SubscriptionCancelled`` moves the
  refund from the creator's proceeds to the holder's and sets the expiry back.
  ``SubscriptionUpdate`` repeats an expiry another event of the same transaction already set.

A sale names neither the creator, the currency nor the treasury, so its handler reads the
pass and the settings row (with this batch's pending changes applied). Within one
:class:`StateStore` (one transaction) it remembers what it read or wrote of them: a pass's
creator and currency never change, and the treasury only by the ``TreasuryChanged`` handler,
which updates what is remembered. A backfill of many sales then reads each pass once, rather
than once per sale (each read folds every change pending for the row). ``URI``,
``ApprovalForAll`` and role events change nothing derived and stay in ``events`` only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from indexer.decode import Event
from indexer.errors import DatabaseStateError
from indexer.registry import HandlerSet
from indexer.store import StateStore
from planet.store.mirror import pass_holdings, pass_proceeds, pass_settings, passes

handlers = HandlerSet("CommunityPass")

ZERO_ADDRESS = "0x" + "00" * 20


def _memory(store: StateStore) -> dict[tuple[str, Any], Any]:
    """Per store: ("pass", id) -> (creator, currency); ("treasury", contract) -> treasury."""
    memory: dict[tuple[str, Any], Any] = store.memo.setdefault(__name__, {})
    return memory


def _touch(
    store: StateStore,
    table: Table,
    key: tuple[Any, ...],
    event: Event,
    deltas: dict[str, int],
    values: dict[str, Any] | None = None,
) -> None:
    """Adds ``deltas`` (creating the row at zero when it is new: give every counter column,
    zeros included) and sets ``values`` and ``updated_block``."""
    store.add(table, key, deltas)
    store.update(table, key, {**(values or {}), "updated_block": event.block_number})


def _set_pass(store: StateStore, event: Event, **values: Any) -> None:
    store.update(passes, (event.args["passId"],), {**values, "updated_block": event.block_number})


# ---------------------------------------------------------------- passes


@handlers.on("PassCreated")
def created(event: Event, store: StateStore) -> None:
    a = event.args
    store.insert(
        passes,
        {
            "pass_id": a["passId"],
            "creator": a["creator"],
            "currency": a["currency"],
            "price": a["price"],
            "max_supply": a["maxSupply"],
            "wallet_limit": a["walletLimit"],
            "duration": a["duration"],
            "transferable": a["transferable"],
            "royalty_bps": a["royaltyBps"],
            "fee_bps": a["feeBps"],
            "paused": False,
            "minted": 0,
            "uri": a["uri"],
            "min_points": 0,
            "points_weeks": 0,
            "verified_identity": False,
            "refund_window": 0,
            "holders_price_from": 0,
            "created_block": event.block_number,
            "created_tx": event.tx_hash,
            "updated_block": event.block_number,
        },
    )
    _memory(store)[("pass", a["passId"])] = (a["creator"], a["currency"])


@handlers.on("PassPriceChanged")
def price_changed(event: Event, store: StateStore) -> None:
    a = event.args
    _set_pass(store, event, price=a["price"], holders_price_from=a["holdersFrom"])


@handlers.on("PassRequirementsSet")
def requirements_set(event: Event, store: StateStore) -> None:
    a = event.args
    _set_pass(
        store,
        event,
        min_points=a["minPoints"],
        points_weeks=a["pointsWeeks"],
        verified_identity=a["verifiedIdentity"],
    )


@handlers.on("PassRefundWindowSet")
def refund_window_set(event: Event, store: StateStore) -> None:
    _set_pass(store, event, refund_window=event.args["refundWindow"])


@handlers.on("PassSupplyCapLowered")
def cap_lowered(event: Event, store: StateStore) -> None:
    _set_pass(store, event, max_supply=event.args["cap"])


@handlers.on("PassSalesStateChanged")
def sales_state_changed(event: Event, store: StateStore) -> None:
    _set_pass(store, event, paused=event.args["paused"])


# ---------------------------------------------------------------- sales


_HOLDING_ZEROS = {
    "balance": 0,
    "minted": 0,
    "expiry": 0,
    "price": 0,
    "payment_from": 0,
    "refund_until": 0,
    "refund_paid": 0,
}
"""Every counter column of ``pass_holdings`` at zero: what ``_touch`` creates a row with."""

_NO_PAYMENT = {"payment_from": 0, "refund_until": 0, "refund_paid": 0}


def _pass_facts(store: StateStore, pass_id: int) -> tuple[str, str]:
    """The pass's (creator, currency), read once per store."""
    memory = _memory(store)
    facts: tuple[str, str] | None = memory.get(("pass", pass_id))
    if facts is None:
        row = store.get(passes, (pass_id,))
        if row is None:
            raise DatabaseStateError(f"pass {pass_id} is sold but was never created")
        facts = memory[("pass", pass_id)] = (row["creator"], row["currency"])
    return facts


def _credit_sale(store: StateStore, event: Event, cost: int, fee: int) -> None:
    """Splits a sale's cost as ``_charge`` does: the fee to the treasury current now, the rest
    to the pass's creator, in the pass's currency."""
    if cost == 0:
        return
    memory = _memory(store)
    creator, currency = _pass_facts(store, event.args["passId"])
    _touch(
        store, pass_proceeds, (creator, currency), event, {"accrued": cost - fee, "withdrawn": 0}
    )
    if fee != 0:
        treasury = memory.get(("treasury", event.address))
        if treasury is None:
            settings = store.get(pass_settings, (event.address,))
            if settings is None:
                raise DatabaseStateError(f"CommunityPass {event.address} has no treasury recorded")
            treasury = memory[("treasury", event.address)] = settings["treasury"]
        _touch(store, pass_proceeds, (treasury, currency), event, {"accrued": fee, "withdrawn": 0})


@handlers.on("PassMinted")
def minted(event: Event, store: StateStore) -> None:
    a = event.args
    pass_id, expiry = a["passId"], a["expiry"]
    # expiry is 0 exactly for lifetime passes (a subscription's is now + periods x duration):
    # a lifetime mint is `quantity` tokens, a subscription mint one token for `quantity` periods
    tokens = a["quantity"] if expiry == 0 else 1
    store.add(passes, (pass_id,), {"minted": tokens})
    store.update(passes, (pass_id,), {"updated_block": event.block_number})
    _touch(
        store,
        pass_holdings,
        (pass_id, a["to"]),
        event,
        {**_HOLDING_ZEROS, "minted": tokens},
        {"expiry": expiry, "price": a["cost"] // a["quantity"]},
    )
    _credit_sale(store, event, a["cost"], a["platformFee"])


@handlers.on("PassRenewed")
def renewed(event: Event, store: StateStore) -> None:
    a = event.args
    store.update(
        pass_holdings,
        (a["passId"], a["holder"]),
        {
            "expiry": a["expiry"],
            "price": a["cost"] // a["periods"],
            **_NO_PAYMENT,  # PaymentRefundable follows if this payment is refundable
            "updated_block": event.block_number,
        },
    )
    _credit_sale(store, event, a["cost"], a["platformFee"])


@handlers.on("PaymentRefundable")
def payment_refundable(event: Event, store: StateStore) -> None:
    a = event.args
    store.update(
        pass_holdings,
        (a["passId"], a["holder"]),
        {
            "payment_from": a["from"],
            "refund_until": a["refundUntil"],
            "refund_paid": a["paid"],
            "updated_block": event.block_number,
        },
    )


@handlers.on("PassGifted")
def gifted(event: Event, store: StateStore) -> None:
    """A free mint, or for a subscriber already holding, free periods (no new token: the
    ERC-1155 ``TransferSingle`` of a mint is what moves balances in either case)."""
    a = event.args
    pass_id, to, expiry = a["passId"], a["to"], a["expiry"]
    key = (pass_id, to)
    held = store.get(pass_holdings, key)
    if expiry != 0 and held is not None and held["expiry"] != 0:
        store.update(pass_holdings, key, {"expiry": expiry, "updated_block": event.block_number})
        return
    tokens = a["quantity"] if expiry == 0 else 1
    store.add(passes, (pass_id,), {"minted": tokens})
    store.update(passes, (pass_id,), {"updated_block": event.block_number})
    values: dict[str, Any] = {"expiry": expiry}
    if expiry != 0:  # a gifted subscriber renews at the price current at the gift
        row = store.get(passes, (pass_id,))
        values["price"] = 0 if row is None else row["price"]
    _touch(store, pass_holdings, key, event, {**_HOLDING_ZEROS, "minted": tokens}, values)


@handlers.on("SubscriptionCancelled")
def cancelled(event: Event, store: StateStore) -> None:
    a = event.args
    pass_id, holder, refund = a["passId"], a["holder"], a["refund"]
    store.update(
        pass_holdings,
        (pass_id, holder),
        {"expiry": a["expiry"], **_NO_PAYMENT, "updated_block": event.block_number},
    )
    if refund:
        creator, currency = _pass_facts(store, pass_id)
        _touch(
            store, pass_proceeds, (creator, currency), event, {"accrued": -refund, "withdrawn": 0}
        )
        _touch(store, pass_proceeds, (holder, currency), event, {"accrued": refund, "withdrawn": 0})


# ---------------------------------------------------------------- ERC-1155 balances


def _move(store: StateStore, event: Event, pass_id: int, value: int) -> None:
    if value == 0:  # a zero-value transfer changes no balance; it creates no rows either
        return
    a = event.args
    if a["from"] != ZERO_ADDRESS:
        _touch(
            store, pass_holdings, (pass_id, a["from"]), event, {**_HOLDING_ZEROS, "balance": -value}
        )
    if a["to"] != ZERO_ADDRESS:
        _touch(
            store, pass_holdings, (pass_id, a["to"]), event, {**_HOLDING_ZEROS, "balance": value}
        )


@handlers.on("TransferSingle")
def transfer_single(event: Event, store: StateStore) -> None:
    _move(store, event, event.args["id"], event.args["value"])


@handlers.on("TransferBatch")
def transfer_batch(event: Event, store: StateStore) -> None:
    for pass_id, value in zip(event.args["ids"], event.args["values"], strict=True):
        _move(store, event, pass_id, value)


# ---------------------------------------------------------------- proceeds and settings


@handlers.on("ProceedsWithdrawn")
def withdrawn(event: Event, store: StateStore) -> None:
    a = event.args
    amount = a["amount"]
    key = (a["payee"], a["currency"])
    _touch(store, pass_proceeds, key, event, {"accrued": -amount, "withdrawn": amount})


@handlers.on("TreasuryChanged")
def treasury_changed(event: Event, store: StateStore) -> None:
    key = (event.address,)
    treasury = event.args["treasury"]
    memory = _memory(store)
    known = ("treasury", event.address) in memory
    memory[("treasury", event.address)] = treasury
    if not known and store.get(pass_settings, key) is None:  # the constructor; fee set next
        store.insert(
            pass_settings,
            {
                "address": event.address,
                "treasury": treasury,
                "platform_fee_bps": 0,
                "updated_block": event.block_number,
            },
        )
    else:
        store.update(
            pass_settings, key, {"treasury": treasury, "updated_block": event.block_number}
        )


@handlers.on("PlatformFeeChanged")
def platform_fee_changed(event: Event, store: StateStore) -> None:
    store.update(
        pass_settings,
        (event.address,),
        {"platform_fee_bps": event.args["feeBps"], "updated_block": event.block_number},
    )
