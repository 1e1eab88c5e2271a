"""Passes and proceeds over a real anvil and the real indexer: a lifetime pass in native OKB
and a subscription in a 6-decimal token, minted, renewed, left to lapse and withdrawn from;
every term, the supply, the holder counts and the proceeds the API answers equal what the
contract answers, with prices in human units (the token's symbol and decimals read from it).
The pass's ERC-1155 ``uri`` points at the API's metadata route and resolves as wallets
resolve it (``{id}`` as 64 hex digits)."""

from __future__ import annotations

import base64

import pytest
from eth_utils import to_checksum_address
from fastapi.testclient import TestClient

from planet.core.passes import PassTerms
from tests.support.api import error
from tests.support.protocol import DAY, ZERO

BASE = "http://testserver"  # what TestClient requests carry as their base URL
METADATA_URI = f"{BASE}/passes/{{id}}/metadata"


def terms_on_chain(info) -> dict:
    """A pass's terms as the API spells them, from the contract's ``passes(id)``."""
    return {
        "price": str(info.price),
        "duration": info.duration,
        "max_supply": str(info.max_supply),
        "wallet_limit": str(info.wallet_limit),
        "transferable": info.transferable,
        "royalty_bps": info.royalty_bps,
        "fee_bps": info.fee_bps,
        "uri": info.uri,
    }


