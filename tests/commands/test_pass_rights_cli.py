"""``planet pass`` for protocol v2 against a real anvil: a creator requires contribution
points and sets a refund window, ``rights`` names what a wallet misses, ``buy`` refuses before
sending (exit 1, one line, nothing sent) until the fan earned the points, ``cancel`` refunds the
latest payment into the fan's proceeds and ``withdraw`` pays it; ``gift`` gives a batch; and
the creator-only commands refuse anyone else."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from eth_account.signers.local import LocalAccount

from planet.commands.main import main
from planet.core.passes import PassTerms
from tests.support.protocol import DAY, ZERO, Planet

PRICE = 10**15


def _run(planet: Planet, manifest_file, rpc_url, user: LocalAccount | None, *args: str) -> Any:
    env = {"PLANET_RPC_URL": rpc_url, "PLANET_MANIFEST": str(manifest_file)}
    if user is not None:
        env["PLANET_PRIVATE_KEY"] = "0x" + bytes(user.key).hex()
    return CliRunner(mix_stderr=False).invoke(main, [*args, "--json"], env=env)


def test_points_gate_a_purchase_and_a_cancel_refunds_by_pull(
    planet_with_token, manifest_file, rpc_url
):
    planet = planet_with_token
    creator, fan, other, friend = planet.actors.users[:4]
    planet.register(creator, "gate_creator")
    planet.register(fan, "gate_fan")

    def run(user, *args, ok=True):
        done = _run(planet, manifest_file, rpc_url, user, *args)
        assert (done.exit_code == 0) == ok, (args, done.stdout, done.stderr)
        return json.loads(done.stdout) if ok else done.stderr

    monthly = planet.create_pass(creator, PassTerms(ZERO, PRICE, 50, 1, 30 * DAY))
    shown = run(None, "pass", "show", str(monthly))
    assert shown["protocol_version"] == 2 and shown["requirements"]["min_points"] == 0
    run(creator, "pass", "require", str(monthly), "--min-points", "40", "--yes")
    run(creator, "pass", "refund-window", str(monthly), "7d", "--yes")

    rights = run(None, "pass", "rights", str(monthly), fan.address)
    assert rights["missing"] == [{"requirement": "points", "required": 40, "has": 0}]
    assert (rights["can_mint"], rights["mint_blocked"]) == (False, "not_enough_points")
    refused = run(fan, "pass", "buy", str(monthly), "--yes", ok=False)
    assert "40 contribution points (has 0)" in refused and "Traceback" not in refused
    assert planet.community_pass.functions.balanceOf(fan.address, monthly).call() == 0

    c, sig = planet.contribution(fan.address, 45)
    planet.send(planet.points.functions.attest(c.as_tuple(), sig), fan)
    assert run(None, "pass", "rights", str(monthly), fan.address)["can_mint"]
    bought = run(fan, "pass", "buy", str(monthly), "--yes")
    assert bought["paid"] == PRICE

    cancelled = run(fan, "pass", "cancel", str(monthly), "--yes")
    assert 0 < cancelled["refund"] <= PRICE
    owed = planet.community_pass.functions.proceeds(fan.address, ZERO).call()
    assert owed == cancelled["refund"]
    withdrawn = run(fan, "pass", "withdraw", "--yes")
    assert withdrawn["amount"] == owed
    again = run(fan, "pass", "cancel", str(monthly), "--yes", ok=False)
    assert "nothing to refund" in again

    gifted = run(creator, "pass", "gift", str(monthly), other.address, friend.address, "--yes")
    assert gifted["recipients"] == [other.address, friend.address]
    assert planet.community_pass.functions.expiryOf(monthly, friend.address).call() > 0

    # creator-only commands refuse anyone else before sending
    assert "only its creator" in run(fan, "pass", "gift", str(monthly), fan.address, ok=False)
    assert "only its creator" in run(
        fan, "pass", "require", str(monthly), "--min-points", "1", ok=False
    )
    assert "at most 30d" in run(creator, "pass", "refund-window", str(monthly), "31d", ok=False)
