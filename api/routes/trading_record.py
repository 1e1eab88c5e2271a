"""A creator's attested trading record: read it (public) and export it (its entries are
attested with ``POST /attestations/trading-record``)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from api.deps import Chain, Conn, Now, Settings
from api.errors import responses
from api.params import HandleOrAddress
from api.services import profiles, trading_record
from api.services.trading_record import EntryStatus

router = APIRouter(tags=["trading record"])


class EntryContent(BaseModel):
    """What an entry's uid hashes (``planet.core.trading_record``). Decimals are strings."""

    format: str
    chain_id: int
    creator_token_id: int
    seq: int = Field(description="Place in the record, from 1, in the order trades closed")
    prev_uid: str = Field(description="The uid of entry seq - 1 (zero for the first)")
    exchange: str
    instrument: str
    side: Literal["buy", "sell"] = Field(description="buy: a long trade; sell: a short one")
    size: str
    entry_notional: str
    entry_price: str = Field(description="Average entry price, 8 decimal places at most")
    entry_time: int = Field(description="Unix seconds of the first entry fill")
    exit_notional: str
    exit_price: str
    exit_time: int = Field(description="Unix seconds of the fill that closed the trade")
    result: str = Field(description="Gross result in the quote currency, before fees")
    return_pct: str = Field(description="result / entry_notional x 100, 8 decimal places")
    post_ids: list[int] = Field(description="The public holds_position posts it came from")
    fill_ids: list[int]


class EntryOut(BaseModel):
    uid: str = Field(description="keccak256 of the content (see uid_rule): the attestation uid")
    status: EntryStatus
    account: str | None = Field(description="The account the attestation credits, once signed")
    epoch: int | None = Field(description="The attestation's epoch (the week the trade closed)")
    tx_hash: str | None = Field(description="The attest transaction, once recorded")
    content: EntryContent


class CreatorOut(BaseModel):
    handle: str
    token_id: int
    account: str


class OpenPositionOut(BaseModel):
    exchange: str
    instrument: str
    side: str
    size: str
    entry_price: str
    entry_time: int


class TradingRecordOut(BaseModel):
    """The record, and the file ``?format=json`` downloads: ``planet record verify FILE``
    recomputes each uid from ``content`` and checks ``ContributionPoints`` for it."""

    format: str
    uid_rule: str
    chain_id: int
    points_contract: str | None
    kind: int = Field(description="The attestations' kind on chain (6: trading record)")
    creator: CreatorOut
    exchanges: list[str] = Field(description="The exchanges whose fills the record counts")
    exported_at: int
    entries: list[EntryOut]
    open_positions: list[OpenPositionOut] = Field(default_factory=list)


_CSV = {"text/csv": {"schema": {"type": "string"}}}


@router.get(
    "/profiles/{handle_or_address}/trading-record",
    response_model=TradingRecordOut,
    responses={200: {"content": _CSV}, **responses(404)},
)
def get_trading_record(
    handle_or_address: HandleOrAddress,
    conn: Conn,
    settings: Settings,
    chain: Chain,
    moment: Now,
    format: Literal["json", "csv"] | None = Query(
        default=None,
        description="Download as a file: json (what `planet record verify` checks) or csv",
    ),
) -> Any:
    """The trades the creator disclosed (own fills on their public ``holds_position`` posts, on
    the exchanges this server attests), as closed round trips with each one's attestation
    status. Public: nothing of a post's text, and nothing from private posts."""
    identity = profiles.find_identity(conn, chain.chain_id, handle_or_address)
    record = trading_record.of(conn, settings, chain.chain_id, identity, moment)
    body = trading_record.export(record, chain, moment)
    body["open_positions"] = [trading_record.open_out(p) for p in record.open_positions]
    name = re.sub(r"[^a-z0-9_]", "_", identity.handle.lower()) or str(identity.token_id)
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(trading_record.CSV_COLUMNS)
        writer.writerows(trading_record.csv_rows(record))
        return Response(
            out.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}-trading-record.csv"'},
        )
    out_model = TradingRecordOut.model_validate(body)
    if format == "json":
        return Response(
            out_model.model_dump_json(indent=2),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}-trading-record.json"'},
        )
    return out_model
