"""``planet vault`` and ``planet roles``: what the treasury, guardian and admins do.

``vault status`` reads the prize vault and one epoch's pool; ``fund`` adds to an epoch's pool
(an ERC-20 vault is approved first when the allowance is short); the guardian ``veto``es a
proposed root during the challenge period; anyone ``sweep``s leftovers after the claim window;
the guardian pauses and unpauses. ``roles`` reads who holds which role on which contract (from
the RoleGranted/RoleRevoked events since deployment, checked with ``hasRole``) and grants or
revokes one.
"""

from __future__ import annotations

from typing import Any

import click
from eth_utils import keccak, to_checksum_address

from planet.chain.vault import RootStatus
from planet.commands.currencies import currency_at, token
from planet.commands.session import (
    CommandError,
    Session,
    address_argument,
    chain_options,
    wallet_options,
)
from planet.core.epochs import EpochCalendar
from planet.core.units import format_duration, format_time, read_amount, to_base_units

VAULT = "PrizeVault"


@click.group("vault")
def vault_cli() -> None:
    """The weekly prize vault: status, fund, veto, sweep, pause, unpause."""


def _vault(session: Session) -> Any:
    return session.contract(VAULT)


def _current_epoch(session: Session) -> int:
    calendar = EpochCalendar(session.manifest.genesis)
    return calendar.epoch_at(max(session.now(), calendar.genesis))


@vault_cli.command("status")
@click.argument("epoch", type=click.IntRange(min=0), required=False)
@chain_options
def status(session: Session, epoch: int | None) -> None:
    """The vault's settings and one epoch's pool (default: the current epoch)."""
    vault = _vault(session)
    money = currency_at(session, session.read("the vault asset", vault.functions.ASSET().call))
    challenge = int(session.read("the challenge period", vault.functions.CHALLENGE_PERIOD().call))
    window = int(session.read("the claim window", vault.functions.CLAIM_WINDOW().call))
    paused = bool(session.read("paused", vault.functions.paused().call))
    current = _current_epoch(session)
    week = current if epoch is None else epoch
    root, payout, pool = session.read(f"epoch {week}", vault.functions.epochInfo(week).call)
    total, paid, claimable_at, root_status, swept = payout
    funded, swept_out = pool
    state = RootStatus(root_status).name.lower()
    session.say(f"Vault {vault.address} on {session.network.name}: pays {money.symbol}")
    session.say(
        f"  challenge  {format_duration(challenge)}; claim window {format_duration(window)}"
    )
    session.say(f"  paused     {'yes' if paused else 'no'}; current epoch {current}")
    session.say(f"Epoch {week}:")
    session.say(
        f"  funded     {money.format(int(funded))}"
        + (f" (swept out {money.format(int(swept_out))})" if swept_out else "")
    )
    session.say(f"  root       {state}" + (f" 0x{bytes(root).hex()}" if root_status else ""))
    data: dict[str, Any] = {
        "vault": vault.address,
        "asset": money.address,
        "symbol": money.symbol,
        "paused": paused,
        "challenge_period": challenge,
        "claim_window": window,
        "current_epoch": current,
        "epoch": week,
        "funded": int(funded),
        "swept_out": int(swept_out),
        "root_status": state,
        "root": "0x" + bytes(root).hex(),
        "total": int(total),
        "paid": int(paid),
        "claimable_at": int(claimable_at) or None,
        "swept": bool(swept),
        "claim_window_closes_at": None,
    }
    if root_status == RootStatus.PROPOSED:
        closes = int(
            session.read("the claim window", vault.functions.claimWindowClosesAt(week).call)
        )
        data["claim_window_closes_at"] = closes
        session.say(f"  total      {money.format(int(total))}; paid {money.format(int(paid))}")
        session.say(
            f"  claimable  from {format_time(int(claimable_at))} until {format_time(closes)}"
        )
    if swept:
        session.say("  swept      yes")
    session.result(data)


