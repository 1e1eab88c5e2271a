"""Currencies in human units: the native coin from the network table, a token's symbol and
decimals read from the token on anvil once and then kept; a token that cannot be read is
answered without units (never an error) and asked again only after a pause."""

from __future__ import annotations

from api.services.currencies import RETRY_AFTER, Currencies
from planet.core.networks import network
from planet.core.passes import NATIVE
from tests.support.api import Clock


def test_the_native_coin_needs_no_chain():
    currencies = Currencies(network(196), "http://127.0.0.1:9")  # nothing listens there
    okb = currencies.get(NATIVE)
    assert (okb.symbol, okb.decimals, okb.native) == ("OKB", 18, True)
    assert okb.human(10**16) == "0.01 OKB"


def test_a_token_is_read_once_then_kept(planet_with_token, rpc_url):
    token = planet_with_token.erc20.address
    currencies = Currencies(network(31337), rpc_url)
    usdt = currencies.get(token.lower())
    assert (usdt.address, usdt.symbol, usdt.decimals, usdt.native) == (token, "USDT", 6, False)
    assert usdt.human(5_250_000) == "5.25 USDT"
    # the token's code gone: what was read is still answered, so it is not read again
    planet_with_token.w3.provider.make_request("anvil_setCode", [token, "0x"])
    assert currencies.get(token) == usdt


def test_an_unreadable_token_has_no_units_and_is_asked_again_after_a_pause(
    planet_with_token, rpc_url
):
    w3, token = planet_with_token.w3, planet_with_token.erc20.address
    code = w3.eth.get_code(token)
    clock = Clock(1000.0)
    currencies = Currencies(network(31337), rpc_url, clock=clock)
    w3.provider.make_request("anvil_setCode", [token, "0x"])  # not a token for now
    unread = currencies.get(token)
    assert (unread.symbol, unread.decimals, unread.human(5)) == (None, None, None)

    w3.provider.make_request("anvil_setCode", [token, "0x" + code.hex()])
    clock.advance(RETRY_AFTER - 1)
    assert currencies.get(token).symbol is None  # not asked again yet
    clock.advance(1)
    assert currencies.get(token).symbol == "USDT"
    unreachable = Currencies(network(31337), "http://127.0.0.1:9", clock=clock)
    assert unreachable.get(token).decimals is None
