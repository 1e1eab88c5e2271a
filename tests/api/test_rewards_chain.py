"""Rewards over a real vault on anvil and the real indexer: the API's leaderboard, allocations
and claimable lists equal the distribution files, and a claim sent with ``cast`` (Foundry's
client, which this project did not write) with the API's proof is paid exactly; claiming twice
and claiming another account's allocation revert with the vault's errors."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from eth_utils import function_signature_to_4byte_selector
from fastapi.testclient import TestClient

from tests.api.rewards_world import EPOCHS, build_world
from tests.support.api import error

CAST = shutil.which("cast")


def selector(signature: str) -> str:
    return "0x" + function_signature_to_4byte_selector(signature).hex()


def cast_claim(world, epoch: int, account: str, amount: int, proof: list[str], key) -> tuple:
    """``cast send`` a claim: (True, receipt) when sent, else (False, cast's error). The npm
    wrapper of cast may exit 0 on a failed send, so a missing receipt is the failure sign."""
    run = subprocess.run(
        [
            CAST, "send", world.vault.address,
            "claim(uint256,address,uint256,bytes32[])",
            str(epoch), account, str(amount), "[" + ",".join(proof) + "]",
            "--private-key", "0x" + bytes(key.key).hex(),
            "--rpc-url", world.w3.provider.endpoint_uri,
            "--json",
        ],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if run.returncode != 0 or not run.stdout.strip():
        return False, run.stderr
    return True, json.loads(run.stdout)


@pytest.fixture
def world(planet, tmp_path, database_url, settings_for, make_indexer, manifest_file):
    return build_world(
        planet, tmp_path / "dists", database_url, settings_for, make_indexer, manifest_file
    )


@pytest.mark.skipif(CAST is None, reason="cast (npm @foundry-rs/cast) is not installed")
def test_api_serves_the_files_and_cast_claims_with_its_proof(world):
    alice, bob = world.planet.actors.users[:2]
    client = TestClient(world.app())

    listed = client.get("/rewards/epochs").json()["items"]
    assert [e["epoch"] for e in listed] == list(EPOCHS)
    for entry in listed:
        dist = world.files[entry["epoch"]]
        assert entry["root"] == dist.root and entry["total"] == str(dist.total)
        assert entry["claimable"] is True
        closes = world.vault.functions.claimWindowClosesAt(entry["epoch"]).call()
        assert entry["claim_window_closes_at"] == closes

    for epoch in EPOCHS:
        amounts = world.amounts(epoch)
        board = client.get(f"/rewards/epochs/{epoch}/leaderboard", params={"limit": 100}).json()
        assert {e["account"]: int(e["amount"]) for e in board["items"]} == amounts
        assert [int(e["amount"]) for e in board["items"]] == sorted(amounts.values(), reverse=True)
        handles = {e["account"]: e["handle"] for e in board["items"]}
        assert handles[alice.address] == "alice" and handles[bob.address] == "bob"
        tree = world.tree(epoch)
        for account, amount in amounts.items():
            body = client.get(f"/rewards/epochs/{epoch}/allocations/{account}").json()
            assert int(body["amount"]) == amount
            assert body["proof"] == ["0x" + p.hex() for p in tree.proof(account)]
            assert body["leaf"] == "0x" + world.vault.functions.leaf(account, amount).call().hex()

    claimable = client.get(f"/rewards/claimable/{alice.address}").json()
    assert claimable["claim_many"]["epochs"] == list(EPOCHS)
    assert int(claimable["total"]) == sum(world.amount(e, alice) for e in EPOCHS)

    # cast claims epoch 0 for alice with the API's proof: paid exactly the amount
    item = claimable["items"][0]
    before = world.w3.eth.get_balance(alice.address)
    sent, receipt = cast_claim(world, 0, alice.address, int(item["amount"]), item["proof"], alice)
    assert sent, receipt
    assert int(receipt["status"], 16) == 1
    fee = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
    after = world.w3.eth.get_balance(alice.address)
    assert after - before == int(item["amount"]) - fee
    assert world.vault.functions.isClaimed(0, alice.address).call()

    # the same claim again: the vault refuses with VaultAlreadyClaimed
    sent, stderr = cast_claim(world, 0, alice.address, int(item["amount"]), item["proof"], alice)
    assert not sent and selector("VaultAlreadyClaimed(uint256,address)") in stderr, stderr

    # bob's amount and proof claimed as alice: VaultInvalidProof, nothing paid
    theirs = client.get(f"/rewards/epochs/1/allocations/{bob.address}").json()
    before = world.w3.eth.get_balance(alice.address)
    sent, stderr = cast_claim(
        world, 1, alice.address, int(theirs["amount"]), theirs["proof"], alice
    )
    assert not sent and selector("VaultInvalidProof(uint256,address,uint256)") in stderr, stderr
    assert world.w3.eth.get_balance(alice.address) == before
    assert not world.vault.functions.isClaimed(1, alice.address).call()

    # once indexed, the claim shows and epoch 0 leaves alice's claimable list
    world.indexer.catch_up()
    board = client.get("/rewards/epochs/0/leaderboard", params={"limit": 100}).json()
    assert [e["account"] for e in board["items"] if e["claimed"]] == [alice.address]
    again = client.get(f"/rewards/claimable/{alice.address}").json()
    assert again["claim_many"]["epochs"] == [1]
    assert client.get(f"/rewards/epochs/0/allocations/{alice.address}").json()["claimed"] is True

    # the file edited on disk no longer matches the fileHash on chain
    path = world.path(1)
    path.write_bytes(path.read_bytes().replace(b'"planet-weekly"', b'"planet-weekly2"'))
    reply = client.get(f"/rewards/epochs/1/allocations/{bob.address}")
    assert error(reply) == (503, "distribution_mismatch")
    assert "epoch 1" in reply.json()["error"]["message"]
    client.app.state.engine.dispose()


def test_an_allocation_in_its_challenge_period_is_listed_as_pending_then_expires(world):
    """A fan allocated 1 OKB while the root waits out its challenge period is told so, with
    when it becomes claimable (the vault's time); past the claim window, what was never
    claimed is listed as expired with the time the window closed, and its proof while the
    vault still pays it (until a sweep)."""
    planet, alice = world.planet, world.planet.actors.users[0]
    pool = 10**18
    world.propose_pending(2, alice.address, pool)
    client = TestClient(world.app())
    vault = world.vault.functions

    body = client.get(f"/rewards/claimable/{alice.address}").json()
    assert [i["epoch"] for i in body["items"]] == [0, 1]
    claimable_at = vault.epochInfo(2).call()[1][2]  # Epoch.payout.claimableAt
    assert body["pending"] == [{"epoch": 2, "amount": str(pool), "claimable_at": claimable_at}]
    assert body["pending_total"] == str(pool) and body["expired"] == []
    for item in body["items"]:
        assert item["claim_window_closes_at"] == vault.claimWindowClosesAt(item["epoch"]).call()

    planet.travel(3601)  # the challenge period passes: claimable on chain and here
    assert vault.isClaimable(2).call()
    body = client.get(f"/rewards/claimable/{alice.address}").json()
    assert [i["epoch"] for i in body["items"]] == [0, 1, 2] and body["pending"] == []

    last = max(vault.claimWindowClosesAt(e).call() for e in (0, 1, 2))
    planet.travel(last - world.now())  # every claim window closes; nothing was claimed
    body = client.get(f"/rewards/claimable/{alice.address}").json()
    assert body["items"] == [] and body["total"] == "0"
    expired = body["expired"]
    assert [(e["epoch"], e["claim_window_closed_at"], e["swept"]) for e in expired] == [
        (e, vault.claimWindowClosesAt(e).call(), False) for e in (0, 1, 2)
    ]
    # not swept yet: the vault still pays, with the proof given (simulated, not sent)
    assert vault.isClaimable(0).call()
    proof = [bytes.fromhex(p[2:]) for p in expired[0]["proof"]]
    vault.claim(0, alice.address, int(expired[0]["amount"]), proof).call()

    planet.sweep(0, vault.currentEpoch().call())  # anyone may, now; no claim after it
    world.indexer.catch_up()
    expired = client.get(f"/rewards/claimable/{alice.address}").json()["expired"]
    assert (expired[0]["epoch"], expired[0]["swept"], expired[0]["proof"]) == (0, True, None)
    assert not vault.isClaimable(0).call()
    client.app.state.engine.dispose()
