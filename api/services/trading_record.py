"""A creator's attested trading record: the round trips of the trades they disclosed, each
committed on chain by an attestation whose uid is the hash of the trade's content.

What counts (each is a rule the tests state):

* Fills of the creator's *own* orders (trader = creator, ``attributed = false``) placed from
  their own **public** posts that carry the ``holds_position`` disclosure. A private post is
  disclosed to its pass holders only: its trades are part of what the pass sells, and a public
  record of them would hand non-holders the call (instrument, side, time) the pass gates. A
  record must also be checkable by anyone, from public material.
* Only fills on the exchanges this server attests (``PLANET_API_ATTESTED_EXCHANGES``, default
  ``okx``): a paper fill costs nothing, so a record of paper trades proves nothing.
* Round trips, canonical content and uids: :mod:`planet.core.trading_record`.

Attesting an entry (:func:`attest`): the creator asks for one entry by its uid; the API signs a
``Contribution`` of kind ``KIND_RECORD`` (6), amount 1 (the contract refuses 0), epoch = the
week the trade closed, uid = the entry's uid. The formula leaves kind 6 out of the week's points
(:mod:`planet.rewards.inputs`): one's own trades never earn rewards. Entries are attested in
order: an entry whose predecessor has no attestation answers 409 ``record_out_of_order`` (with
the hash chain of ``prev_uid`` this makes a record with a losing trade left out visible at once).
The stored row is ``api_attestations`` with ``activity = "record"`` and the trade's closing fill
as ``activity_id``; a signed entry whose deadline passed, or that a rotated attester key signed,
is signed again on request (same uid, a fresh deadline).

Statuses: ``unattested``; ``signed`` (signed, not on chain yet); ``expired`` (signed, deadline
passed: ask again); ``recorded`` (the indexer mirrored it); ``revoked`` (the risk role revoked it).
Caveat: if a fill arrives late with an earlier time, the round trips after it are computed
anew and their uids change; an entry attested before keeps its uid on chain, and the record
shows its new content as ``unattested``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from eth_utils import to_checksum_address
from sqlalchemy import Connection, RowMapping, select, true

from api.errors import ApiError, ErrorCode, Forbidden, NotFound, Unavailable, Unprocessable
from api.services.attestations import Attestation, status_of
from api.services.chain import ChainContext
from api.services.identities import Identity
from api.settings import ApiSettings
from planet.core import logs
from planet.core.epochs import EpochError
from planet.core.trading_record import (
    FORMAT,
    OpenPosition,
    RecordFill,
    average,
    entry_contents,
    plain,
    round_trips,
)
from planet.core.typed_data import KIND_RECORD, RECORD_AMOUNT, Contribution, sign_contribution
from planet.store.mirror import attestations as recorded
from planet.store.offchain import contribution_attestations, fills, orders, posts
from planet.store.sql import insert_ignore

ACTIVITY = "record"
EntryStatus = Literal["unattested", "signed", "expired", "recorded", "revoked"]
log = logs.get("api.trading_record")


@dataclass(frozen=True)
class Entry:
    content: dict[str, Any]
    uid: str
    closing_fill_id: int
    status: EntryStatus
    attestation: RowMapping | None  # the stored signed attestation, if any
    tx_hash: str | None  # the attest transaction, once recorded


@dataclass(frozen=True)
class Record:
    identity: Identity
    exchanges: tuple[str, ...]
    entries: list[Entry]
    open_positions: list[OpenPosition]


def _fills(
    conn: Connection, chain_id: int, token_id: int, exchanges: Iterable[str]
) -> list[RecordFill]:
    """The creator's own fills on their public ``holds_position`` posts (one query)."""
    query = (
        select(
            fills.c.id,
            fills.c.exchange,
            orders.c.instrument,
            orders.c.side,
            fills.c.price,
            fills.c.size,
            fills.c.filled_at,
            fills.c.post_id,
        )
        .select_from(
            fills.join(orders, orders.c.id == fills.c.order_id).join(
                posts, posts.c.id == fills.c.post_id
            )
        )
        .where(
            fills.c.chain_id == chain_id,
            fills.c.trader_token_id == token_id,
            fills.c.creator_token_id == token_id,
            fills.c.exchange.in_(tuple(exchanges)),
            posts.c.author_token_id == token_id,
            posts.c.visibility == "public",
            posts.c.holds_position == true(),
        )
    )
    return [
        RecordFill(
            id=int(r.id),
            exchange=r.exchange,
            instrument=r.instrument,
            side=r.side,
            price=Decimal(r.price),
            size=Decimal(r.size),
            filled_at=int(r.filled_at),
            post_id=int(r.post_id),
        )
        for r in conn.execute(query)
    ]


