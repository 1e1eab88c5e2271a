"""Property: after any sequence of CommunityPass actions (create, mint, renew, transfer, cap,
pause, price, withdraw, treasury and fee changes) and any lapse of time, the pass routes
answer what the contract answers: every term, the supply, holders and active holders
(``balanceOf`` and ``hasAccess`` over every wallet that ever held one) and each payee's
withdrawable proceeds, with the price in the currency's human units."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from eth_utils import to_checksum_address
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from api.app import create_app
from api.settings import ApiSettings
from planet.store import OFFCHAIN, make_engine, migrate
from planet.store.mirror import pass_holdings
from tests.support.api import SECRET
from tests.support.profiles import examples
from tests.support.protocol import DAY, ZERO

DECIMALS = {ZERO: 18}  # the test token has 6, read from it below


@pytest.mark.slow  # a chain, an indexer and an app per example
@settings(
    max_examples=examples(12),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(1, 30),
    later=st.sampled_from([0, DAY - 1, DAY, 8 * DAY, 31 * DAY]),
)
def test_the_pass_routes_answer_what_the_contract_answers(
    planet_with_token, new_database, settings_for, make_indexer, manifest, manifest_file,
    rpc_url, seed, steps, later,
):  # fmt: skip
    planet = planet_with_token
    rpc = planet.w3.provider
    snapshot = rpc.make_request("evm_snapshot", [])["result"]
    known = planet.remember()
    try:
        planet.rng = random.Random(seed)
        for i, user in enumerate(planet.actors.users[:4]):
            planet.register(user, f"seller_{i}")
        for _ in range(steps):
            planet.random_pass_step()
        planet.travel(later)
        check(planet, new_database, settings_for, make_indexer, manifest, manifest_file, rpc_url)
    finally:
        assert rpc.make_request("evm_revert", [snapshot])["result"] is True
        planet.forget_since(known)


def check(planet, new_database, settings_for, make_indexer, manifest, manifest_file, rpc_url):
    url = new_database("sqlite", migrated=True)
    indexer, engine = make_indexer(settings_for(url))
    indexer.catch_up()
    migrate(engine, OFFCHAIN)
    app = create_app(
        ApiSettings(
            database_url=url,
            chain_id=manifest.chain_id,
            session_secret=SECRET,
            manifest=manifest_file,
            rpc_url=rpc_url,
        ),
        clock=lambda: planet.w3.eth.get_block("latest").timestamp,
    )
    cp = planet.community_pass.functions
    token = planet.erc20.address.lower()
    decimals = {**DECIMALS, token: planet.erc20.functions.decimals().call()}
    with TestClient(app) as client:
        served = client.get("/passes", params={"limit": 100}).json()["items"]
        assert [p["id"] for p in served] == list(planet.pass_ids)
        reader = make_engine(url)
        with reader.connect() as conn:  # every wallet that ever held a pass, as mirrored
            wallets = {r.holder for r in conn.execute(select(pass_holdings.c.holder))}
        reader.dispose()
        wallets |= planet.addresses
        for p in served:
            info = planet.pass_info(p["id"])
            terms = p["terms"]
            assert (terms["price"], terms["duration"]) == (str(info.price), info.duration)
            assert (terms["max_supply"], terms["wallet_limit"]) == (
                str(info.max_supply),
                str(info.wallet_limit),
            )
            assert (terms["transferable"], terms["royalty_bps"], terms["fee_bps"]) == (
                info.transferable,
                info.royalty_bps,
                info.fee_bps,
            )
            assert (terms["uri"], p["paused"], p["supply"]) == (
                info.uri,
                info.paused,
                str(info.minted),
            )
            currency = info.currency.lower()
            shown = Decimal(terms["price_display"].split()[0])
            assert shown.scaleb(decimals[currency]) == info.price
            held = [w for w in wallets if cp.balanceOf(to_checksum_address(w), p["id"]).call()]
            access = [w for w in wallets if cp.hasAccess(to_checksum_address(w), p["id"]).call()]
            assert (p["holders"], p["active_holders"]) == (len(held), len(access))
        for user in planet.actors.users:
            proceeds = client.get(f"/profiles/{user.address}/proceeds")
            if proceeds.status_code == 404:  # no identity: proceeds are by profile
                continue
            answered = {
                i["currency"]["address"].lower(): int(i["withdrawable"])
                for i in proceeds.json()["items"]
            }
            for currency in (ZERO, token):
                on_chain = cp.proceeds(user.address, to_checksum_address(currency)).call()
                assert answered.get(currency, 0) == on_chain
    app.state.engine.dispose()
