"""Derived-state writes for handlers, batched per commit and undoable per block.

Handlers never run SQL. They describe changes to rows of the derived tables (insert a new row,
update some columns, add to counters) and the store folds them in memory; :meth:`flush` then
reads the few existing rows it needs, writes the results with executemany, and, for blocks that
may still be reorged, journals each touched row's value from before the block. Rolling back to
a block replays that journal backwards (:func:`undo_above`), so every handler, present or
future, is reorg-safe without code of its own.

Inserts need no read: a key inserted twice is a bug or a corrupt database and fails loudly on
the primary key. Counters are read and summed in Python, so sums stay exact beyond 64 bits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, select

from indexer.bulk import dict_rows, insert_dicts, insert_tuples, select_by_keys, update_tuples
from indexer.errors import DatabaseStateError
from planet.store.mirror import DERIVED_TABLES, state_journal

Key = tuple[Any, ...]
Op = tuple[int, dict[str, Any]]
# A key's pending changes: a bare row for a single insert (a backfill's most common case), one
# op as a tuple (adding once per key), or a list of ops once there is more than one. The bare
# row matters to the cycle collector: a dict of atomic values is never tracked, while a tuple
# holding a dict stays tracked for good; tens of thousands of tracked inserts per range made
# every collection of the oldest generation rescan them and come round more often.
Pending = dict[str, Any] | Op | list[Op]
_INSERT, _UPDATE, _ADD = 0, 1, 2


def key_columns(table: Table) -> list[str]:
    """A derived table's key, without the chain id every table starts with."""
    return [c.name for c in table.primary_key.columns if c.name != "chain_id"]


def _key_getter(names: list[str]) -> Callable[[dict[str, Any]], Key]:
    """A row's key as a tuple, read in one call."""
    if len(names) == 1:
        (name,) = names
        return lambda row: (row[name],)
    return itemgetter(*names)


def _as_list(pending: Pending) -> list[Op]:
    kind = type(pending)
    if kind is list:
        return pending  # type: ignore[return-value]
    if kind is dict:
        return [(_INSERT, pending)]  # type: ignore[list-item]
    return [pending]  # type: ignore[list-item]


class NeedsDatabase(Exception):
    """A handler asked a detached store for a stored row (see :class:`StateStore`)."""


class RowCache:
    """Derived rows as this indexer's last commits left them, by table and key.

    Every range of a backfill adds to counters (balances, epoch totals) that the ranges before
    it wrote; reading them back costs a query and, on SQLite, a GIL hand-back per row, which
    made small ranges several times dearer than their events. The indexer is the only writer
    of these tables, so a row it committed is the stored row until it writes it again.
    Stores only learn rows here once their transaction committed (:meth:`committed`), so a
    failed range leaves nothing behind; the cache lives for one backfill pass, which reorgs
    never interrupt. Past ``limit`` rows it starts over empty (a miss only costs a read).
    """

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._rows: dict[Table, dict[Key, dict[str, Any]]] = {}
        self._size = 0

    def lookup(
        self, table: Table, keys: Sequence[Key]
    ) -> tuple[dict[Key, dict[str, Any]], list[Key]]:
        """The cached rows among ``keys``, and the keys not cached."""
        rows = self._rows.get(table)
        if not rows:
            return {}, list(keys)
        found: dict[Key, dict[str, Any]] = {}
        missing: list[Key] = []
        for key in keys:
            row = rows.get(key)
            if row is None:
                missing.append(key)
            else:
                found[key] = row
        return found, missing

    def committed(self, store: StateStore) -> None:
        """Takes the rows ``store`` wrote, now that its transaction committed."""
        for table, written in store.take_written().items():
            rows = self._rows.setdefault(table, {})
            before = len(rows)
            rows.update(written)
            self._size += len(rows) - before
        if self._size > self.limit:
            self._rows.clear()
            self._size = 0


