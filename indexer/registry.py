"""Which code keeps the derived state for which event: a registry keyed by (contract, event).

Each contract has one handler module (``indexer/handlers/<contract>.py``) holding a
:class:`HandlerSet`; the registry joins them. Supporting a new contract is a new module with
its tables and handlers, plus one line in :func:`indexer.handlers.default_registry`.
Events without a handler are still mirrored in ``events``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import chain

from indexer.decode import Event
from indexer.priority import chunks
from indexer.store import StateStore

Handler = Callable[[Event, StateStore], None]
Finisher = Callable[[StateStore], None]


class HandlerSet:
    """The handlers of one contract, declared with ``@handlers.on("EventName")``."""

    def __init__(self, contract: str) -> None:
        self.contract = contract
        self.handlers: dict[str, Handler] = {}
        self.finishers: list[Finisher] = []

    def on(self, event: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            if event in self.handlers:
                raise ValueError(f"{self.contract}.{event} has a handler already")
            self.handlers[event] = fn
            return fn

        return register

    def at_end(self, fn: Finisher) -> Finisher:
        """Declares ``fn(store)`` to run once a batch of events has been applied, for changes
        a handler gathers over the batch instead of making them per event (sums of additions
        to counters, which commute)."""
        self.finishers.append(fn)
        return fn


class Registry:
    """Dispatches decoded events, in chain order, to the handler of their (contract, event)."""

    def __init__(self, sets: Iterable[HandlerSet] = ()) -> None:
        self._handlers: dict[tuple[str, str], Handler] = {}
        self._finishers: list[Finisher] = []
        for handler_set in sets:
            self.add(handler_set)

    def add(self, handler_set: HandlerSet) -> None:
        for event, fn in handler_set.handlers.items():
            key = (handler_set.contract, event)
            if key in self._handlers:
                raise ValueError(f"{key[0]}.{key[1]} is handled twice")
            self._handlers[key] = fn
        self._finishers += handler_set.finishers

    def keys(self) -> set[tuple[str, str]]:
        return set(self._handlers)

    def apply(
        self, events: Sequence[Event], store: StateStore, pause: Callable[[], None] | None = None
    ) -> None:
        """Applies a batch of events in order, then the handler sets' end-of-batch steps;
        ``pause`` is called between chunks of events (see :mod:`indexer.priority`)."""
        handlers = self._handlers
        for event in chain.from_iterable(chunks(events, pause)):
            handler = handlers.get((event.contract, event.name))
            if handler is not None:
                handler(event, store)
        for finish in self._finishers:
            finish(store)