@vault_cli.command("fund")
@click.argument("epoch", type=click.IntRange(min=0))
@click.argument("amount")
@wallet_options
def fund(session: Session, epoch: int, amount: str) -> None:
    """Adds AMOUNT (e.g. 10OKB) to EPOCH's pool."""
    vault = _vault(session)
    money = currency_at(session, session.read("the vault asset", vault.functions.ASSET().call))
    typed = read_amount(amount)
    if typed.symbol not in (None, money.symbol.upper()):
        raise CommandError(f"this vault pays {money.symbol}, not {typed.symbol}")
    value = to_base_units(typed.number, money.decimals, money.symbol)
    if value == 0:
        raise CommandError("the amount must be more than 0")
    current = _current_epoch(session)
    if epoch < current:
        raise CommandError(
            f"epoch {epoch} has ended (the current epoch is {current}): fund a later one"
        )
    if not money.native:
        erc20 = token(session, money.address)
        held = int(session.read("your balance", erc20.functions.balanceOf(session.address).call))
        if held < value:
            raise CommandError(
                f"insufficient funds: you hold {money.format(held)}, "
                f"funding needs {money.format(value)}"
            )
        allowance = erc20.functions.allowance(session.address, vault.address).call
        if int(session.read("the allowance", allowance)) < value:
            session.transact(
                f"Allow the vault to take {money.format(value)}",
                erc20.functions.approve(vault.address, value),
            )
    sent = session.transact(
        f"Fund epoch {epoch} with {money.format(value)}",
        vault.functions.fund(epoch, value),
        value=value if money.native else 0,
    )
    session.result({"tx_hash": sent.tx_hash, "url": sent.url, "epoch": epoch, "amount": value})


@vault_cli.command("veto")
@click.argument("epoch", type=click.IntRange(min=0))
@click.option("--reason", required=True, help="Why the root is wrong (published on chain).")
@click.option(
    "--cluster",
    "clusters",
    multiple=True,
    help="Key of a flagged cluster the root pays (as `planet epoch close --dry-run` prints "
    "it); appended to the reason. Repeatable.",
)
@wallet_options
def veto(session: Session, epoch: int, reason: str, clusters: tuple[str, ...]) -> None:
    """Vetoes EPOCH's proposed root during its challenge period (guardian)."""
    if not reason.strip():
        raise CommandError("--reason must say why")
    if any(not c.strip() for c in clusters):
        raise CommandError("--cluster must name a cluster key, e.g. ring:1234")
    if clusters:
        reason = f"{reason.strip()} [flagged clusters: {', '.join(c.strip() for c in clusters)}]"
    sent = session.transact(
        f"Veto epoch {epoch}'s root",
        _vault(session).functions.veto(epoch, reason),
        details=[f"reason     {reason}"],
    )
    session.result({"tx_hash": sent.tx_hash, "url": sent.url, "epoch": epoch, "reason": reason})


@vault_cli.command("sweep")
@click.argument("epoch", type=click.IntRange(min=0))
@click.option(
    "--to",
    "to_epoch",
    type=click.IntRange(min=0),
    help="Pool that receives it (default: the current epoch).",
)
@wallet_options
def sweep(session: Session, epoch: int, to_epoch: int | None) -> None:
    """Moves what EPOCH's winners left unclaimed to a later pool, after the claim window."""
    target = _current_epoch(session) if to_epoch is None else to_epoch
    sent = session.transact(
        f"Sweep epoch {epoch} into epoch {target}", _vault(session).functions.sweep(epoch, target)
    )
    session.result({"tx_hash": sent.tx_hash, "url": sent.url, "from": epoch, "to": target})


@vault_cli.command("pause")
@wallet_options
def pause(session: Session) -> None:
    """Stops claims and funding (guardian)."""
    sent = session.transact("Pause the vault", _vault(session).functions.pause())
    session.result({"tx_hash": sent.tx_hash, "url": sent.url, "paused": True})


@vault_cli.command("unpause")
@wallet_options
def unpause(session: Session) -> None:
    """Resumes claims and funding (guardian)."""
    sent = session.transact("Unpause the vault", _vault(session).functions.unpause())
    session.result({"tx_hash": sent.tx_hash, "url": sent.url, "paused": False})


# ---------------------------------------------------------------- roles

ROLES: dict[str, tuple[str, ...]] = {
    "admin": ("Identity", "ContributionPoints", "CommunityPass", "PrizeVault"),
    "verifier": ("Identity",),
    "attester": ("ContributionPoints",),
    "risk": ("ContributionPoints",),
    "distributor": ("PrizeVault",),
    "guardian": ("PrizeVault",),
}


#: Role changes PrizeVault only makes after its ROLE_DELAY (scheduleRoleChange, then
#: executeRoleChange): (contract, role, grant).
DELAYED_ROLE_CHANGES = {
    ("PrizeVault", "distributor", True),
    ("PrizeVault", "guardian", True),
    ("PrizeVault", "guardian", False),
}


def role_id(name: str) -> bytes:
    return b"\x00" * 32 if name == "admin" else keccak(text=f"{name.upper()}_ROLE")


@click.group("roles")
def roles_cli() -> None:
    """Who holds which role on which contract; grant and revoke (admin)."""