class StateStore:
    """Pending changes to derived tables within one database transaction.

    A store made without a connection is detached: handlers can record changes in it ahead
    of the transaction (the backfill applies a range's handlers while the range before it is
    being written), but reading a stored row raises :class:`NeedsDatabase`, since the rows
    the earlier ranges write are not there yet. :meth:`attach` gives it its transaction.
    """

    def __init__(
        self,
        conn: Connection | None,
        chain_id: int,
        before_io: Callable[[], None] | None = None,
        cache: RowCache | None = None,
    ) -> None:
        """``before_io`` runs before the store first uses ``conn``: the caller may still have
        a bulk insert running on it in another thread (:class:`~indexer.bulk.BackgroundInsert`).
        With a ``cache``, stored rows are looked up there first, and the rows a flush
        rewrites are kept for it (:meth:`take_written`) until the transaction commits."""
        self.conn = conn
        self.chain_id = chain_id
        self._before_io = before_io
        self._cache = cache
        # whole rows flushed through the read-and-fold path, for the cache once committed
        self._written: dict[Table, dict[Key, dict[str, Any]]] = {}
        # handlers' own notes about this store's changes, by handler module (cleared with it)
        self.memo: dict[str, Any] = {}
        # rows read by get() since the last flush, as stored (None: no such row)
        self._stored: dict[Table, dict[Key, dict[str, Any] | None]] = {}
        self._ops: dict[Table, dict[Key, Pending]] = {}
        # rows built by prepare() for tables that only get new rows: (columns, tuples)
        self._ready: dict[Table, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}
        self._keys = {t: key_columns(t) for t in DERIVED_TABLES.values()}
        self._columns = {
            t: tuple(c.name for c in t.columns if c.name != "chain_id")
            for t in DERIVED_TABLES.values()
        }
        self._key_of = {t: _key_getter(names) for t, names in self._keys.items()}

    # ------------------------------------------------------------------ what handlers call

    def _append(self, table: Table, key: Key, op: Op) -> None:
        self._ready.clear()
        pending = self._ops.get(table)
        if pending is None:
            pending = self._ops[table] = {}
        ops = pending.get(key)
        if ops is None:
            pending[key] = op
        elif type(ops) is list:
            ops.append(op)
        else:
            pending[key] = [*_as_list(ops), op]

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        """A row that must not exist yet (its key comes from ``row``)."""
        key = self._key_of[table](row)
        pending = self._ops.get(table)
        if pending is None:
            pending = self._ops[table] = {}
        if key not in pending:
            pending[key] = row  # the backfill's case, spelled out: no call, no op tuple
            if self._ready:
                self._ready.clear()
        else:
            self._append(table, key, (_INSERT, row))

    def update(self, table: Table, key: Key, values: dict[str, Any]) -> None:
        """New values for some columns of an existing row."""
        self._append(table, key, (_UPDATE, values))

    def add(self, table: Table, key: Key, deltas: dict[str, int]) -> None:
        """Adds to counter columns, creating the row at zero if it does not exist."""
        pending = self._ops.get(table)
        if pending is None:
            pending = self._ops[table] = {}
        if self._ready:
            self._ready.clear()
        ops = pending.get(key)
        if ops is None:
            pending[key] = (_ADD, dict(deltas))
            return
        # the last op, read without building a list (a counter's usual case is one op)
        kind = type(ops)
        last = cast(Op, ops) if kind is tuple else cast(list[Op], ops)[-1] if kind is list else None
        if last is not None and last[0] == _ADD:  # consecutive additions fold into one
            total = last[1]
            for column, delta in deltas.items():
                total[column] = total.get(column, 0) + delta
        else:
            self._append(table, key, (_ADD, dict(deltas)))

    def get(self, table: Table, key: Key) -> dict[str, Any] | None:
        """The row as it stands with the pending changes applied (None if absent).

        The stored row is read once per flush, not once per call: a handler asking about the
        same row for every event of a range would otherwise cost a query each time."""
        stored = self._stored.setdefault(table, {})
        if key in stored:
            old = stored[key]
        else:
            old = stored[key] = self._load(table, [key]).get(key)
        pending = self._ops.get(table, {}).get(key)
        return self._fold(table, key, old, [] if pending is None else _as_list(pending))

    def prepare(self) -> None:
        """Builds the insert rows of tables that only get new rows, before :meth:`flush` needs
        them: the backfill calls it in the thread that applied the handlers, so the writer,
        whose thread is the backfill's critical path, only hands them to the driver. Changes
        made afterwards discard what was built."""
        self._ready = {
            table: dict_rows(
                table,
                cast(list[dict[str, Any]], list(pending.values())),
                {"chain_id": self.chain_id},
            )
            for table, pending in self._ops.items()
            if pending and all(type(ops) is dict for ops in pending.values())
        }

    def attach(
        self,
        conn: Connection,
        before_io: Callable[[], None] | None = None,
        cache: RowCache | None = None,
    ) -> None:
        """Gives a detached store the transaction its changes go to (see ``__init__``)."""
        self.conn = conn
        self._before_io = before_io
        self._cache = cache

    def take_written(self) -> dict[Table, dict[Key, dict[str, Any]]]:
        """The whole rows flushed since the last call, by table and key (for
        :meth:`RowCache.committed`)."""
        written, self._written = self._written, {}
        return written

    # ------------------------------------------------------------------ writing

    def flush(self, journal_block: int | None = None) -> int:
        """Writes the pending changes; with ``journal_block``, first records every touched
        row's old value under that block so a reorg can undo it. Returns rows written."""
        self._io()
        conn = self.conn
        assert conn is not None, "attach() a connection before flushing"
        written = 0
        journal: list[dict[str, Any]] = []
        for table, pending in self._ops.items():
            ready = self._ready.get(table) if journal_block is None else None
            if ready is not None:
                insert_tuples(conn, table, *ready)
                written += len(ready[1])
                continue
            need_read = [
                k
                for k, ops in pending.items()
                if journal_block is not None
                or (type(ops) is not dict and _as_list(ops)[0][0] != _INSERT)
            ]
            existing = self._load(table, need_read) if need_read else {}
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            columns = self._columns[table]
            keep = (
                self._written.setdefault(table, {})
                if self._cache is not None and journal_block is None
                else None
            )
            for key, pending_ops in pending.items():
                if journal_block is None and type(pending_ops) is dict:
                    inserts.append(
                        cast(dict[str, Any], pending_ops)
                    )  # the common case of a backfill: no fold, no read
                    continue
                ops = _as_list(pending_ops)
                old = existing.get(key)
                new = self._fold(table, key, old, ops)
                if new is None:  # only possible for an empty op list
                    continue
                if old is None:
                    inserts.append(new)
                else:
                    updates.append(new)
                if keep is not None:
                    keep[key] = {c: new.get(c) for c in columns}  # as stored: absent is NULL
                if journal_block is not None:
                    journal.append(
                        {
                            "chain_id": self.chain_id,
                            "block_number": journal_block,
                            "table_name": table.name,
                            "key": list(key),
                            "old_row": old,
                        }
                    )
            if inserts:
                insert_dicts(conn, table, inserts, {"chain_id": self.chain_id})
            if updates:
                update_tuples(
                    conn,
                    table,
                    ("chain_id", *columns),
                    [(self.chain_id, *[row[c] for c in columns]) for row in updates],
                )
            written += len(inserts) + len(updates)
        if journal:
            conn.execute(state_journal.insert(), journal)
        self._ops.clear()
        self._ready.clear()
        self._stored.clear()  # written now: the next get() reads the new rows
        return written

    # ------------------------------------------------------------------ internals

    def _fold(
        self, table: Table, key: Key, old: dict[str, Any] | None, ops: list[tuple[int, Any]]
    ) -> dict[str, Any] | None:
        row = dict(old) if old is not None else None
        for op, payload in ops:
            if op == _INSERT:
                if row is not None:
                    raise DatabaseStateError(f"{table.name} {key} exists already")
                row = dict(payload)
            elif op == _UPDATE:
                if row is None:
                    raise DatabaseStateError(
                        f"{table.name} {key} is updated by an event but was never created"
                    )
                row.update(payload)
            else:
                if row is None:
                    row = dict(zip(self._keys[table], key, strict=True))
                for column, delta in payload.items():
                    row[column] = row.get(column, 0) + delta
        return row

    def _io(self) -> None:
        if self.conn is None:
            raise NeedsDatabase("this store has no transaction yet")
        if self._before_io is not None:
            before, self._before_io = self._before_io, None
            before()

    def _load(self, table: Table, keys: Sequence[Key]) -> dict[Key, dict[str, Any]]:
        """Existing rows for ``keys``, without ``chain_id``; from the cache where it has them."""
        self._io()
        assert self.conn is not None
        if self._cache is None:
            return select_by_keys(self.conn, table, self._keys[table], self.chain_id, keys)
        found, missing = self._cache.lookup(table, keys)
        if missing:
            found.update(
                select_by_keys(self.conn, table, self._keys[table], self.chain_id, missing)
            )
        return found


