"""Creator analytics over a real anvil and the real indexer: each pass's sales and revenue per
week are the mirrored mints and renewals of that pass, less the platform fee, in its currency."""

from __future__ import annotations

from fastapi.testclient import TestClient

from planet.core.passes import PassTerms
from tests.support.api import error, sign_in
from tests.support.protocol import DAY, ZERO


def test_each_pass_shows_its_own_sales_and_revenue(planet_with_token, rpc_url, indexed_app):
    planet = planet_with_token
    creator, fan, other_fan, rival = planet.actors.users[:4]
    planet.register(creator, "seller")
    planet.register(rival, "rival")
    usdt = planet.erc20.address
    lifetime = planet.create_pass(creator, PassTerms(ZERO, 10**15, 100, 3, 0, True, 250))
    monthly = planet.create_pass(creator, PassTerms(usdt, 5_000_000, 50, 1, 30 * DAY))
    theirs = planet.create_pass(rival, PassTerms(ZERO, 10**15, 100, 3))
    planet.mint_pass(fan, lifetime, 2, fan.address)  # one purchase, whatever its quantity
    planet.mint_pass(other_fan, lifetime, 1, other_fan.address)
    planet.mint_pass(fan, monthly, 1, fan.address)
    planet.renew_pass(fan, monthly, fan.address, 2)
    planet.mint_pass(fan, theirs, 1, fan.address)  # another creator's sale

    app, _, _ = indexed_app(planet, rpc_url=rpc_url)
    client = TestClient(app)
    headers = sign_in(client, creator)
    reply = client.get("/profiles/seller/analytics", params={"weeks": 1}, headers=headers)
    assert reply.status_code == 200, reply.text
    [week] = reply.json()["weeks"]
    fee = 250  # the deployment's platform fee, in basis points
    share = lambda cost: cost - cost * fee // 10_000  # noqa: E731
    by_pass = {p["pass_id"]: p for p in week["passes"]}
    assert sorted(by_pass) == [lifetime, monthly] and week["pass_sales"] == 4
    assert by_pass[lifetime]["sales"] == 2
    assert by_pass[lifetime]["revenue"]["amount"] == str(share(2 * 10**15) + share(10**15))
    assert by_pass[lifetime]["revenue"]["currency"]["symbol"] == "OKB"
    assert by_pass[monthly]["sales"] == 2
    assert by_pass[monthly]["revenue"]["amount"] == str(2 * share(5_000_000) + share(5_000_000))
    assert by_pass[monthly]["revenue"]["display"] == f"{3 * share(5_000_000) / 10**6:g} USDT"

    csv = client.get(
        "/profiles/seller/analytics", params={"weeks": 1, "format": "csv"}, headers=headers
    ).text
    header, line = csv.splitlines()
    row = dict(zip(header.split(","), line.split(","), strict=True))
    assert row[f"pass_{lifetime}_sales"] == "2" and row[f"pass_{monthly}_sales"] == "2"
    assert row[f"pass_{monthly}_revenue_USDT"] == by_pass[monthly]["revenue"]["amount"]
    assert row[f"pass_{lifetime}_revenue_OKB"] == by_pass[lifetime]["revenue"]["amount"]
    assert f"pass_{theirs}_sales" not in row
    rival_headers = sign_in(client, rival)
    refused = client.get("/profiles/seller/analytics", headers=rival_headers)
    assert error(refused) == (403, "not_your_analytics")
