"""The handler registry: events go to their handler in chain order, and a handler set's
end-of-batch steps run once per batch, after its events."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.decode import Event
from indexer.handlers import default_registry
from indexer.registry import HandlerSet, Registry
from indexer.store import StateStore
from planet.store.mirror import epoch_point_balances, epoch_point_totals, point_balances

ALICE, BOB = "0x" + "a1" * 20, "0x" + "b0" * 20


def event(name: str, index: int, contract: str = "C", **args: Any) -> Event:
    return Event(
        1, index, "0x" + "00" * 32, "0x" + "11" * 32, 0, "0x" + "22" * 20, contract, name, args
    )


def test_end_steps_run_once_per_batch_after_its_events():
    seen: list[str] = []
    first, second = HandlerSet("C"), HandlerSet("D")
    first.on("A")(lambda e, store: seen.append(f"A{e.log_index}"))
    first.at_end(lambda store: seen.append("end C"))
    second.at_end(lambda store: seen.append("end D"))
    registry = Registry([first, second])
    store = StateStore(None, 1)
    registry.apply([event("A", 0), event("B", 1), event("A", 2)], store)
    registry.apply([], store)
    assert seen == ["A0", "A2", "end C", "end D", "end C", "end D"]


def test_a_handler_may_not_be_declared_twice():
    handlers = HandlerSet("C")
    handlers.on("A")(lambda e, store: None)
    with pytest.raises(ValueError, match=r"C\.A has a handler"):
        handlers.on("A")(lambda e, store: None)


def recorded(index: int, account: str, epoch: int, amount: int) -> Event:
    return event(
        "ContributionRecorded",
        index,
        "ContributionPoints",
        uid=f"0x{index:064x}",
        account=account,
        epoch=epoch,
        kind=1,
        amount=amount,
        attester=BOB,
        submitter=account,
    )


def revoked(index: int, uid_of: int, account: str, epoch: int, amount: int) -> Event:
    return event(
        "ContributionRevoked",
        index,
        "ContributionPoints",
        uid=f"0x{uid_of:064x}",
        account=account,
        epoch=epoch,
        amount=amount,
        reason="spam",
        revoker=BOB,
    )


def pending_additions(store: StateStore, table) -> dict:
    return {key: ops[1] for key, ops in store._ops.get(table, {}).items()}


def test_points_add_a_batch_once_per_account_and_epoch():
    batch = [
        recorded(0, ALICE, 0, 5),
        recorded(1, ALICE, 1, 7),
        recorded(2, BOB, 1, 2**200),
        revoked(3, 0, ALICE, 0, 5),
        recorded(4, ALICE, 1, 1),
    ]
    store = StateStore(None, 1)
    default_registry().apply(batch, store)
    assert store.memo == {}  # the sums were handed to the store at the batch's end
    assert pending_additions(store, point_balances) == {
        (ALICE,): {"balance": 8},
        (BOB,): {"balance": 2**200},
    }
    assert pending_additions(store, epoch_point_balances) == {
        (0, ALICE): {"balance": 0},
        (1, ALICE): {"balance": 8},
        (1, BOB): {"balance": 2**200},
    }
    assert pending_additions(store, epoch_point_totals) == {
        (0,): {"total": 0},
        (1,): {"total": 8 + 2**200},
    }