def undo_above(conn: Connection, chain_id: int, block_number: int) -> int:
    """Restores every derived row to its value at ``block_number`` by replaying the journal
    of later blocks newest first, then forgets those journal entries. Returns rows restored."""
    entries = conn.execute(
        select(state_journal.c.table_name, state_journal.c.key, state_journal.c.old_row)
        .where(state_journal.c.chain_id == chain_id, state_journal.c.block_number > block_number)
        .order_by(state_journal.c.block_number.desc(), state_journal.c.id.desc())
    ).all()
    for table_name, key, old_row in entries:
        table = DERIVED_TABLES[table_name]
        names = key_columns(table)
        conn.execute(
            delete(table).where(
                table.c.chain_id == chain_id,
                *(table.c[n] == v for n, v in zip(names, key, strict=True)),
            )
        )
        if old_row is not None:
            conn.execute(table.insert(), [{**old_row, "chain_id": chain_id}])
    conn.execute(
        delete(state_journal).where(
            state_journal.c.chain_id == chain_id, state_journal.c.block_number > block_number
        )
    )
    return len(entries)


def prune_journal(conn: Connection, chain_id: int, final_block: int) -> None:
    """Forgets undo records of final blocks: they will never be rolled back."""
    conn.execute(
        delete(state_journal).where(
            state_journal.c.chain_id == chain_id, state_journal.c.block_number <= final_block
        )
    )
