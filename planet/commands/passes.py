"""``planet pass``: creators sell community passes, fans buy and renew them.

Protocol v2 (the deployment manifest's ``version`` 2): a creator may require contribution
points or a verified identity (``require``), set a refund window (``refund-window``) and gift a
batch (``gift``); ``rights`` says what a wallet misses and whether it may buy or renew; ``buy``
and ``renew`` refuse before sending when the chain would (naming the missing requirement), and
renew at the holder's price (its snapshot during a price notice); ``cancel`` refunds the latest
payment within its window, which ``withdraw`` then pays out.

Everything is in human units: prices like ``0.01OKB`` or ``5USDT``, durations like ``30d``,
royalties like ``2.5%``. Before a creator sends ``createPass`` the command shows the platform
fee and what the creator nets per sale; before a fan buys, the price and the total. A pass
priced in a token needs an allowance: ``buy`` and ``renew`` send the ``approve`` first when the
allowance is short, each with its own summary.
"""

from __future__ import annotations

from typing import Any

import click
from eth_utils import to_checksum_address

from planet.commands.currencies import Currency, currency_at, parse_price, resolve, token
from planet.commands.session import (
    CommandError,
    Session,
    address_argument,
    chain_options,
    own_address,
    wallet_options,
)
from planet.core.passes import (
    BLOCKS,
    MAX_GIFT_BATCH,
    MAX_POINTS_WEEKS,
    MAX_REFUND_WINDOW,
    MAX_ROYALTY_BPS,
    PassTerms,
    split_cost,
)
from planet.core.units import (
    format_duration,
    format_percent,
    format_time,
    parse_duration,
    parse_percent,
)


@click.group("pass")
def pass_cli() -> None:
    """Community passes: create, show, list, buy, renew, cancel, rights, require,
    refund-window, gift, proceeds, withdraw."""


def _pass(session: Session) -> Any:
    return session.contract("CommunityPass")


def _require_v2(session: Session, what: str) -> None:
    """Protocol-v2 commands on a version-1 deployment would call functions it lacks."""
    if session.manifest.version < 2:
        raise CommandError(
            f"{what} needs protocol version 2; this deployment is version "
            f"{session.manifest.version} (redeploy: make deploy)"
        )


_REASONS = {
    "unknown_pass": "the pass does not exist",
    "sales_paused": "its creator paused sales",
    "not_subscription": "it is a lifetime pass: there is nothing to renew",
    "not_holder": "the wallet does not hold this subscription (buy it first)",
    "sold_out": "it is sold out",
    "wallet_limit": "the wallet reached the pass's per-wallet limit",
    "not_enough_points": "the wallet has too few contribution points",
    "identity_not_verified": "the pass requires a verified Planet identity",
}


def read_rights(session: Session, pass_id: int, wallet: str) -> dict[str, Any]:
    """What ``wallet`` may do with the pass, as the contract's views answer now."""
    f = _pass(session).functions
    can_mint, mint_why = session.read("canMint", f.canMint(pass_id, wallet).call)
    can_renew, renew_why = session.read("canRenew", f.canRenew(pass_id, wallet).call)
    min_points, weeks, verified_required, window, changed_at = session.read(
        "the pass's requirements", f.policy(pass_id).call
    )
    points = int(session.read("the points the pass counts", f.pointsFor(pass_id, wallet).call))
    refund, funded = session.read("the refund", f.refundable(pass_id, wallet).call)
    missing = []
    if min_points and points < min_points:
        missing.append({"requirement": "points", "required": int(min_points), "has": points})
    if verified_required and BLOCKS[int(mint_why)] == "identity_not_verified":
        missing.append({"requirement": "verified_identity"})
    elif verified_required and BLOCKS[int(renew_why)] == "identity_not_verified":
        missing.append({"requirement": "verified_identity"})
    return {
        "pass": pass_id,
        "wallet": to_checksum_address(wallet),
        "requirements": {
            "min_points": int(min_points),
            "points_weeks": int(weeks),
            "verified_identity": bool(verified_required),
        },
        "refund_window": int(window),
        "points": points,
        "missing": missing,
        "can_mint": bool(can_mint),
        "mint_blocked": BLOCKS[int(mint_why)],
        "can_renew": bool(can_renew),
        "renew_blocked": BLOCKS[int(renew_why)],
        "renewal_price": int(
            session.read("the renewal price", f.renewalPrice(pass_id, wallet).call)
        ),
        "refund": int(refund),
        "refund_funded": bool(funded),
        "price_changed_at": int(changed_at),
    }


