"""``planet moderation``: the risk role's review of reported content, from a wallet holding
ContributionPoints' RISK_ROLE (the API checks the role as the indexer mirrored it).

``queue`` lists reported content awaiting a decision; ``hide``, ``restore`` and ``dismiss``
record a decision with its reason; ``revoke`` records one and sends ``revoke(uid, reason)`` for
each attestation the content earned, from the same wallet; ``decisions`` reads the log (or, with
``--mine``, the decisions about your own content).
"""

from __future__ import annotations

from typing import Any

import click

from api.services.moderation import KINDS, LABELS
from planet.commands.api_client import PlanetApi
from planet.commands.session import CommandError, Session, api_option, wallet_options

KIND = click.Choice(KINDS)
TARGET = click.IntRange(min=1, max=2**63 - 1)
REASON = click.option(
    "--reason", required=True, help="Why: kept in the log, and shown to the content's author."
)


@click.group("moderation")
def moderation_cli() -> None:
    """Reported content: the risk role's queue and decisions."""


def _signed_in(session: Session, api: str) -> PlanetApi:
    client = PlanetApi(api, session.network.chain_id)
    try:
        client.sign_in(session.wallet)
    except Exception:
        client.close()
        raise
    return client


def _ask(session: Session, api: str, method: str, path: str, **kwargs: Any) -> Any:
    client = _signed_in(session, api)
    try:
        return client.call(method, path, **kwargs)
    finally:
        client.close()


def _one_line(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@moderation_cli.command("queue")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@api_option
@wallet_options
def queue(session: Session, api: str, limit: int) -> None:
    """Reported content awaiting a decision, oldest report first."""
    page = _ask(session, api, "GET", "/moderation/queue", params={"limit": limit})
    if not page["items"]:
        session.say("Nothing awaits a decision.")
    for item in page["items"]:
        target = item["target"]
        reasons = ", ".join(f"{r} x{n}" for r, n in sorted(item["reasons"].items()))
        state = f" [hidden: {target['moderation_label']}]" if target["moderation_label"] else ""
        session.say(
            f"{target['kind']} {target['id']}{state}: {item['reports']} report(s) ({reasons})"
        )
        session.say(f"    {_one_line(target['text'])}")
    session.result(page)


def _decide(
    session: Session, api: str, action: str, kind: str, target_id: int, **extra: Any
) -> Any:
    body = {"action": action, "kind": kind, "target_id": target_id, **extra}
    decision = _ask(session, api, "POST", "/moderation/decisions", json=body)
    label = f" ({decision['label']})" if decision["label"] else ""
    session.say(f"Decision {decision['id']}: {action} {kind} {target_id}{label}")
    return decision


@moderation_cli.command("hide")
@click.argument("kind", type=KIND)
@click.argument("target_id", type=TARGET, metavar="ID")
@click.option("--label", type=click.Choice(LABELS), required=True, help="Shown to everyone.")
@REASON
@api_option
@wallet_options
def hide(session: Session, api: str, kind: str, target_id: int, label: str, reason: str) -> None:
    """Hides KIND ID under a label everyone sees in place of its text."""
    session.result(_decide(session, api, "hide", kind, target_id, label=label, reason=reason))


@moderation_cli.command("restore")
@click.argument("kind", type=KIND)
@click.argument("target_id", type=TARGET, metavar="ID")
@REASON
@api_option
@wallet_options
def restore(session: Session, api: str, kind: str, target_id: int, reason: str) -> None:
    """Shows hidden KIND ID again."""
    session.result(_decide(session, api, "restore", kind, target_id, reason=reason))


@moderation_cli.command("dismiss")
@click.argument("kind", type=KIND)
@click.argument("target_id", type=TARGET, metavar="ID")
@REASON
@api_option
@wallet_options
def dismiss(session: Session, api: str, kind: str, target_id: int, reason: str) -> None:
    """Closes the reports of KIND ID with no action."""
    session.result(_decide(session, api, "dismiss", kind, target_id, reason=reason))


@moderation_cli.command("revoke")
@click.argument("kind", type=click.Choice(("post", "comment")))
@click.argument("target_id", type=TARGET, metavar="ID")
@REASON
@api_option
@wallet_options
def revoke(session: Session, api: str, kind: str, target_id: int, reason: str) -> None:
    """Revokes on chain every attestation KIND ID earned (its own, and for a post those of the
    trades attributed to it), from your wallet: it must hold RISK_ROLE."""
    points = session.contract("ContributionPoints")
    decision = _decide(session, api, "revoke", kind, target_id, reason=reason)
    sent = []
    for tx in decision["revocations"]:
        if tx["to"].lower() != points.address.lower():
            raise CommandError(
                f"the API names points contract {tx['to']}, the manifest {points.address}: "
                "they serve different deployments"
            )
        done = session.transact(
            f"Revoke attestation {tx['uid'][:10]}… ({tx['activity']} {tx['activity_id']})",
            points.functions.revoke(bytes.fromhex(tx["uid"][2:]), reason),
            details=[
                f"account    {tx['account']}",
                f"epoch      {tx['epoch']}",
                f"points     {tx['amount']}",
            ],
        )
        sent.append({"uid": tx["uid"], "tx_hash": done.tx_hash, "url": done.url})
    session.result({"decision": decision, "sent": sent})


@moderation_cli.command("decisions")
@click.option("--mine", is_flag=True, help="Only the decisions about your own content.")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@api_option
@wallet_options
def decisions(session: Session, api: str, mine: bool, limit: int) -> None:
    """The decision log, newest first: who decided what, and why."""
    path = "/moderation/decisions/mine" if mine else "/moderation/decisions"
    page = _ask(session, api, "GET", path, params={"limit": limit})
    if not page["items"]:
        session.say("No decision yet.")
    for d in page["items"]:
        label = f" ({d['label']})" if d["label"] else ""
        landed = ""
        if d.get("uids"):
            landed = (
                f" [{len(d.get('revoked_on_chain') or [])} of {len(d['uids'])} revoked on chain]"
            )
        session.say(
            f"{d['created_at']}  {d['action']}{label} {d['kind']} {d['target_id']} by "
            f"{d['decided_by']}: {_one_line(d['reason'], 60)}{landed}"
        )
    session.result(page)