@pytest.mark.dialects  # holder counts: CASE sums over Uint256 columns differ by dialect
def test_passes_and_proceeds_are_what_the_contract_says(planet_with_token, rpc_url, indexed_app):
    planet = planet_with_token
    creator, lifer, fan, late_fan, other = planet.actors.users[:5]
    planet.register(creator, "creator_a")
    planet.register(other, "creator_b")
    usdt = planet.erc20.address
    lifetime = planet.create_pass(
        creator, PassTerms(ZERO, 10**15, 100, 3, 0, True, 250, METADATA_URI)
    )
    monthly = planet.create_pass(creator, PassTerms(usdt, 5_000_000, 50, 1, 30 * DAY))
    b_pass = planet.create_pass(other, PassTerms(ZERO, 0, 2**64 - 1, 2**64 - 1))
    planet.mint_pass(lifer, lifetime, 2, lifer.address)
    planet.mint_pass(fan, lifetime, 1, fan.address)
    planet.mint_pass(fan, monthly, 1, fan.address)
    planet.withdraw(creator, ZERO)  # the native proceeds so far
    planet.mint_pass(lifer, lifetime, 1, lifer.address)  # more after the withdrawal
    planet.travel(31 * DAY)  # fan's subscription lapses
    planet.mint_pass(late_fan, monthly, 1, late_fan.address)
    planet.renew_pass(late_fan, monthly, late_fan.address, 2)
    planet.mint_pass(lifer, b_pass, 5, lifer.address)

    app, _, _ = indexed_app(planet, rpc_url=rpc_url)
    client = TestClient(app)
    cp = planet.community_pass.functions
    wallets = planet.actors.users

    listed = client.get("/passes").json()
    assert [p["id"] for p in listed["items"]] == [lifetime, monthly, b_pass]
    assert listed["next_cursor"] is None
    for served in listed["items"]:
        pass_id = served["id"]
        assert client.get(f"/passes/{pass_id}").json() == served
        info = planet.pass_info(pass_id)
        terms = served["terms"]
        assert {k: terms[k] for k in terms_on_chain(info)} == terms_on_chain(info)
        assert terms["currency"]["address"].lower() == info.currency.lower()
        assert terms["kind"] == ("subscription" if info.duration else "lifetime")
        assert served["creator"]["address"].lower() == info.creator.lower()
        assert served["paused"] == info.paused
        assert served["supply"] == str(info.minted)
        assert int(served["remaining"]) == info.max_supply - info.minted
        holding = [w for w in wallets if cp.balanceOf(w.address, pass_id).call() > 0]
        access = [w for w in wallets if cp.hasAccess(w.address, pass_id).call()]
        assert (served["holders"], served["active_holders"]) == (len(holding), len(access))

    one, sub, free = listed["items"]
    assert one["creator"]["handle"] == "creator_a" and free["creator"]["handle"] == "creator_b"
    # human units: native from the network table, the token's read from the token
    assert (one["terms"]["price_display"], one["terms"]["currency"]["symbol"]) == (
        "0.001 OKB",
        "OKB",
    )
    assert sub["terms"]["currency"] == {
        "address": usdt,
        "native": False,
        "symbol": "USDT",
        "decimals": 6,
    }
    assert sub["terms"]["price_display"] == "5 USDT"
    assert sub["terms"]["duration_display"] == "30d"
    assert one["terms"]["fee_bps"] == 250  # the deployment's platform fee
    assert (one["terms"]["royalty"], one["terms"]["fee"]) == ("2.5%", "2.5%")
    # lifer holds 3, fan 1; fan's subscription lapsed, late_fan's runs
    assert (one["holders"], one["active_holders"]) == (2, 2)
    assert (sub["holders"], sub["active_holders"]) == (2, 1)
    assert free["terms"]["price_display"] == "0 OKB"

    # filters and pages
    by_a = client.get("/passes", params={"creator": "creator_a", "limit": 1}).json()
    assert [p["id"] for p in by_a["items"]] == [lifetime]
    rest = client.get(
        "/passes", params={"creator": creator.address, "cursor": by_a["next_cursor"]}
    ).json()
    assert [p["id"] for p in rest["items"]] == [monthly] and rest["next_cursor"] is None

    # the ERC-1155 uri, resolved as wallets do, is the metadata document
    uri = cp.uri(lifetime).call()
    assert uri == METADATA_URI
    resolved = client.get(uri.replace("{id}", f"{lifetime:064x}").removeprefix(BASE))
    assert resolved.status_code == 200, resolved.text
    metadata = resolved.json()
    assert metadata == client.get(f"/passes/{lifetime}/metadata").json()
    assert metadata["name"] == f"@creator_a lifetime pass #{lifetime}"
    assert "0.001 OKB" in metadata["description"]
    assert metadata["properties"] == one["terms"] and metadata["decimals"] == 0
    svg = base64.b64decode(metadata["image"].removeprefix("data:image/svg+xml;base64,"))
    assert svg.startswith(b"<svg") and b"creator_a" in svg
    assert one["metadata_url"] == f"{BASE}/passes/{lifetime}/metadata"

    # proceeds: withdrawable and withdrawn per currency, as the contract and the driver say
    proceeds = client.get("/profiles/creator_a/proceeds").json()
    assert proceeds["address"] == creator.address
    items = {i["currency"]["address"].lower(): i for i in proceeds["items"]}
    assert list(items) == sorted([ZERO, usdt.lower()])
    for currency, item in items.items():
        on_chain = cp.proceeds(creator.address, to_checksum_address(currency)).call()
        assert item["withdrawable"] == str(on_chain)
        withdrawn = planet.withdrawn.get((creator.address.lower(), currency), 0)
        assert item["withdrawn"] == str(withdrawn)
    # 97.5% of each sale: 3 sold at 0.001 OKB before the withdrawal, 1 after; 4 periods at 5 USDT
    assert items[ZERO]["withdrawn_display"] == "0.002925 OKB"
    assert items[ZERO]["withdrawable_display"] == "0.000975 OKB"
    assert items[usdt.lower()]["withdrawable_display"] == "19.5 USDT"
    assert client.get("/profiles/creator_b/proceeds").json()["items"] == []


def test_unknown_passes_and_bad_ids_answer_with_the_error_shape(client, member):
    member("lonely")
    assert error(client.get("/passes/7")) == (404, "not_found")
    assert error(client.get("/passes/7/metadata")) == (404, "not_found")
    assert error(client.get(f"/passes/{7:064x}/metadata")) == (404, "not_found")
    assert error(client.get("/passes/0")) == (422, "validation_error")
    assert error(client.get("/passes/x/metadata")) == (422, "validation_error")
    assert error(client.get(f"/passes/{2**255:064x}/metadata")) == (422, "validation_error")
    assert error(client.get("/passes", params={"cursor": "%%"})) == (422, "invalid_cursor")
    assert error(client.get("/passes", params={"creator": "nobody"})) == (404, "not_found")
    assert client.get("/passes", params={"creator": "lonely"}).json() == {
        "items": [],
        "next_cursor": None,
    }
    assert client.get("/profiles/lonely/proceeds").json()["items"] == []
    assert error(client.get("/profiles/nobody/proceeds")) == (404, "not_found")
