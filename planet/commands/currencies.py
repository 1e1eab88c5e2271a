"""Currencies as people name them: native OKB or an ERC-20 token, with its decimals from chain.

A price typed as ``0.01OKB`` is the chain's native currency; ``5USDT`` is a token, named by
``--currency ADDRESS`` and checked against the token's own ``symbol()``, so a typo cannot send
a price in the wrong token. Amounts shown to people always carry their symbol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address

from planet.commands.session import CommandError, Session, address_argument
from planet.core.passes import NATIVE
from planet.core.units import format_units, read_amount, to_base_units

ERC20_ABI: list[dict[str, Any]] = [
    {"type": "function", "name": name, "stateMutability": "view", "inputs": inputs,
     "outputs": [{"name": "", "type": out}]}
    for name, inputs, out in [
        ("symbol", [], "string"),
        ("decimals", [], "uint8"),
        ("balanceOf", [{"name": "account", "type": "address"}], "uint256"),
        ("allowance", [{"name": "owner", "type": "address"},
                       {"name": "spender", "type": "address"}], "uint256"),
    ]
] + [
    {"type": "function", "name": "approve", "stateMutability": "nonpayable",
     "inputs": [{"name": "spender", "type": "address"}, {"name": "amount", "type": "uint256"}],
     "outputs": [{"name": "", "type": "bool"}]},
]  # fmt: skip


@dataclass(frozen=True)
class Currency:
    address: str
    symbol: str
    decimals: int

    @property
    def native(self) -> bool:
        return int(self.address, 16) == 0

    def format(self, amount: int) -> str:
        return format_units(amount, self.decimals, self.symbol)


def token(session: Session, address: str) -> Any:
    return session.w3.eth.contract(address=to_checksum_address(address), abi=ERC20_ABI)


def currency_at(session: Session, address: str) -> Currency:
    """The currency a pass or the vault names by address (``address(0)``: native)."""
    if int(address, 16) == 0:
        return Currency(NATIVE, session.network.native_symbol, session.network.native_decimals)
    contract = token(session, address)
    symbol = session.read(f"the symbol of token {address}", contract.functions.symbol().call)
    decimals = session.read(f"the decimals of token {address}", contract.functions.decimals().call)
    return Currency(to_checksum_address(address), str(symbol), int(decimals))


def resolve(session: Session, currency_option: str | None, symbol: str | None) -> Currency:
    """The currency of a typed amount: native unless ``--currency`` names a token."""
    native_symbol = session.network.native_symbol
    if currency_option is None:
        if symbol not in (None, native_symbol):
            raise CommandError(
                f"{symbol} is not {native_symbol}, this chain's native currency: name the token "
                f"with --currency ADDRESS"
            )
        return currency_at(session, NATIVE)
    address = address_argument(currency_option, "address for --currency")
    assert address is not None
    if session.w3.eth.get_code(address) in (b"", None):
        raise CommandError(
            f"--currency {address} is not a contract on chain {session.network.chain_id}"
        )
    found = currency_at(session, address)
    if symbol is not None and symbol != found.symbol.upper():
        raise CommandError(f"token {address} is {found.symbol}, not {symbol}")
    return found


def parse_price(session: Session, text: str, currency_option: str | None) -> tuple[Currency, int]:
    """``0.01OKB`` → (native, wei); ``5USDT --currency 0x...`` → (USDT, 5 * 10**decimals)."""
    amount = read_amount(text)
    currency = resolve(session, currency_option, amount.symbol)
    return currency, to_base_units(amount.number, currency.decimals, currency.symbol)
