"""``planet identity``: a creator's or fan's on-chain identity from their own wallet.

``register`` mints the soulbound identity with a handle; ``show`` reads one back; ``sync-persona``
puts the hash of the persona saved in the API on chain, so profiles show it verified;
``set-recovery`` names the address that may move the identity if the key is lost, and ``recover``
is what that address sends.
"""

from __future__ import annotations

from typing import Any

import click
from eth_utils import to_checksum_address

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
from planet.core.units import format_time

ZERO = "0x" + "00" * 20
ZERO_HASH = b"\x00" * 32


@click.group("identity")
def identity_cli() -> None:
    """Your on-chain identity: register, show, sync your persona, recovery."""


def _identity(session: Session) -> Any:
    return session.contract("Identity")


def _token_of(session: Session, who: str) -> int:
    """The token id of a handle or an address; 0 when there is none."""
    identity = _identity(session)
    if who.startswith("0x"):
        account = address_argument(who)
        return int(
            session.read(f"the identity of {who}", identity.functions.identityOf(account).call)
        )
    handle = who.removeprefix("@").lower()
    return int(session.read(f"handle @{handle}", identity.functions.tokenOfHandle(handle).call))


def profile_of(session: Session, token_id: int) -> dict[str, Any]:
    identity = _identity(session)
    handle, uri, digest, recovery, verified, labels = session.read(
        f"identity #{token_id}", identity.functions.profile(token_id).call
    )
    owner = session.read(f"the owner of #{token_id}", identity.functions.ownerOf(token_id).call)
    pending, effective_at = session.read(
        f"the scheduled recovery change of #{token_id}",
        identity.functions.pendingRecovery(token_id).call,
    )
    return {
        "pending_recovery": to_checksum_address(pending) if effective_at else None,
        "pending_recovery_at": int(effective_at) or None,
        "token_id": token_id,
        "handle": handle,
        "owner": to_checksum_address(owner),
        "metadata_uri": uri,
        "metadata_hash": "0x" + bytes(digest).hex(),
        "recovery": None if int(recovery, 16) == 0 else to_checksum_address(recovery),
        "verified": bool(verified),
        "labels": int(labels),
    }


@identity_cli.command("register")
@click.argument("handle")
@click.option("--persona-uri", default="", help="Where your persona document lives (optional).")
@click.option("--recovery", help="Address allowed to move the identity if your key is lost.")
@wallet_options
def register(session: Session, handle: str, persona_uri: str, recovery: str | None) -> None:
    """Registers HANDLE (3-32 of a-z, 0-9, _) as your soulbound identity."""
    recovery_address = address_argument(recovery, "address for --recovery") or ZERO
    identity = _identity(session)
    existing = int(
        session.read("your identity", identity.functions.identityOf(session.address).call)
    )
    if existing:
        held = profile_of(session, existing)["handle"]
        raise CommandError(f"{session.address} already holds identity #{existing} (@{held})")
    registration = (handle, persona_uri, ZERO_HASH, recovery_address)
    sent = session.transact(
        f"Register @{handle}",
        identity.functions.register(registration),
        details=[f"handle     @{handle}"]
        + ([f"recovery   {recovery_address}"] if recovery else []),
    )
    token_id = int(
        session.read("your identity", identity.functions.identityOf(session.address).call)
    )
    session.say(f"@{handle} is identity #{token_id}, owned by {session.address}")
    session.result({"tx_hash": sent.tx_hash, "url": sent.url, **profile_of(session, token_id)})


@identity_cli.command("show")
@click.argument("who", required=False, metavar="[HANDLE|ADDRESS]")
@chain_options
def show(session: Session, who: str | None) -> None:
    """Shows an identity by handle or address (default: PLANET_PRIVATE_KEY's address)."""
    who = who or own_address(session, "HANDLE or ADDRESS")
    token_id = _token_of(session, who)
    if token_id == 0:
        raise CommandError(f"no identity for {who}")
    p = profile_of(session, token_id)
    session.say(f"@{p['handle']} (identity #{token_id})")
    session.say(f"  owner      {p['owner']}")
    session.say(f"  verified   {'yes' if p['verified'] else 'no'}")
    session.say(f"  persona    {p['metadata_uri'] or '-'}")
    session.say(f"  hash       {p['metadata_hash']}")
    session.say(f"  recovery   {p['recovery'] or '-'}")
    if p["pending_recovery"]:
        due = format_time(p["pending_recovery_at"])
        session.say(f"  pending    {p['pending_recovery']} from {due} (apply-recovery)")
    if p["labels"]:
        session.say(f"  labels     {p['labels']:#x}")
    session.result(p)


