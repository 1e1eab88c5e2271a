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
            "created_block": event.block_number,
            "created_tx": event.tx_hash,
            "updated_block": event.block_number,
        },
    )
    _memory(store)[("pass", a["passId"])] = (a["creator"], a["currency"])


@handlers.on("PassPriceChanged")
def price_changed(event: Event, store: StateStore) -> None:
    _set_pass(store, event, price=event.args["price"])


@handlers.on("PassSupplyCapLowered")
def cap_lowered(event: Event, store: StateStore) -> None:
    _set_pass(store, event, max_supply=event.args["cap"])


@handlers.on("PassSalesStateChanged")
def sales_state_changed(event: Event, store: StateStore) -> None:
    _set_pass(store, event, paused=event.args["paused"])


# ---------------------------------------------------------------- sales


def _credit_sale(store: StateStore, event: Event, cost: int, fee: int) -> None:
    """Splits a sale's cost as ``_charge`` does: the fee to the treasury current now, the rest
    to the pass's creator, in the pass's currency."""
    if cost == 0:
        return
    memory = _memory(store)
    pass_id = event.args["passId"]
    facts = memory.get(("pass", pass_id))
    if facts is None:
        row = store.get(passes, (pass_id,))
        if row is None:
            raise DatabaseStateError(f"pass {pass_id} is sold but was never created")
        facts = memory[("pass", pass_id)] = (row["creator"], row["currency"])
    creator, currency = facts
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
        {"balance": 0, "minted": tokens, "expiry": 0},
        {"expiry": expiry},
    )
    _credit_sale(store, event, a["cost"], a["platformFee"])


@handlers.on("PassRenewed")
def renewed(event: Event, store: StateStore) -> None:
    a = event.args
    store.update(
        pass_holdings,
        (a["passId"], a["holder"]),
        {"expiry": a["expiry"], "updated_block": event.block_number},
    )
    _credit_sale(store, event, a["cost"], a["platformFee"])


# ---------------------------------------------------------------- ERC-1155 balances


def _move(store: StateStore, event: Event, pass_id: int, value: int) -> None:
    if value == 0:  # a zero-value transfer changes no balance; it creates no rows either
        return
    a = event.args
    counters = {"minted": 0, "expiry": 0}
    if a["from"] != ZERO_ADDRESS:
        _touch(store, pass_holdings, (pass_id, a["from"]), event, {"balance": -value, **counters})
    if a["to"] != ZERO_ADDRESS:
        _touch(store, pass_holdings, (pass_id, a["to"]), event, {"balance": value, **counters})


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
