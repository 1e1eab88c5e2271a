"""Each identity owner's first funding transaction: who first sent the owner native value.

Farms fund their identities' wallets from one wallet; honest users are funded from their own
or an exchange's. The rewards (:mod:`planet.rewards.standing`) discount engagement between
identities funded from one source in one week, so the indexer records, once per owner, the
first transaction that sent it value (sender, block, time, transaction hash, amount) in
``owner_fundings``.

**Why not from logs.** The mirror is built from Planet's logs; a plain transfer emits none, and
tracing every block of the chain for transfers would cost far more than the whole mirror. So
the lookup runs per owner, only for owners of newly registered identities (and new owners after
a transfer), after each pass's backfill, at most ``funding_lookups`` per pass, through a
pluggable :class:`FundingSource`. The default, :class:`BalanceSearch`, needs nothing but
standard JSON-RPC: "the owner holds value or has sent a transaction" is false before its first
funding and true forever after (an account cannot spend without a transaction, which raises its
nonce), so a binary search over ``eth_getBalance`` / ``eth_getTransactionCount`` at past blocks
finds the first funded block in about ``2 x log2(window)`` calls, and that block's transactions
name the sender.

**Limits** (recorded per owner in ``status``; documented in the README's indexer section):

* the search looks back at most ``funding_window`` blocks from the final block: an owner funded
  earlier is ``before_window`` (an old wallet, not a fresh farm's);
* it reads state at past blocks: X Layer's public RPC, like most non-archive nodes, keeps only
  recent state; where the node refuses (``missing trie node``, ``header not found``), the owner
  is ``unavailable``. Point ``rpc_url`` at an archive node, or plug in a source reading an
  explorer's API (OKLink's address transactions) for full history. ``unavailable`` says
  nothing about the wallet, so it is looked up again as ``unfunded`` is (below): after a
  rate limit, or once the indexer reads from a node with the history;
* value sent by a contract (a multi-send, an exchange's batch withdrawal) is an internal
  transfer no transaction of the block shows: the block is known, not the sender
  (``internal``); the rewards treat identities first funded internally in the same block as
  one source;
* an owner with no value by the final block (a relayer paid its registration) is
  ``unfunded``; its relayer is its funder key meanwhile. A wallet that was relayed in may be
  funded later (a farm that tops its wallets up after registering), so an ``unfunded`` owner
  is looked up again once the final block has moved ``recheck_after`` blocks past its last
  lookup (so is an ``unavailable`` one): new owners first, then the longest-unchecked of those,
  within the same ``funding_lookups`` per pass. A recheck of a still-unfunded wallet costs two
  calls (balance and nonce at the final block); a funded one is searched as a new owner is,
  and its row replaced.

A lookup is a fact about an address before a final block, so reorgs never touch it; rows are
keyed by (chain, owner) and written in their own transactions, after the pass's ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, and_, delete, exists, insert, select

from indexer.rpc import RpcClient, RpcRequestError
from planet.core import logs
from planet.store.mirror import identities, owner_fundings

log = logs.get("indexer.funding")

COMMIT_EVERY = 50  # lookups per transaction
#: Blocks after which an ``unfunded`` owner is looked up again (at X Layer's one block a
#: second, about a day), unless the tracker is given another.
RECHECK_AFTER = 86_400

FOUND, INTERNAL, BEFORE_WINDOW, UNFUNDED, UNAVAILABLE = (
    "found",
    "internal",
    "before_window",
    "unfunded",
    "unavailable",
)


@dataclass(frozen=True)
class Funding:
    """What a lookup found for one owner (see the module for each ``status``)."""

    owner: str
    status: str
    checked_block: int
    funder: str | None = None
    block_number: int | None = None
    block_time: int | None = None
    tx_hash: str | None = None
    amount: int | None = None

    def row(self, chain_id: int) -> dict[str, Any]:
        return {
            "chain_id": chain_id,
            "owner": self.owner,
            "status": self.status,
            "funder": self.funder,
            "block_number": self.block_number,
            "block_time": self.block_time,
            "tx_hash": self.tx_hash,
            "amount": self.amount,
            "checked_block": self.checked_block,
        }


class FundingSource(Protocol):
    """Finds an address's first funding at or before a block (an explorer API could be one)."""

    def first_funding(self, owner: str, up_to: int) -> Funding: ...


