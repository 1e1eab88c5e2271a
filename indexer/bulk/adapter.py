"""The interface between the hot path (:mod:`indexer.bulk`) and one DB-API driver.

Almost everything the hot path does is the same for every driver: rows are tuples in a fixed
column order, converted with SQLAlchemy's own per-type conversions (:mod:`.convert`), read and
rewritten with statements whose text only differs in the placeholder (:mod:`.statements`).
What differs is kept to this interface, one implementation per driver (:mod:`.sqlite`,
:mod:`.postgres`), so that each driver's tricks stay next to the reasons for them and a new
driver is one module, not a condition in every function. Drivers without an adapter go
through SQLAlchemy (:mod:`.fallback`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Dialect, Table

# bound values per keyed SELECT or upsert statement, under every backend's parameter limit
CHUNK_KEYS = 900


class DriverAdapter(ABC):
    """What the hot path needs to know about one driver. Calls that take ``driver`` (the
    DB-API connection of the caller's transaction) touch nothing else, so the caller may run
    them in another thread (:class:`~indexer.bulk.BackgroundInsert`)."""

    #: the driver's placeholder for one bound value
    placeholder: str

    @abstractmethod
    def insert_writer(
        self,
        driver: Any,
        table: Table,
        columns: tuple[str, ...],
        rows: Sequence[Sequence[Any]],
        dialect: Dialect,
    ) -> Callable[[], None]:
        """A call that inserts ``rows`` (driver-ready values in ``columns`` order) into
        ``table`` through ``driver``, as fast as that driver allows."""

    def uint256_processor(self) -> Callable[[Any], Any] | None:
        """How :class:`~planet.store.mirror.Uint256` values go to the driver; None: as they
        are (the hot path skips that type's own conversion, which has layers it does not need)."""
        return None

    def rows_per_statement(self, driver: Any, width: int) -> int:
        """How many rows of ``width`` values one multi-row statement may bind."""
        return max(1, CHUNK_KEYS // width)
