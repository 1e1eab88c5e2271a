"""Pass rights over a real anvil and the real indexer (protocol v2): for every wallet, what
``GET /passes/{id}/rights/{wallet}`` answers (the requirements it misses, whether it may buy
or renew and why not, its renewal price, the refund a cancel would pay) equals what
CommunityPass's views answer, after points were earned, a refund window set, a price raised
under notice, a payment refunded and another left refundable."""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address
from fastapi.testclient import TestClient

from planet.core.passes import BLOCKS, PassTerms
from tests.support.api import error
from tests.support.protocol import DAY, ZERO

PRICE = 10**15


@pytest.mark.dialects  # points sums and the proceeds read run on SQLite and PostgreSQL
def test_rights_are_what_the_contract_says(planet_with_token, rpc_url, indexed_app):
    planet = planet_with_token
    creator, earner, idle, refunder, verified = planet.actors.users[:5]
    for user, handle in (
        (creator, "rights_creator"),
        (earner, "earner"),
        (idle, "idle"),
        (refunder, "refunder"),
    ):
        planet.register(user, handle)
    token = planet.register(verified, "verified_one")
    planet.verify(token, True)
    cp = planet.community_pass.functions
    points = planet.points.functions
    for user, amount in ((earner, 120), (refunder, 60), (idle, 5)):
        c, sig = planet.contribution(user.address, amount)
        planet.send(points.attest(c.as_tuple(), sig), user)
    monthly = planet.create_pass(creator, PassTerms(ZERO, PRICE, 100, 1, 30 * DAY))
    planet.send(cp.setRequirements(monthly, (50, 0, False)), creator)
    planet.send(cp.setRefundWindow(monthly, 7 * DAY), creator)
    members = planet.create_pass(creator, PassTerms(ZERO, PRICE, 100, 2, 0, True))
    planet.send(cp.setRequirements(members, (0, 0, True)), creator)
    planet.mint_pass(earner, monthly, 1, earner.address)
    planet.mint_pass(refunder, monthly, 2, refunder.address)
    planet.send(cp.cancelSubscription(monthly), refunder)  # refunded: nothing left to refund
    planet.renew_pass(refunder, monthly, refunder.address, 1)  # refundable again
    planet.send(cp.setPrice(monthly, 3 * PRICE), creator)  # holders keep PRICE for a notice
    planet.mint_pass(verified, members, 1, verified.address)

    app, _, _ = indexed_app(planet, rpc_url=rpc_url)
    client = TestClient(app)

    for pass_id in (monthly, members):
        served = client.get(f"/passes/{pass_id}").json()
        policy = cp.policy(pass_id).call()
        assert served["requirements"] == {
            "min_points": str(policy[0]),
            "points_weeks": policy[1],
            "verified_identity": policy[2],
        }
        assert served["refund_window"] == policy[3]
        for user in (creator, earner, idle, refunder, verified):
            wallet = user.address
            rights = client.get(f"/passes/{pass_id}/rights/{wallet.lower()}").json()
            assert rights["wallet"] == to_checksum_address(wallet)
            can_mint, why_not_mint = cp.canMint(pass_id, wallet).call()
            can_renew, why_not_renew = cp.canRenew(pass_id, wallet).call()
            assert (rights["can_mint"], rights["mint_blocked"]) == (can_mint, BLOCKS[why_not_mint])
            assert (rights["can_renew"], rights["renew_blocked"]) == (
                can_renew,
                BLOCKS[why_not_renew],
            )
            assert rights["points"] == str(cp.pointsFor(pass_id, wallet).call())
            refund, funded = cp.refundable(pass_id, wallet).call()
            assert (rights["refund"]["amount"], rights["refund"]["funded"]) == (
                str(refund),
                funded if refund else False,
            )
            if can_renew:
                assert rights["renewal_price"] == str(cp.renewalPrice(pass_id, wallet).call())
            assert rights["snapshot_price"] == str(cp.termsOf(pass_id, wallet).call()[0])

    served = client.get(f"/passes/{monthly}").json()
    assert served["holders_price_from"] == cp.policy(monthly).call()[4] + 30 * DAY
    idle_rights = client.get(f"/passes/{monthly}/rights/{idle.address}").json()
    assert idle_rights["missing"] == [{"requirement": "points", "required": "50", "has": "5"}]
    assert idle_rights["mint_blocked"] == "not_enough_points"
    renewing = client.get(f"/passes/{monthly}/rights/{refunder.address}").json()
    assert renewing["renewal_price"] == str(PRICE)  # the snapshot, during the notice
    assert renewing["refund"]["available"] and int(renewing["refund"]["amount"]) > 0
    identity_rights = client.get(f"/passes/{members}/rights/{idle.address}").json()
    assert identity_rights["missing"] == [
        {"requirement": "verified_identity", "required": None, "has": None}
    ]
    assert client.get(f"/passes/{members}/rights/{verified.address}").json()["can_mint"]

    # bad input: a malformed wallet is 422 naming it, an unknown pass 404
    bad = client.get(f"/passes/{monthly}/rights/0x123")
    assert error(bad) == (422, "validation_error") and "wallet" in bad.text
    assert error(client.get(f"/passes/999/rights/{idle.address}")) == (404, "not_found")