@identity_cli.command("sync-persona")
@api_option
@wallet_options
def sync_persona(session: Session, api: str) -> None:
    """Puts the hash of the persona you saved in the API on chain (persona_verified)."""
    identity = _identity(session)
    token_id = int(
        session.read("your identity", identity.functions.identityOf(session.address).call)
    )
    if token_id == 0:
        raise CommandError(f"{session.address} has no identity: run planet identity register")
    client = PlanetApi(api, session.network.chain_id)
    try:
        profile = client.call("GET", f"/profiles/{session.address}")
    finally:
        client.close()
    digest = profile.get("persona_hash")
    if not digest:
        raise CommandError(
            "you have no persona in the API yet: save one first (PUT /profiles/me/persona)"
        )
    if profile.get("persona_verified"):
        session.say("Your persona's hash is already on chain.")
        session.result({"persona_hash": digest, "persona_verified": True, "tx_hash": None})
        return
    handle = profile_of(session, token_id)["handle"]
    uri = f"{api.rstrip('/')}/profiles/{handle}/persona"
    sent = session.transact(
        f"Set @{handle}'s persona",
        identity.functions.setMetadata(uri, bytes.fromhex(digest.removeprefix("0x"))),
        details=[f"uri        {uri}", f"hash       {digest}"],
    )
    session.result(
        {"tx_hash": sent.tx_hash, "url": sent.url, "metadata_uri": uri, "persona_hash": digest}
    )


@identity_cli.command("set-recovery")
@click.argument("recovery")
@wallet_options
def set_recovery(session: Session, recovery: str) -> None:
    """Names RECOVERY as the address that may move your identity (0x0 removes it): at once if
    none is set, else after the contract's RECOVERY_DELAY."""
    address = address_argument(recovery, "address")
    assert address is not None
    identity = _identity(session)
    sent = session.transact(
        "Set the recovery address",
        identity.functions.setRecovery(address),
        details=[f"recovery   {address}"],
    )
    # A first recovery address takes effect at once; a change to a set one waits the
    # contract's RECOVERY_DELAY (the current recovery address may still act meanwhile).
    token = session.read("your identity", identity.functions.identityOf(session.address).call)
    pending, effective_at = session.read(
        "the scheduled recovery change", identity.functions.pendingRecovery(token).call
    )
    if effective_at:
        session.say(
            f"scheduled: {pending} becomes the recovery address from "
            f"{format_time(int(effective_at))}; then run planet identity apply-recovery"
        )
    session.result(
        {
            "tx_hash": sent.tx_hash,
            "url": sent.url,
            "recovery": address,
            "scheduled": bool(effective_at),
            "effective_at": effective_at or None,
        }
    )


def _token_or_fail(session: Session, who: str | None) -> int:
    """The identity a recovery command acts on: HANDLE or ADDRESS, default the wallet's own."""
    token_id = _token_of(session, who or session.address)
    if token_id == 0:
        raise CommandError(f"no identity for {who or session.address}")
    return token_id


@identity_cli.command("apply-recovery")
@click.argument("who", required=False, metavar="[HANDLE|ADDRESS]")
@wallet_options
def apply_recovery(session: Session, who: str | None) -> None:
    """Makes a scheduled recovery change take effect, once its delay has passed (anyone may)."""
    identity = _identity(session)
    token_id = _token_or_fail(session, who)
    pending, effective_at = session.read(
        "the scheduled recovery change", identity.functions.pendingRecovery(token_id).call
    )
    if not effective_at:
        raise CommandError(f"identity #{token_id} has no scheduled recovery change")
    sent = session.transact(
        f"Apply identity #{token_id}'s recovery change",
        identity.functions.applyRecoveryChange(token_id),
        details=[f"recovery   {pending}", f"due at     {format_time(int(effective_at))}"],
    )
    session.result(
        {
            "tx_hash": sent.tx_hash,
            "url": sent.url,
            "token_id": token_id,
            "recovery": to_checksum_address(pending),
        }
    )


@identity_cli.command("cancel-recovery")
@click.argument("who", required=False, metavar="[HANDLE|ADDRESS]")
@wallet_options
def cancel_recovery(session: Session, who: str | None) -> None:
    """Drops a scheduled recovery change (the owner, or the current recovery address)."""
    identity = _identity(session)
    token_id = _token_or_fail(session, who)
    sent = session.transact(
        f"Cancel identity #{token_id}'s recovery change",
        identity.functions.cancelRecoveryChange(token_id),
    )
    session.result({"tx_hash": sent.tx_hash, "url": sent.url, "token_id": token_id})


@identity_cli.command("recover")
@click.argument("from_address", metavar="FROM")
@click.argument("to_address", metavar="TO")
@wallet_options
def recover(session: Session, from_address: str, to_address: str) -> None:
    """Moves FROM's identity to TO; sent by FROM's recovery address."""
    source = address_argument(from_address, "address for FROM")
    target = address_argument(to_address, "address for TO")
    assert source is not None and target is not None
    sent = session.transact(
        "Recover an identity",
        _identity(session).functions.recover(source, target),
        details=[f"identity of {source}", f"moves to   {target}"],
    )
    session.result({"tx_hash": sent.tx_hash, "url": sent.url, "from": source, "to": target})