def _entrystatus_of(conn: Connection, row: RowMapping | None, now: int) -> EntryStatus:
    if row is None:
        return "unattested"
    status = status_of(conn, row, now)
    return "signed" if status == "pending" else status


def of(
    conn: Connection, settings: ApiSettings, chain_id: int, identity: Identity, now: int
) -> Record:
    """The creator's record, every closed trade with its attestation status."""
    exchanges = tuple(sorted(settings.attested_exchanges))
    trades, still_open = round_trips(_fills(conn, chain_id, identity.token_id, exchanges))
    contents = entry_contents(chain_id, identity.token_id, trades)
    t = contribution_attestations
    stored = {
        row["uid"]: row
        for row in conn.execute(
            select(t).where(
                t.c.chain_id == chain_id,
                t.c.token_id == identity.token_id,
                t.c.activity == ACTIVITY,
            )
        ).mappings()
    }
    uids = [c["uid"] for c in contents if c["uid"] in stored]
    txs = dict(
        conn.execute(
            select(recorded.c.uid, recorded.c.tx_hash).where(
                recorded.c.chain_id == chain_id, recorded.c.uid.in_(uids)
            )
        ).all()
    )
    entries = []
    for trade, item in zip(trades, contents, strict=True):
        row = stored.get(item["uid"])
        entries.append(
            Entry(
                content=item["content"],
                uid=item["uid"],
                closing_fill_id=trade.closing_fill_id,
                status=_entrystatus_of(conn, row, now),
                attestation=row,
                tx_hash=txs.get(item["uid"]),
            )
        )
    return Record(identity, exchanges, entries, still_open)


def attest(
    conn: Connection,
    settings: ApiSettings,
    chain: ChainContext,
    identity: Identity,
    uid: str,
    now: int,
) -> tuple[Attestation, bool]:
    """The signed attestation of the caller's record entry ``uid``; True if signed just now."""
    attester, calendar = settings.attester, chain.calendar
    if attester is None or chain.points_address is None or calendar is None:
        raise Unavailable(
            "attestations are not configured on this server (attester key, points contract "
            "and genesis are needed)",
            code=ErrorCode.ATTESTATIONS_UNAVAILABLE,
        )
    record = of(conn, settings, chain.chain_id, identity, now)
    uid = uid.lower()
    found = [i for i, e in enumerate(record.entries) if e.uid == uid]
    if not found:
        if _someone_elses(conn, chain.chain_id, uid, identity.token_id):
            raise Forbidden(f"record entry {uid} is not yours", code=ErrorCode.NOT_YOUR_ACTIVITY)
        raise NotFound(
            f"your trading record has no entry {uid} (GET /profiles/{identity.handle}/"
            "trading-record lists the entries and their uids)"
        )
    index = found[0]
    entry = record.entries[index]
    if index > 0 and record.entries[index - 1].status == "unattested":
        raise ApiError(
            f"entry {entry.content['seq']} of your record follows entry {index}, which is not "
            "attested yet: attest your entries in order",
            status=409,
            code=ErrorCode.RECORD_OUT_OF_ORDER,
        )
    t = contribution_attestations
    stored = (
        conn.execute(
            select(t).where(
                t.c.chain_id == chain.chain_id,
                t.c.activity == ACTIVITY,
                t.c.activity_id == entry.closing_fill_id,
            )
        )
        .mappings()
        .one_or_none()
    )
    if stored is not None and stored["uid"] != uid:
        raise ApiError(
            f"the trade closed by fill {entry.closing_fill_id} was attested as {stored['uid']}, "
            "with other content (a fill arrived late and changed the round trip)",
            status=409,
            code=ErrorCode.RECORD_CHANGED,
        )
    try:
        epoch = calendar.epoch_at(entry.content["exit_time"])
    except EpochError:
        raise Unprocessable(
            f"record entry {uid} closed before the points calendar began",
            code=ErrorCode.ACTIVITY_BEFORE_GENESIS,
        ) from None
    if stored is not None:
        status = _entrystatus_of(conn, stored, now)
        stale = stored["attester"].lower() != attester.address.lower()
        if status == "expired" or (status == "signed" and stale):
            stored = _sign(conn, settings, chain, identity, entry, epoch, now, update=True)
        return Attestation(stored, status_of(conn, stored, now)), False
    row = _sign(conn, settings, chain, identity, entry, epoch, now, update=False)
    return Attestation(row, status_of(conn, row, now)), True