def _missing_text(rights: dict[str, Any]) -> str:
    parts = []
    for m in rights["missing"]:
        if m["requirement"] == "points":
            window = (
                f" in the last {rights['requirements']['points_weeks']} week(s)"
                if rights["requirements"]["points_weeks"]
                else ""
            )
            parts.append(f"{m['required']} contribution points{window} (has {m['has']})")
        else:
            parts.append("a verified Planet identity")
    return ", ".join(parts)


def _refuse(rights: dict[str, Any], action: str, why: str | None) -> None:
    """A CommandError naming why the chain would refuse ``action``."""
    if why is None:
        return
    if why in ("not_enough_points", "identity_not_verified"):
        raise CommandError(f"cannot {action}: {rights['wallet']} needs {_missing_text(rights)}")
    raise CommandError(f"cannot {action}: {_REASONS[why]}")


def read_pass(session: Session, pass_id: int, last: int | None = None) -> dict[str, Any]:
    """Every term of a pass, its supply and its creator, with prices in human units; ``last``
    is ``lastPassId()`` when the caller read it already (a listing reads it once)."""
    contract = _pass(session)
    if last is None:
        last = int(session.read("the last pass id", contract.functions.lastPassId().call))
    if not 1 <= pass_id <= last:
        known = f"passes are #1 to #{last}" if last else "there are no passes yet"
        raise CommandError(f"no pass #{pass_id} ({known})")
    p = session.read(f"pass #{pass_id}", contract.functions.passes(pass_id).call)
    (
        creator,
        duration,
        fee_bps,
        royalty_bps,
        currency,
        transferable,
        paused,
        wallet_limit,
        price,
        max_supply,
        minted,
        uri,
    ) = p
    money = currency_at(session, currency)
    handle = _handle_of(session, creator)
    return {
        "id": pass_id,
        "creator": to_checksum_address(creator),
        "creator_handle": handle,
        "kind": "subscription" if duration else "lifetime",
        "duration": int(duration),
        "duration_text": format_duration(int(duration)) if duration else None,
        "currency": money.address,
        "symbol": money.symbol,
        "decimals": money.decimals,
        "price": int(price),
        "price_text": money.format(int(price)),
        "fee_bps": int(fee_bps),
        "royalty_bps": int(royalty_bps),
        "transferable": bool(transferable),
        "paused": bool(paused),
        "wallet_limit": int(wallet_limit),
        "max_supply": int(max_supply),
        "minted": int(minted),
        "uri": uri,
    }


def _handle_of(session: Session, account: str) -> str | None:
    identity = session.contract("Identity")
    token_id = int(session.read("an identity", identity.functions.identityOf(account).call))
    if not token_id:
        return None
    return str(session.read("a profile", identity.functions.profile(token_id).call)[0])


def _describe(session: Session, p: dict[str, Any]) -> None:
    creator = f"@{p['creator_handle']}" if p["creator_handle"] else p["creator"]
    term = f"subscription, {p['duration_text']} per period" if p["duration"] else "lifetime"
    session.say(f"Pass #{p['id']} by {creator}: {term}")
    session.say(f"  price      {p['price_text']}")
    session.say(
        f"  supply     {p['minted']} of {p['max_supply']} sold; {p['wallet_limit']} per wallet"
    )
    session.say(
        f"  resale     {'transferable' if p['transferable'] else 'soulbound'}"
        + (f", royalty {format_percent(p['royalty_bps'])}" if p["royalty_bps"] else "")
    )
    if p["paused"]:
        session.say("  sales      paused")
    session.say(f"  uri        {p['uri'] or '-'}")