def holders(session: Session, contract_name: str, role: str) -> list[str]:
    """Current holders of ``role``: every account a RoleGranted event named since deployment
    that ``hasRole`` still confirms (AccessControl keeps no list of its own)."""
    contract = session.contract(contract_name)
    start = session.manifest.contract(contract_name).block_number
    rid = role_id(role)
    logs = session.read(
        f"the {role} grants of {contract_name}",
        lambda: contract.events.RoleGranted.get_logs(
            from_block=start, argument_filters={"role": rid}
        ),
    )
    seen = []
    for log in logs:
        account = to_checksum_address(log["args"]["account"])
        if account not in seen:
            seen.append(account)
    return [a for a in seen if session.read("a role", contract.functions.hasRole(rid, a).call)]


@roles_cli.command("show")
@chain_options
def show_roles(session: Session) -> None:
    """Every role of every contract and who holds it now."""
    data: dict[str, dict[str, list[str]]] = {}
    for role, contracts in ROLES.items():
        for name in contracts:
            found = holders(session, name, role)
            data.setdefault(name, {})[role] = found
            session.say(f"{name:<20} {role:<12} {', '.join(found) or '-'}")
    session.result({"roles": data})


def _target(role: str, contract_name: str | None) -> str:
    options = ROLES[role]
    if contract_name is None:
        if len(options) > 1:
            raise CommandError(
                f"the {role} role exists on {', '.join(options)}: name one with --contract"
            )
        return options[0]
    if contract_name not in options:
        raise CommandError(f"{contract_name} has no {role} role (it is on {', '.join(options)})")
    return contract_name


def _role_change(
    session: Session, grant: bool, role: str, address: str, contract_name: str | None
) -> None:
    account = address_argument(address)
    assert account is not None
    name = _target(role, contract_name)
    contract = session.contract(name)
    verb = "Grant" if grant else "Revoke"
    if (name, role, grant) in DELAYED_ROLE_CHANGES:
        # The vault refuses these at once (VaultRoleChangeDelayed): schedule them instead.
        sent = session.transact(
            f"Schedule: {verb.lower()} {role} on {name}",
            contract.functions.scheduleRoleChange(role_id(role), account, grant),
            details=[f"account    {account}", "takes effect after the vault's ROLE_DELAY"],
        )
        executable_at = session.read(
            "the scheduled change",
            lambda: contract.functions.roleChangeExecutableAt(role_id(role), account, grant).call(),
        )
        session.say(f"scheduled: `planet roles execute` makes it from {executable_at} (unix)")
        session.result(
            {
                "tx_hash": sent.tx_hash,
                "url": sent.url,
                "contract": name,
                "role": role,
                "account": account,
                "granted": grant,
                "scheduled": True,
                "executable_at": executable_at,
            }
        )
        return
    fn = contract.functions.grantRole if grant else contract.functions.revokeRole
    sent = session.transact(
        f"{verb} {role} on {name}", fn(role_id(role), account), details=[f"account    {account}"]
    )
    session.result(
        {
            "tx_hash": sent.tx_hash,
            "url": sent.url,
            "contract": name,
            "role": role,
            "account": account,
            "granted": grant,
            "scheduled": False,
        }
    )


_ROLE = click.Choice(sorted(ROLES))
_CONTRACT = click.option(
    "--contract",
    "contract_name",
    type=click.Choice(sorted(ROLES["admin"])),
    help="Which contract (needed for admin).",
)


@roles_cli.command("grant")
@click.argument("role", type=_ROLE)
@click.argument("address")
@_CONTRACT
@wallet_options
def grant(session: Session, role: str, address: str, contract_name: str | None) -> None:
    """Grants ROLE to ADDRESS (sent by the contract's admin)."""
    _role_change(session, True, role, address, contract_name)


@roles_cli.command("revoke")
@click.argument("role", type=_ROLE)
@click.argument("address")
@_CONTRACT
@wallet_options
def revoke(session: Session, role: str, address: str, contract_name: str | None) -> None:
    """Revokes ROLE from ADDRESS (sent by the contract's admin)."""
    _role_change(session, False, role, address, contract_name)


@roles_cli.command("execute")
@click.argument("role", type=click.Choice(["distributor", "guardian"]))
@click.argument("address")
@click.option("--revoke", is_flag=True, help="The scheduled change is a revocation.")
@wallet_options
def execute(session: Session, role: str, address: str, revoke: bool) -> None:
    """Makes a PrizeVault role change scheduled by `roles grant`/`revoke` once its delay has
    passed (anyone may send it)."""
    account = address_argument(address)
    assert account is not None
    contract = session.contract("PrizeVault")
    sent = session.transact(
        f"Execute: {'revoke' if revoke else 'grant'} {role} on PrizeVault",
        contract.functions.executeRoleChange(role_id(role), account, not revoke),
        details=[f"account    {account}"],
    )
    session.result(
        {
            "tx_hash": sent.tx_hash,
            "url": sent.url,
            "contract": "PrizeVault",
            "role": role,
            "account": account,
            "granted": not revoke,
        }
    )