def _sign(
    conn: Connection,
    settings: ApiSettings,
    chain: ChainContext,
    identity: Identity,
    entry: Entry,
    epoch: int,
    now: int,
    *,
    update: bool,
) -> RowMapping:
    attester = settings.attester
    assert attester is not None and chain.points_address is not None
    contribution = Contribution(
        account=to_checksum_address(identity.owner),
        kind=KIND_RECORD,
        amount=RECORD_AMOUNT,
        epoch=epoch,
        uid=bytes.fromhex(entry.uid[2:]),
        deadline=now + settings.attestation_ttl,
    )
    signature = (
        "0x" + sign_contribution(attester, contribution, chain.chain_id, chain.points_address).hex()
    )
    t = contribution_attestations
    if update:
        conn.execute(
            t.update()
            .where(t.c.chain_id == chain.chain_id, t.c.uid == entry.uid)
            .values(
                account=identity.owner,
                attester=attester.address,
                signature=signature,
                deadline=contribution.deadline,
                points_contract=chain.points_address,
            )
        )
        log.info("record_entry_signed_again", uid=entry.uid)
    else:
        insert_ignore(
            conn,
            t,
            {
                "chain_id": chain.chain_id,
                "uid": entry.uid,
                "activity": ACTIVITY,
                "activity_id": entry.closing_fill_id,
                "token_id": identity.token_id,
                "account": identity.owner,
                "kind": KIND_RECORD,
                "amount": RECORD_AMOUNT,
                "epoch": epoch,
                "deadline": contribution.deadline,
                "points_contract": chain.points_address,
                "attester": attester.address,
                "signature": signature,
                "created_at": now,
            },
        )
    row = (
        conn.execute(select(t).where(t.c.chain_id == chain.chain_id, t.c.uid == entry.uid))
        .mappings()
        .one()
    )
    return row


def _someone_elses(conn: Connection, chain_id: int, uid: str, token_id: int) -> bool:
    t = contribution_attestations
    owner = conn.execute(
        select(t.c.token_id).where(
            t.c.chain_id == chain_id, t.c.uid == uid, t.c.activity == ACTIVITY
        )
    ).scalar()
    return owner is not None and owner != token_id


def export(record: Record, chain: ChainContext, now: int) -> dict[str, Any]:
    """The file anyone checks against the chain (``planet record verify``): each entry's content
    (what its uid hashes), its uid, and what the attestation says on chain."""
    return {
        "format": FORMAT,
        "uid_rule": "keccak256(utf8(format) || 0x00 || canonical_json(content)); canonical_json: "
        "keys sorted, no whitespace, ASCII escapes",
        "chain_id": record.identity.chain_id,
        "points_contract": chain.points_address,
        "kind": KIND_RECORD,
        "creator": {
            "handle": record.identity.handle,
            "token_id": record.identity.token_id,
            "account": to_checksum_address(record.identity.owner),
        },
        "exchanges": list(record.exchanges),
        "exported_at": now,
        "entries": [
            {
                "uid": e.uid,
                "status": e.status,
                "account": to_checksum_address(e.attestation["account"])
                if e.attestation is not None
                else None,
                "epoch": e.attestation["epoch"] if e.attestation is not None else None,
                "tx_hash": e.tx_hash,
                "content": e.content,
            }
            for e in record.entries
        ],
    }


CSV_COLUMNS = (
    "seq",
    "exchange",
    "instrument",
    "side",
    "size",
    "entry_price",
    "entry_time",
    "exit_price",
    "exit_time",
    "result",
    "return_pct",
    "uid",
    "status",
    "tx_hash",
)


def csv_rows(record: Record) -> list[list[str]]:
    """One row per entry (the JSON file is what verifies; the CSV is for spreadsheets)."""
    return [
        [
            *(str(e.content[c]) for c in CSV_COLUMNS[:11]),
            e.uid,
            e.status,
            e.tx_hash or "",
        ]
        for e in record.entries
    ]


def open_out(position: OpenPosition) -> dict[str, Any]:
    return {
        "exchange": position.exchange,
        "instrument": position.instrument,
        "side": position.side,
        "size": plain(position.size),
        "entry_price": average(position.entry_notional, position.size),
        "entry_time": position.entry_time,
    }