@pass_cli.command("create")
@click.option("--price", required=True, help="Price per pass (per period), e.g. 0.01OKB or 5USDT.")
@click.option("--currency", help="The ERC-20 token of the price (its address); default native.")
@click.option("--supply", type=click.IntRange(min=1), required=True, help="Most passes ever sold.")
@click.option("--wallet-limit", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--subscription", metavar="DURATION", help="A subscription period, e.g. 30d.")
@click.option("--transferable", is_flag=True, help="Holders may resell (lifetime passes only).")
@click.option("--royalty", default="0%", show_default=True, help="Royalty on resales, e.g. 2.5%.")
@click.option("--uri", required=True, help="Metadata URI of the pass.")
@wallet_options
def create(
    session: Session,
    price: str,
    currency: str | None,
    supply: int,
    wallet_limit: int,
    subscription: str | None,
    transferable: bool,
    royalty: str,
    uri: str,
) -> None:
    """Creates a pass you sell (you need an identity first)."""
    money, amount = parse_price(session, price, currency)
    duration = parse_duration(subscription) if subscription else 0
    if subscription is not None and duration == 0:
        raise CommandError("--subscription must be longer than 0s")
    terms = PassTerms(
        currency=money.address,
        price=amount,
        max_supply=supply,
        wallet_limit=wallet_limit,
        duration=duration,
        transferable=transferable,
        royalty_bps=parse_percent(royalty, MAX_ROYALTY_BPS),
        uri=uri,
    )
    contract = _pass(session)
    fee_bps = int(session.read("the platform fee", contract.functions.platformFeeBps().call))
    net, fee = split_cost(amount, fee_bps)
    term = f"subscription of {format_duration(duration)}" if duration else "lifetime"
    sent = session.transact(
        "Create a pass",
        contract.functions.createPass(terms.as_tuple()),
        details=[
            f"kind       {term}",
            f"price      {money.format(amount)}",
            f"fee        {format_percent(fee_bps)} = {money.format(fee)} per sale",
            f"you net    {money.format(net)} per sale",
            f"supply     {supply}, {wallet_limit} per wallet",
            f"resale     {'transferable' if transferable else 'soulbound'}"
            + (f", royalty {format_percent(terms.royalty_bps)}" if terms.royalty_bps else ""),
        ],
    )
    events = contract.events.PassCreated().process_receipt(sent.receipt)
    pass_id = int(events[0]["args"]["passId"])
    session.say(f"Created pass #{pass_id}")
    session.result({"tx_hash": sent.tx_hash, "url": sent.url, **read_pass(session, pass_id)})


@pass_cli.command("show")
@click.argument("pass_id", type=click.IntRange(min=1), metavar="ID")
@chain_options
def show(session: Session, pass_id: int) -> None:
    """Shows every term of pass ID, its supply and (protocol v2) its requirements."""
    p = read_pass(session, pass_id)
    _describe(session, p)
    version = session.manifest.version
    extra: dict[str, Any] = {"protocol_version": version}
    if version >= 2:
        f = _pass(session).functions
        min_points, weeks, verified, window, _ = session.read("the rules", f.policy(pass_id).call)
        needs = []
        if min_points:
            needs.append(f"{min_points} points" + (f" in {weeks} week(s)" if weeks else ""))
        if verified:
            needs.append("a verified identity")
        session.say(f"  requires   {', '.join(needs) or 'nothing'}")
        if p["duration"]:
            session.say(f"  refunds    {format_duration(window) if window else 'none'}")
        extra["requirements"] = {
            "min_points": int(min_points),
            "points_weeks": int(weeks),
            "verified_identity": bool(verified),
        }
        extra["refund_window"] = int(window)
    session.result({**p, **extra})


@pass_cli.command("list")
@click.option("--creator", help="Only this creator's passes (handle or address).")
@chain_options
def list_passes(session: Session, creator: str | None) -> None:
    """Lists every pass, or one creator's."""
    contract = _pass(session)
    last = int(session.read("the last pass id", contract.functions.lastPassId().call))
    wanted = _creator_address(session, creator) if creator else None
    rows = []
    for pass_id in range(1, last + 1):
        p = read_pass(session, pass_id, last)
        if wanted is None or p["creator"] == wanted:
            rows.append(p)
    if not rows:
        session.say("No passes." if wanted is None else f"No passes by {creator}.")
    for p in rows:
        who = f"@{p['creator_handle']}" if p["creator_handle"] else p["creator"]
        kind = f"every {p['duration_text']}" if p["duration"] else "lifetime"
        session.say(
            f"#{p['id']:<4} {who:<20} {p['price_text']:>16} {kind:<16} "
            f"{p['minted']}/{p['max_supply']} sold"
        )
    session.result({"passes": rows})


def _creator_address(session: Session, creator: str) -> str:
    if creator.startswith("0x"):
        address = address_argument(creator, "address for --creator")
        assert address is not None
        return address
    identity = session.contract("Identity")
    handle = creator.removeprefix("@").lower()
    token_id = int(session.read(f"@{handle}", identity.functions.tokenOfHandle(handle).call))
    if not token_id:
        raise CommandError(f"no identity @{handle}")
    return to_checksum_address(
        session.read(f"@{handle}", identity.functions.ownerOf(token_id).call)
    )


def _approve_if_short(session: Session, money: Currency, amount: int) -> None:
    """An ERC-20 pass needs the pass contract allowed to pull ``amount`` from the wallet."""
    if money.native:
        return
    erc20 = token(session, money.address)
    spender = _pass(session).address
    held = int(
        session.read(
            f"your {money.symbol} balance", erc20.functions.balanceOf(session.address).call
        )
    )
    if held < amount:
        raise CommandError(
            f"insufficient funds: {session.address} holds {money.format(held)}, the pass costs "
            f"{money.format(amount)}"
        )
    allowed = int(
        session.read("the allowance", erc20.functions.allowance(session.address, spender).call)
    )
    if allowed < amount:
        session.transact(
            f"Allow the pass contract to take {money.format(amount)}",
            erc20.functions.approve(spender, amount),
            details=[f"token      {money.symbol} {money.address}", f"spender    {spender}"],
        )


@pass_cli.command("buy")
@click.argument("pass_id", type=click.IntRange(min=1), metavar="ID")
@click.option("--to", "to_address", help="Who receives the pass (default: your wallet).")
@click.option("--quantity", type=click.IntRange(min=1), default=1, show_default=True)
@wallet_options
def buy(session: Session, pass_id: int, to_address: str | None, quantity: int) -> None:
    """Buys pass ID at its current price (never more: the price is capped at what you saw)."""
    p = read_pass(session, pass_id)
    receiver = address_argument(to_address, "address for --to") or session.address
    if session.manifest.version >= 2:
        rights = read_rights(session, pass_id, receiver)
        if rights["mint_blocked"] in ("not_enough_points", "identity_not_verified"):
            _refuse(rights, f"buy pass #{pass_id}", rights["mint_blocked"])
    money = currency_at(session, p["currency"])
    total = p["price"] * quantity
    _approve_if_short(session, money, total)
    sent = session.transact(
        f"Buy pass #{pass_id}",
        _pass(session).functions.mint(pass_id, receiver, quantity, p["price"]),
        value=total if money.native else 0,
        details=[
            f"pass       #{pass_id} ({p['kind']})",
            f"for        {receiver}",
            f"price      {quantity} x {p['price_text']} = {money.format(total)}",
        ],
    )
    expiry = _expiry(session, pass_id, receiver) if p["duration"] else None
    session.result(
        {
            "tx_hash": sent.tx_hash,
            "url": sent.url,
            "pass": pass_id,
            "to": receiver,
            "paid": total,
            "paid_text": money.format(total),
            "expiry": expiry,
        }
    )


def _expiry(session: Session, pass_id: int, holder: str) -> int:
    call = _pass(session).functions.expiryOf(pass_id, holder).call
    expiry = int(session.read(f"the expiry of pass #{pass_id}", call))
    session.say(f"Pass #{pass_id} of {holder} runs until {format_time(expiry)}")
    return expiry


@pass_cli.command("renew")
@click.argument("pass_id", type=click.IntRange(min=1), metavar="ID")
@click.option("--periods", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--holder", help="Whose subscription to renew (default: your wallet).")
@wallet_options
def renew(session: Session, pass_id: int, periods: int, holder: str | None) -> None:
    """Renews a subscription pass for more periods, counted from its expiry or now."""
    p = read_pass(session, pass_id)
    if not p["duration"]:
        raise CommandError(f"pass #{pass_id} is a lifetime pass: there is nothing to renew")
    who = address_argument(holder, "address for --holder") or session.address
    money = currency_at(session, p["currency"])
    price = p["price"]
    if session.manifest.version >= 2:
        rights = read_rights(session, pass_id, who)
        _refuse(rights, f"renew pass #{pass_id}", rights["renew_blocked"])
        price = rights["renewal_price"]  # the holder's snapshot during a price notice
        if price < p["price"]:
            session.say(
                f"Renewing at {money.format(price)} per period, the price {who} last paid: "
                f"the new price {p['price_text']} applies to renewals after the notice"
            )
    total = price * periods
    _approve_if_short(session, money, total)
    sent = session.transact(
        f"Renew pass #{pass_id}",
        _pass(session).functions.renew(pass_id, who, periods, price),
        value=total if money.native else 0,
        details=[
            f"holder     {who}",
            f"periods    {periods} x {p['duration_text']}",
            f"price      {money.format(total)}",
        ],
    )
    expiry = _expiry(session, pass_id, who)
    session.result({"tx_hash": sent.tx_hash, "url": sent.url, "pass": pass_id, "expiry": expiry})


def _currencies_of(session: Session, payee: str) -> list[str]:
    """Native plus every currency a pass of ``payee`` is priced in."""
    contract = _pass(session)
    last = int(session.read("the last pass id", contract.functions.lastPassId().call))
    found = [currency_at(session, "0x" + "00" * 20).address]
    for pass_id in range(1, last + 1):
        p = session.read(f"pass #{pass_id}", contract.functions.passes(pass_id).call)
        if to_checksum_address(p[0]) == payee and to_checksum_address(p[4]) not in found:
            found.append(to_checksum_address(p[4]))
    return found


@pass_cli.command("proceeds")
@click.argument("payee", required=False, metavar="[ADDRESS]")
@chain_options
def proceeds(session: Session, payee: str | None) -> None:
    """What ADDRESS (default: your wallet) can withdraw from pass sales, per currency."""
    who = address_argument(payee) or own_address(session, "ADDRESS")
    contract = _pass(session)
    rows = []
    for address in _currencies_of(session, who):
        money = currency_at(session, address)
        amount = int(session.read("proceeds", contract.functions.proceeds(who, address).call))
        rows.append(
            {
                "currency": money.address,
                "symbol": money.symbol,
                "withdrawable": amount,
                "withdrawable_text": money.format(amount),
            }
        )
        session.say(f"{who} can withdraw {money.format(amount)}")
    session.result({"payee": who, "proceeds": rows})


@pass_cli.command("withdraw")
@click.option("--currency", help="Token address to withdraw (default: native).")
@wallet_options
def withdraw(session: Session, currency: str | None) -> None:
    """Withdraws your proceeds in one currency to your wallet."""
    money = resolve(session, currency, None)
    contract = _pass(session)
    call = contract.functions.proceeds(session.address, money.address).call
    amount = int(session.read("your proceeds", call))
    if amount == 0:
        raise CommandError(f"nothing to withdraw: your {money.symbol} proceeds are 0")
    sent = session.transact(
        f"Withdraw {money.format(amount)}",
        contract.functions.withdraw(money.address),
        details=[f"amount     {money.format(amount)}"],
    )
    session.result(
        {
            "tx_hash": sent.tx_hash,
            "url": sent.url,
            "currency": money.address,
            "amount": amount,
            "amount_text": money.format(amount),
        }
    )


@pass_cli.command("rights")
@click.argument("pass_id", type=click.IntRange(min=1), metavar="ID")
@click.argument("wallet", required=False, metavar="[ADDRESS]")
@chain_options
def rights(session: Session, pass_id: int, wallet: str | None) -> None:
    """What ADDRESS (default: your wallet) may do with pass ID: the requirements it misses,
    whether it may buy or renew and why not, its renewal price and any refund."""
    _require_v2(session, "pass rights")
    p = read_pass(session, pass_id)
    who = address_argument(wallet) or own_address(session, "ADDRESS")
    r = read_rights(session, pass_id, who)
    money = currency_at(session, p["currency"])
    req = r["requirements"]
    needs = []
    if req["min_points"]:
        window = f" in the last {req['points_weeks']} week(s)" if req["points_weeks"] else ""
        needs.append(f"{req['min_points']} contribution points{window}")
    if req["verified_identity"]:
        needs.append("a verified identity")
    session.say(f"Pass #{pass_id} requires {', '.join(needs) or 'nothing'}")
    session.say(f"  {who} has {r['points']} points as the pass counts them")
    if r["missing"]:
        session.say(f"  missing    {_missing_text(r)}")
    session.say(
        "  buy        " + ("yes" if r["can_mint"] else f"no: {_REASONS[r['mint_blocked']]}")
    )
    if p["duration"]:
        session.say(
            "  renew      "
            + (
                f"yes, at {money.format(r['renewal_price'])} per period"
                if r["can_renew"]
                else f"no: {_REASONS[r['renew_blocked']]}"
            )
        )
        if r["refund"]:
            funded = "" if r["refund_funded"] else " (not covered: the creator withdrew)"
            session.say(f"  refund     {money.format(r['refund'])} on cancel now{funded}")
        else:
            session.say("  refund     none available")
    session.result({**r, "refund_text": money.format(r["refund"])})


@pass_cli.command("require")
@click.argument("pass_id", type=click.IntRange(min=1), metavar="ID")
@click.option("--min-points", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--weeks",
    type=click.IntRange(0, MAX_POINTS_WEEKS),
    default=0,
    show_default=True,
    help="Count points of the last N weekly epochs (0: lifetime points).",
)
@click.option("--verified/--no-verified", default=False, help="Require a verified identity.")
@wallet_options
def require(session: Session, pass_id: int, min_points: int, weeks: int, verified: bool) -> None:
    """Sets what a wallet must have earned to buy, renew or receive pass ID (creator only)."""
    _require_v2(session, "pass require")
    _own_pass(session, pass_id)
    if weeks and not min_points:
        raise CommandError("--weeks counts points: give --min-points too")
    window = f" in the last {weeks} week(s)" if weeks else " (lifetime)"
    sent = session.transact(
        f"Set the requirements of pass #{pass_id}",
        _pass(session).functions.setRequirements(pass_id, (min_points, weeks, verified)),
        details=[
            f"points     {min_points}{window if min_points else ''}",
            f"identity   {'verified required' if verified else 'any'}",
        ],
    )
    session.result(
        {
            "tx_hash": sent.tx_hash,
            "url": sent.url,
            "pass": pass_id,
            "min_points": min_points,
            "points_weeks": weeks,
            "verified_identity": verified,
        }
    )


@pass_cli.command("refund-window")
@click.argument("pass_id", type=click.IntRange(min=1), metavar="ID")
@click.argument("window", metavar="DURATION")
@wallet_options
def refund_window(session: Session, pass_id: int, window: str) -> None:
    """Sets how long after a payment a subscriber of pass ID may cancel it for a pro-rata
    refund, e.g. 7d (0s: no refunds; at most 30d; creator only)."""
    _require_v2(session, "pass refund-window")
    p = _own_pass(session, pass_id)
    if not p["duration"]:
        raise CommandError(f"pass #{pass_id} is a lifetime pass: refunds are for subscriptions")
    seconds = parse_duration(window)
    if seconds > MAX_REFUND_WINDOW:
        raise CommandError(f"the refund window is at most {format_duration(MAX_REFUND_WINDOW)}")
    sent = session.transact(
        f"Set the refund window of pass #{pass_id}",
        _pass(session).functions.setRefundWindow(pass_id, seconds),
        details=[f"window     {format_duration(seconds) if seconds else 'none'}"],
    )
    session.result(
        {"tx_hash": sent.tx_hash, "url": sent.url, "pass": pass_id, "refund_window": seconds}
    )


@pass_cli.command("gift")
@click.argument("pass_id", type=click.IntRange(min=1), metavar="ID")
@click.argument("recipients", nargs=-1, required=True, metavar="ADDRESS...")
@click.option("--quantity", type=click.IntRange(min=1), default=1, show_default=True)
@wallet_options
def gift(session: Session, pass_id: int, recipients: tuple[str, ...], quantity: int) -> None:
    """Gives pass ID to each ADDRESS for free, e.g. your week's top contributors (creator
    only; tokens for a lifetime pass, periods for a subscription)."""
    _require_v2(session, "pass gift")
    p = _own_pass(session, pass_id)
    if len(recipients) > MAX_GIFT_BATCH:
        raise CommandError(f"at most {MAX_GIFT_BATCH} recipients per gift")
    wallets = [address_argument(r, "recipient address") for r in recipients]
    unit = (
        f"{quantity} period(s) of {p['duration_text']}" if p["duration"] else f"{quantity} pass(es)"
    )
    sent = session.transact(
        f"Gift pass #{pass_id} to {len(wallets)} wallet(s)",
        _pass(session).functions.gift(pass_id, wallets, quantity),
        details=[f"each gets  {unit}", *(f"to         {w}" for w in wallets)],
    )
    session.result(
        {
            "tx_hash": sent.tx_hash,
            "url": sent.url,
            "pass": pass_id,
            "recipients": wallets,
            "quantity": quantity,
        }
    )


@pass_cli.command("cancel")
@click.argument("pass_id", type=click.IntRange(min=1), metavar="ID")
@wallet_options
def cancel(session: Session, pass_id: int) -> None:
    """Cancels your latest payment for subscription ID within its refund window: its unused
    part moves to your proceeds (then: planet pass withdraw)."""
    _require_v2(session, "pass cancel")
    p = read_pass(session, pass_id)
    if not p["duration"]:
        raise CommandError(f"pass #{pass_id} is a lifetime pass: there is nothing to cancel")
    money = currency_at(session, p["currency"])
    f = _pass(session).functions
    refund, funded = session.read("the refund", f.refundable(pass_id, session.address).call)
    if not refund:
        raise CommandError(
            f"nothing to refund on pass #{pass_id}: no payment of yours is in its refund window"
        )
    if not funded:
        raise CommandError(
            f"the refund of {money.format(int(refund))} is not covered: the creator has "
            "withdrawn the proceeds it would be paid from"
        )
    sent = session.transact(
        f"Cancel your latest payment for pass #{pass_id}",
        f.cancelSubscription(pass_id),
        details=[f"refund     about {money.format(int(refund))} (to withdraw afterwards)"],
    )
    events = _pass(session).events.SubscriptionCancelled().process_receipt(sent.receipt)
    paid = int(events[0]["args"]["refund"])
    expiry = int(events[0]["args"]["expiry"])
    session.say(
        f"Refunded {money.format(paid)} to your proceeds: planet pass withdraw"
        + ("" if money.native else f" --currency {money.address}")
    )
    session.result(
        {
            "tx_hash": sent.tx_hash,
            "url": sent.url,
            "pass": pass_id,
            "refund": paid,
            "refund_text": money.format(paid),
            "expiry": expiry,
        }
    )


def _own_pass(session: Session, pass_id: int) -> dict[str, Any]:
    """The pass, if the wallet created it (creator-only commands refuse before sending)."""
    p = read_pass(session, pass_id)
    if p["creator"] != session.address:
        raise CommandError(f"pass #{pass_id} is {p['creator']}'s: only its creator may change it")
    return p
