"""``planet pass``: creators sell community passes, fans buy and renew them.

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
from planet.core.passes import MAX_ROYALTY_BPS, PassTerms, split_cost
from planet.core.units import (
    format_duration,
    format_percent,
    format_time,
    parse_duration,
    parse_percent,
)


@click.group("pass")
def pass_cli() -> None:
    """Community passes: create, show, list, buy, renew, proceeds, withdraw."""


def _pass(session: Session) -> Any:
    return session.contract("CommunityPass")


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
    """Shows every term of pass ID and its supply."""
    p = read_pass(session, pass_id)
    _describe(session, p)
    session.result(p)


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
    total = p["price"] * periods
    _approve_if_short(session, money, total)
    sent = session.transact(
        f"Renew pass #{pass_id}",
        _pass(session).functions.renew(pass_id, who, periods, p["price"]),
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
