"""The demo's story, told smaller on the test chain: every step through the real chain, indexer
and API, and the claims move balances by exactly the published allocations."""

from __future__ import annotations

import httpx
import pytest
from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from planet.chain.deploy import deploy_all
from planet.chain.deploy_config import NetworkSettings
from planet.core.manifest import manifest_path
from planet.demo.story import StoryConfig, StoryResult, run
from planet.rewards.distribution import verify_distribution
from tests.support.ports import free_port

POOL = 3 * 10**17


@pytest.fixture
def told(project, chain, accounts, tmp_path) -> tuple[StoryResult, list[str], dict]:
    """Deploys with every role held by the deployer (as `make demo` does) and tells the story
    with two fans; while the API still serves, records what it answers about the week."""
    manifest, _ = deploy_all(
        project,
        chain,
        accounts[0],
        "ethereum:local",
        NetworkSettings(challenge_period=3600),
        tmp_path / "deployments",
        True,
    )
    keys = [Account.from_key(a.private_key) for a in accounts]
    config = StoryConfig(
        rpc_url=chain.provider.uri,
        manifest_path=manifest_path(manifest.chain_id, tmp_path / "deployments"),
        workdir=tmp_path / "demo",
        deployer=keys[0],
        people=keys[4:8],
        api_port=free_port(),
        pool=POOL,
        fans=2,
    )
    lines: list[str] = []
    served: dict = {}

    def ask_api(result: StoryResult) -> None:
        base = result.api_url
        served["leaderboard"] = httpx.get(
            f"{base}/rewards/epochs/{result.epoch}/leaderboard"
        ).json()
        served["published"] = httpx.get(result.close.uri)  # the URI recorded on chain
        served["chain"] = httpx.get(f"{base}/chain").json()
        served["claimable"] = {
            e.handle: httpx.get(f"{base}/rewards/claimable/{e.address}").json()
            for e in result.earners
        }

    result = run(config, lines.append, after=ask_api)
    return result, lines, served


def test_the_week_is_settled_and_claims_pay_exactly_the_allocations(told, chain):
    result, lines, served = told
    allocations = {
        a["account"].lower(): int(a["amount"])
        for a in result.close.distribution.data["allocations"]
    }
    # Every creator and active fan scored; the file is self-consistent and was proposed.
    assert {e.handle for e in result.earners} >= {"alice", "bob"}
    # the table's reason codes: alice's own order on her own post was left out, and each
    # earner's reasons are the file's
    alice = next(e for e in result.earners if e.handle == "alice")
    assert "self_interaction_removed" in alice.reasons
    published = {e["account"]: e["reasons"] for e in result.close.distribution.data["accounts"]}
    assert all(e.reasons == published[e.address] for e in result.earners)
    assert verify_distribution(result.close.distribution.data).ok
    assert result.close.tx_hash and result.close.path and result.close.path.exists()
    assert sum(allocations.values()) == result.close.distribution.total <= POOL

    # The URI the close proposed answers with the file whose hash the vault holds.
    published = served["published"]
    assert published.status_code == 200, published.text
    assert result.close.uri.startswith(f"{result.api_url}/distributions/")
    assert "0x" + keccak(published.content).hex() == result.close.file_hash
    # And the API describes the chain the wallets talk to.
    assert served["chain"]["rpc_url"] == chain.provider.uri
    assert (
        served["chain"]["contracts"]["PrizeVault"]["address"]
        == result.close.distribution.data["vault"]
    )

    # The claims: each paid its allocation, minus only the gas its own wallet paid.
    assert set(result.claims) == {"alice", "bob"}
    w3 = Web3(Web3.HTTPProvider(chain.provider.uri))
    for claimed in result.claims.values():
        amount = allocations[claimed.account.lower()]
        assert claimed.total == amount > 0
        assert claimed.after - claimed.before == amount - claimed.fee
        receipt = w3.eth.get_transaction_receipt(claimed.tx_hash)
        assert receipt["status"] == 1

    # The API's leaderboard is the file, with the two claims marked once indexed.
    board = served["leaderboard"]["items"]
    assert {i["account"].lower(): int(i["amount"]) for i in board} == allocations
    assert {i["handle"] for i in board if i["claimed"]} == {"alice", "bob"}
    # Nothing is left to claim for the claimers; the others still can.
    for earner in result.earners:
        left = served["claimable"][earner.handle]
        expected = 0 if earner.handle in ("alice", "bob") else allocations[earner.address.lower()]
        assert int(left["total"]) == expected

    # Protocol v2: the contributors' pass went to the fan with points, and its refund was paid.
    assert result.earned_pass["required"] > 0 and result.earned_pass["refund"] > 0
    assert served["chain"]["version"] == 2

    # The story said each step.
    said = "\n".join(lines)
    for step in (
        "signing up",
        "private community",
        "live session",
        "trading",
        "attestations",
        "rights earned by contribution",
        "refunded",
        "closing week",
        "claiming",
    ):
        assert step in said
