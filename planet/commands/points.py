"""``planet points``: prove a contribution on chain, and read contribution points.

``submit`` signs in to the API with the wallet, asks it to attest one of the wallet's own
activities (a post, a comment, a live session hosted, an attributed trade), and sends the
signed attestation to ``ContributionPoints.attest`` from the same wallet: points are only ever
recorded by their own account.
"""

from __future__ import annotations

from typing import Any

import click

from planet.chain.transactions import Sent
from planet.commands.api_client import PlanetApi
from planet.commands.session import (
    CommandError,
    Session,
    address_argument,
    api_option,
    chain_options,
    own_address,
    wallet_options,
)
from planet.core.epochs import EpochCalendar

ACTIVITIES = ("post", "comment", "live", "trade")


@click.group("points")
def points_cli() -> None:
    """Contribution points: submit an attestation, show an account's points."""


@points_cli.command("submit")
@click.argument("activity", type=click.Choice(ACTIVITIES))
@click.argument("activity_id", type=click.IntRange(min=1), metavar="ID")
@api_option
@wallet_options
def submit(session: Session, activity: str, activity_id: int, api: str) -> None:
    """Has the API attest your ACTIVITY ID and records it on chain from your wallet."""
    client = PlanetApi(api, session.network.chain_id)
    try:
        client.sign_in(session.wallet)
        signed = client.call(
            "POST", "/attestations", json={"activity": activity, "id": activity_id}
        )
    finally:
        client.close()
    if signed["status"] == "recorded":
        raise CommandError(f"{activity} {activity_id} is already recorded on chain")
    if signed["status"] in ("expired", "revoked"):
        raise CommandError(f"the attestation of {activity} {activity_id} is {signed['status']}")
    c = signed["contribution"]
    sent = send_attestation(
        session,
        signed,
        f"Record {c['amount']} points for {activity} {activity_id}",
        [
            f"kind       {signed['kind_name']}",
            f"epoch      {c['epoch']}",
            f"points     {c['amount']}",
        ],
    )
    session.result(
        {
            "tx_hash": sent.tx_hash,
            "url": sent.url,
            "activity": activity,
            "id": activity_id,
            "points": c["amount"],
            "epoch": c["epoch"],
        }
    )


def send_attestation(
    session: Session, signed: dict[str, Any], action: str, details: list[str]
) -> Sent:
    """Sends an attestation the API signed (``POST /attestations...``'s answer) to
    ``ContributionPoints.attest`` from the session's wallet, once the API is seen to sign for
    the manifest's points contract."""
    points = session.contract("ContributionPoints")
    if signed["points_contract"].lower() != points.address.lower():
        raise CommandError(
            f"the API signs for points contract {signed['points_contract']}, the manifest names "
            f"{points.address}: they serve different deployments"
        )
    c = signed["contribution"]
    contribution = (
        c["account"],
        c["kind"],
        c["amount"],
        c["epoch"],
        bytes.fromhex(c["uid"][2:]),
        c["deadline"],
    )
    call = points.functions.attest(contribution, bytes.fromhex(signed["signature"][2:]))
    return session.transact(action, call, details=details)


@points_cli.command("show")
@click.argument("account", required=False, metavar="[ADDRESS]")
@click.option("--epoch", type=click.IntRange(min=0), help="One week (default: the current one).")
@chain_options
def show(session: Session, account: str | None, epoch: int | None) -> None:
    """ADDRESS's points (default: your wallet's): all time and in one week."""
    who = address_argument(account) or own_address(session, "ADDRESS")
    points = session.contract("ContributionPoints")
    calendar = EpochCalendar(session.manifest.genesis)
    week = epoch if epoch is not None else calendar.epoch_at(max(session.now(), calendar.genesis))
    total = int(session.read("points", points.functions.balanceOf(who).call))
    in_week = int(session.read("points", points.functions.epochBalanceOf(who, week).call))
    session.say(f"{who}: {total} points in all, {in_week} in epoch {week}")
    data: dict[str, Any] = {"account": who, "total": total, "epoch": week, "epoch_points": in_week}
    session.result(data)