class BalanceSearch:
    """Binary search over past state through JSON-RPC (see the module)."""

    def __init__(self, rpc: RpcClient, window: int) -> None:
        self.rpc = rpc
        self.window = window

    def _touched(self, owner: str, block: int) -> bool:
        tag = hex(block)
        if int(self.rpc.call("eth_getBalance", [owner, tag]), 16) > 0:
            return True
        return int(self.rpc.call("eth_getTransactionCount", [owner, tag]), 16) > 0

    def first_funding(self, owner: str, up_to: int) -> Funding:
        owner = owner.lower()
        low = max(0, up_to - self.window)
        try:
            if not self._touched(owner, up_to):
                return Funding(owner, UNFUNDED, up_to)
            if self._touched(owner, low):
                return Funding(owner, BEFORE_WINDOW, up_to, block_number=low)
            while up_to - low > 1:  # untouched at low, touched at up_to
                middle = (low + up_to) // 2
                if self._touched(owner, middle):
                    up_to = middle
                else:
                    low = middle
            block = self.rpc.call("eth_getBlockByNumber", [hex(up_to), True])
        except RpcRequestError as err:
            log.warning("funding unavailable", owner=owner, error=str(err)[:200])
            return Funding(owner, UNAVAILABLE, up_to)
        when = int(block["timestamp"], 16)
        for tx in block.get("transactions") or ():
            value = int(tx.get("value") or "0x0", 16)
            if (tx.get("to") or "").lower() == owner and value > 0:
                return Funding(
                    owner,
                    FOUND,
                    up_to,
                    funder=str(tx["from"]).lower(),
                    block_number=up_to,
                    block_time=when,
                    tx_hash=str(tx["hash"]).lower(),
                    amount=value,
                )
        balance = int(self.rpc.call("eth_getBalance", [owner, hex(up_to)]), 16)
        return Funding(owner, INTERNAL, up_to, block_number=up_to, block_time=when, amount=balance)


class FundingTracker:
    """Looks up the owners of identities registered at or below the final block that have no
    ``owner_fundings`` row yet, oldest registration first, then owners recorded ``unfunded``
    or ``unavailable`` at least ``recheck_after`` blocks before the final block, longest
    unchecked first; ``limit`` per pass in all."""

    def __init__(
        self,
        engine: Engine,
        chain_id: int,
        source: FundingSource,
        limit: int,
        recheck_after: int = RECHECK_AFTER,
    ) -> None:
        self.engine = engine
        self.chain_id = chain_id
        self.source = source
        self.limit = limit
        self.recheck_after = recheck_after

    def pending(self, final: int) -> list[str]:
        """Owners never looked up (at most ``limit``)."""
        known = exists().where(
            and_(
                owner_fundings.c.chain_id == identities.c.chain_id,
                owner_fundings.c.owner == identities.c.owner,
            )
        )
        query = (
            select(identities.c.owner, identities.c.registered_block)
            .where(
                identities.c.chain_id == self.chain_id,
                identities.c.registered_block <= final,
                ~known,
            )
            .order_by(identities.c.registered_block, identities.c.owner)
        )
        seen: list[str] = []
        with self.engine.connect() as conn:
            for owner, _ in conn.execute(query):
                if owner not in seen:
                    seen.append(owner)
                if len(seen) >= self.limit:
                    break
        return seen

    def due(self, final: int, limit: int) -> list[str]:
        """Owners recorded ``unfunded`` or ``unavailable`` whose last lookup is ``recheck_after``
        blocks or more below ``final`` (at most ``limit``, longest unchecked first)."""
        if limit <= 0:
            return []
        t = owner_fundings
        query = (
            select(t.c.owner)
            .where(
                t.c.chain_id == self.chain_id,
                t.c.status.in_((UNFUNDED, UNAVAILABLE)),
                t.c.checked_block <= final - self.recheck_after,
            )
            .order_by(t.c.checked_block, t.c.owner)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [str(owner) for (owner,) in conn.execute(query)]

    def run(self, final: int) -> int:
        """One pass's lookups; returns how many owners were recorded (new or rechecked)."""
        if self.limit <= 0 or final < 0:
            return 0
        done = 0
        batch: list[dict[str, Any]] = []
        fresh = self.pending(final)
        for owner in fresh:
            batch.append(self.source.first_funding(owner, final).row(self.chain_id))
            if len(batch) >= COMMIT_EVERY:
                done += self._write(batch)
        done += self._write(batch)
        again = 0
        for owner in self.due(final, self.limit - len(fresh)):
            batch.append(self.source.first_funding(owner, final).row(self.chain_id))
            if len(batch) >= COMMIT_EVERY:
                again += self._write(batch, replace=True)
        again += self._write(batch, replace=True)
        if done or again:
            log.info("fundings recorded", owners=done, rechecked=again, final=final)
        return done + again

    def _write(self, batch: list[dict[str, Any]], replace: bool = False) -> int:
        """Commits the lookups so far (and empties ``batch``): a crash loses at most a batch.
        ``replace``: the owners have rows (a recheck); each is replaced in the same
        transaction, so a reader sees the old lookup or the new one, never neither."""
        if not batch:
            return 0
        with self.engine.begin() as conn:
            if replace:
                conn.execute(
                    delete(owner_fundings).where(
                        owner_fundings.c.chain_id == self.chain_id,
                        owner_fundings.c.owner.in_([row["owner"] for row in batch]),
                    )
                )
            conn.execute(insert(owner_fundings), batch)
        count = len(batch)
        batch.clear()
        return count
