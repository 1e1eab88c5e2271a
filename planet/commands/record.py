"""``planet record``: a creator's attested trading record.

``verify FILE`` is for anyone: it reads a record exported by the API
(``GET /profiles/<handle>/trading-record?format=json``), recomputes every entry's uid from its
content (:func:`planet.core.trading_record.entry_uid`) and asks ``ContributionPoints`` on chain
for it, trusting nothing of Planet's database. It fails (exit status 1) when an entry's content
does not hash to its uid, when the hash chain (``seq``, ``prev_uid``) is broken, when an entry
the file calls recorded is not on chain, or is on chain for another account, kind or week, or
revoked, and when an entry is missing from the chain while a later one is on it (a gap: a trade
left out of what was attested). Entries after the last one on chain are reported as not attested
yet; ``--all`` makes them a failure too.

``attest SEQ`` is for the creator: it has the API sign entry SEQ of their record and sends it to
``ContributionPoints.attest`` from their wallet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from eth_utils import to_checksum_address

from planet.commands.api_client import PlanetApi
from planet.commands.points import send_attestation
from planet.commands.session import CommandError, Session, api_option, chain_options, wallet_options
from planet.core.epochs import EpochCalendar, EpochError
from planet.core.trading_record import FORMAT, ZERO_UID, RecordFormatError, entry_uid
from planet.core.typed_data import KIND_RECORD


@click.group("record")
def record_cli() -> None:
    """A creator's attested trading record: verify an exported file, attest an entry."""


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise CommandError(f"cannot read {path}: {err.strerror or err}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CommandError(f"{path} is not a JSON file: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise CommandError(f"{path} is not a {FORMAT} file (format: {found!r})")
    for key, kind in (("chain_id", int), ("creator", dict), ("entries", list)):
        if not isinstance(data.get(key), kind):
            raise CommandError(f"{path}: `{key}` is missing or not a {kind.__name__}")
    if not isinstance(data["creator"].get("account"), str):
        raise CommandError(f"{path}: `creator.account` is missing")
    return data


def _check_entry(
    position: int, entry: Any, prev: str, data: dict[str, Any]
) -> tuple[str, list[str]]:
    """The uid ``entry``'s content hashes to, and what is wrong with it as a link of the file."""
    if not isinstance(entry, dict) or not isinstance(entry.get("content"), dict):
        return "", [f"entry {position}: no `content` object"]
    content = entry["content"]
    try:
        uid = entry_uid(content)
    except RecordFormatError as err:
        return "", [f"entry {position}: {err}"]
    problems = []
    if entry.get("uid") != uid:
        problems.append(
            f"entry {position}: its content hashes to {uid}, the file says {entry.get('uid')} "
            "(the content was altered)"
        )
    if content["seq"] != position:
        problems.append(f"entry {position}: seq is {content['seq']}")
    if content["prev_uid"] != prev:
        problems.append(
            f"entry {position}: prev_uid is {content['prev_uid']}, the entry before hashes to "
            f"{prev} (an entry was removed, added or reordered)"
        )
    if content["chain_id"] != data["chain_id"]:
        problems.append(f"entry {position}: for chain {content['chain_id']}")
    token = data["creator"].get("token_id")
    if content["creator_token_id"] != token:
        problems.append(f"entry {position}: of identity {content['creator_token_id']}, not {token}")
    return uid, problems


def _on_chain(
    points: Any, session: Session, uid: str, account: str, calendar: EpochCalendar, exit_time: int
) -> tuple[str, list[str]]:
    """(``recorded`` / ``revoked`` / ``missing``, problems) for ``uid`` in ContributionPoints."""
    raw = bytes.fromhex(uid[2:])
    if not session.read("points", points.functions.isUsed(raw).call):
        return "missing", []
    holder, _amount, epoch, kind, revoked = session.read(
        "points", points.functions.record(raw).call
    )
    problems = []
    if to_checksum_address(holder) != account:
        problems.append(f"it credits {to_checksum_address(holder)}, not the creator {account}")
    if int(kind) != KIND_RECORD:
        problems.append(f"its kind is {kind}, not {KIND_RECORD} (a trading-record entry)")
    try:
        week = calendar.epoch_at(exit_time)
    except EpochError:
        week = None
    if week is not None and int(epoch) != week:
        problems.append(f"its epoch is {epoch}, the trade closed in epoch {week}")
    return ("revoked" if revoked else "recorded"), problems


def _loaded(
    _ctx: click.Context, _param: click.Parameter, path: Path
) -> tuple[Path, dict[str, Any]]:
    """Reads FILE while click parses the arguments, so a bad file is named before (and without)
    connecting to the RPC."""
    try:
        return path, _load(path)
    except CommandError as err:
        raise click.ClickException(str(err)) from None


@record_cli.command("verify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), callback=_loaded)
@click.option("--all", "require_all", is_flag=True, help="Fail unless every entry is on chain.")
@chain_options
def verify(session: Session, file: tuple[Path, dict[str, Any]], require_all: bool) -> None:
    """Checks every entry of an exported trading record FILE against the chain."""
    path, data = file
    if data["chain_id"] != session.network.chain_id:
        raise CommandError(
            f"{path} is a record of chain {data['chain_id']}; the RPC is chain "
            f"{session.network.chain_id}"
        )
    points = session.contract("ContributionPoints")
    named = data.get("points_contract")
    if named and str(named).lower() != points.address.lower():
        raise CommandError(
            f"{path} names points contract {named}, the manifest {points.address}: "
            "different deployments"
        )
    try:
        account = to_checksum_address(data["creator"]["account"])
    except ValueError:
        raise CommandError(f"{path}: creator.account is not an address") from None
    calendar = EpochCalendar(session.manifest.genesis)
    problems: list[str] = []
    states: list[str] = []
    prev = ZERO_UID
    for position, entry in enumerate(data["entries"], start=1):
        uid, wrong = _check_entry(position, entry, prev, data)
        problems += wrong
        if not uid:
            states.append("unreadable")
            continue
        content = entry["content"]
        state, wrong = _on_chain(points, session, uid, account, calendar, content["exit_time"])
        problems += [f"entry {position} on chain: {w}" for w in wrong]
        if state == "revoked":
            problems.append(f"entry {position}: its attestation was revoked on chain")
        if state == "missing" and entry.get("status") in ("recorded", "revoked"):
            problems.append(
                f"entry {position}: the file says {entry['status']}, the chain has no {uid}"
            )
        states.append(state)
        session.say(
            f"entry {position}: {content['instrument']} {content['side']} {content['size']} "
            f"{content['entry_price']} -> {content['exit_price']}, result {content['result']} "
            f"on {content['exchange']}: {state if state != 'missing' else 'not on chain'}"
        )
        prev = uid
    last_on_chain = max(
        (i for i, s in enumerate(states) if s in ("recorded", "revoked")), default=-1
    )
    gaps = [i + 1 for i, s in enumerate(states[:last_on_chain]) if s == "missing"]
    if gaps:
        problems.append(
            f"entries {', '.join(map(str, gaps))} are not on chain while a later entry is: "
            "the attested record has gaps"
        )
    pending = len(states) - 1 - last_on_chain
    if pending and require_all:
        problems.append(f"{pending} entr{'y is' if pending == 1 else 'ies are'} not on chain yet")
    for line in problems:
        click.echo(f"  {line}", err=True)
    verified = sum(1 for s in states if s == "recorded")
    session.result(
        {
            "file": str(path),
            "entries": len(states),
            "recorded": verified,
            "not_attested_yet": pending,
            "problems": problems,
        }
    )
    if problems:
        raise CommandError(f"{path} does not verify: {len(problems)} problem(s), listed above")
    session.say(
        f"{path}: {verified} of {len(states)} entries verified on chain"
        + (f"; the last {pending} not attested yet" if pending else "")
    )


@record_cli.command("attest")
@click.argument("seq", type=click.IntRange(min=1))
@api_option
@wallet_options
def attest(session: Session, seq: int, api: str) -> None:
    """Has the API sign entry SEQ of your trading record and records it from your wallet."""
    client = PlanetApi(api, session.network.chain_id)
    try:
        client.sign_in(session.wallet)
        record = client.call("GET", f"/profiles/{session.address}/trading-record")
        entries = record["entries"]
        if seq > len(entries):
            raise CommandError(f"your trading record has {len(entries)} entries, no entry {seq}")
        entry = entries[seq - 1]
        signed = client.call("POST", "/attestations/trading-record", json={"uid": entry["uid"]})
    finally:
        client.close()
    if signed["status"] in ("recorded", "revoked"):
        raise CommandError(f"entry {seq} is already {signed['status']} on chain")
    content = entry["content"]
    sent = send_attestation(
        session,
        signed,
        f"Attest entry {seq} of your trading record",
        [
            f"trade      {content['instrument']} {content['side']} {content['size']}",
            f"result     {content['result']}",
            f"uid        {signed['contribution']['uid']}",
        ],
    )
    session.result(
        {"tx_hash": sent.tx_hash, "url": sent.url, "seq": seq, "uid": signed["contribution"]["uid"]}
    )
