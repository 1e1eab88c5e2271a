"""Rewards routes over mirrored vault rows as the indexer writes them and distribution files
built by ``build_distribution``, on SQLite and PostgreSQL: ranking and pagination, proofs that
verify against the root, claimable filtering by time, claims and window, and every refusal."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from eth_account import Account
from sqlalchemy import insert

from planet.core.merkle import verify
from planet.rewards.distribution import build_distribution, digest_inputs
from planet.store.mirror import vault_claims, vault_epochs, vault_pauses
from tests.support.api import CHAIN_ID, START, add_identity, error

VAULT = "0x" + "cd" * 20
WINDOW = 3600 * 24 * 7
ACCOUNTS = [Account.create(extra_entropy=f"rewards {i}").address for i in range(7)]


def distribution(epoch: int, pool: int, scores: dict[str, int]):
    return build_distribution(
        chain_id=CHAIN_ID,
        vault=VAULT,
        epoch=epoch,
        pool=pool,
        scores=scores,
        formula_name="test",
        formula_version="1",
        weights={"post": 1},
        inputs_digest=digest_inputs([epoch]),
        trade_exchanges=["okx"],
        cap_share=Fraction(1, 2),
    )


def publish(engine, root_dir: Path, epoch: int, dist, claimable_at: int, **row) -> str:
    """Writes the file where the API looks and the vault row the indexer would mirror."""
    folder = root_dir / str(CHAIN_ID)
    folder.mkdir(parents=True, exist_ok=True)
    digest = dist.write(folder / f"epoch-{epoch}.json")
    values = {
        "chain_id": CHAIN_ID,
        "epoch": epoch,
        "funded": int(dist.data["pool"]),
        "paid": 0,
        "swept_out": 0,
        "root": dist.root,
        "total": dist.total,
        "uri": f"ipfs://dist/{epoch}",
        "file_hash": digest,
        "claimable_at": claimable_at,
        "status": "proposed",
        "veto_reason": None,
        "swept": False,
        "distributor": VAULT,
        "swept_to": None,
        "swept_in": 0,
        "updated_block": 1,
    }
    values.update(row)
    with engine.begin() as conn:
        conn.execute(insert(vault_epochs).values(**values))
    return digest


def amount(dist, account: str) -> int:
    return next(int(e["amount"]) for e in dist.data["allocations"] if e["account"] == account)


def claim_row(engine, epoch: int, account: str, amount: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(vault_claims).values(
                chain_id=CHAIN_ID,
                epoch=epoch,
                account=account.lower(),
                amount=amount,
                block_number=2,
                log_index=0,
                tx_hash="0x" + "22" * 32,
            )
        )


@pytest.fixture
def dists_dir(tmp_path) -> Path:
    return tmp_path / "distributions"


@pytest.fixture
def rewards_client(make_client, dists_dir):
    return make_client(distributions_dir=dists_dir, claim_window=WINDOW)


def test_unconfigured_server_answers_503(make_client):
    client = make_client(distributions_dir=None)
    for path in ("/rewards/epochs", f"/rewards/claimable/{ACCOUNTS[0]}"):
        assert error(client.get(path)) == (503, "rewards_unavailable")


@pytest.mark.dialects  # keyset paging: the SQL differs by dialect
def test_leaderboard_ranks_and_pages_the_file(rewards_client, engine, dists_dir):
    scores = {a: i % 3 + 1 for i, a in enumerate(ACCOUNTS)}
    dist = distribution(1, 10**18 + 3, scores)
    publish(engine, dists_dir, 1, dist, START - 10)
    add_identity(engine, ACCOUNTS[2], "ranked")
    claim_row(engine, 1, ACCOUNTS[2], amount(dist, ACCOUNTS[2]))

    entries, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = rewards_client.get("/rewards/epochs/1/leaderboard", params=params).json()
        assert page["accounts"] == len(ACCOUNTS) and page["root"] == dist.root
        entries += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    amounts = {e["account"].lower(): int(e["amount"]) for e in dist.data["allocations"]}
    assert {e["account"].lower(): int(e["amount"]) for e in entries} == amounts
    assert [e["rank"] for e in entries] == list(range(1, len(ACCOUNTS) + 1))
    keys = [(-int(e["amount"]), e["account"].lower()) for e in entries]
    assert keys == sorted(keys)
    by_account = {e["account"]: e for e in entries}
    assert by_account[ACCOUNTS[2]]["handle"] == "ranked"
    assert by_account[ACCOUNTS[2]]["claimed"] is True
    assert [e["account"] for e in entries if e["claimed"]] == [ACCOUNTS[2]]
    assert by_account[ACCOUNTS[0]]["score"] == str(scores[ACCOUNTS[0]])

    bad = rewards_client.get("/rewards/epochs/1/leaderboard", params={"cursor": "!!"})
    assert error(bad) == (422, "invalid_cursor")


def test_allocation_proof_verifies_against_the_root(rewards_client, engine, dists_dir):
    dist = distribution(2, 1000, {a: 1 for a in ACCOUNTS[:5]})
    publish(engine, dists_dir, 2, dist, START - 10)
    for account in ACCOUNTS[:5]:
        reply = rewards_client.get(f"/rewards/epochs/2/allocations/{account.lower()}")
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["account"] == account and body["root"] == dist.root
        assert int(body["amount"]) == amount(dist, account)
        proof = [bytes.fromhex(p[2:]) for p in body["proof"]]
        assert verify(bytes.fromhex(dist.root[2:]), account, amount(dist, account), proof)
        assert body["claimed"] is False

    assert error(rewards_client.get(f"/rewards/epochs/2/allocations/{ACCOUNTS[6]}")) == (
        404,
        "no_allocation",
    )
    for bad in ("0x1234", "not-an-address", "0x" + "g" * 40):
        reply = rewards_client.get(f"/rewards/epochs/2/allocations/{bad}")
        assert error(reply) == (422, "validation_error")
    assert error(rewards_client.get("/rewards/epochs/-1/leaderboard"))[0] == 422


def test_an_accounts_reasons_are_served_from_the_file(rewards_client, engine, dists_dir):
    paid, farmed, capped = ACCOUNTS[0], ACCOUNTS[1], ACCOUNTS[2]
    reports = {
        paid: {
            "before": {"like": "3", "points": "20"},
            "after": {"like": "5/2", "points": "20"},
            "standing": "1",
            "reasons": ["low_trust_discounted"],
        },
        farmed: {
            "before": {"like": "9", "points": "40"},
            "after": {"like": "0", "points": "0"},
            "standing": "0",
            "reasons": ["low_trust_discounted", "same_funder_cluster"],
        },
        capped: {"before": {}, "after": {"like": "50"}, "standing": "1", "reasons": []},
    }
    dist = build_distribution(
        chain_id=CHAIN_ID,
        vault=VAULT,
        epoch=6,
        pool=1000,
        scores={paid: Fraction(15), capped: Fraction(100)},
        formula_name="test",
        formula_version="2",
        weights={"like": "2", "points": "1/2"},
        inputs_digest=digest_inputs([6]),
        trade_exchanges=["okx"],
        cap_share=Fraction(1, 2),
        trust={"damping": "1/2"},
        reports=reports,
        clusters=[],
        reason_codes={"capped": "held at the cap", "same_funder_cluster": "left out"},
    )
    publish(engine, dists_dir, 6, dist, START - 10)

    body = rewards_client.get(f"/rewards/epochs/6/accounts/{paid.lower()}").json()
    assert body["account"] == paid and int(body["amount"]) == amount(dist, paid) > 0
    assert body["score"] == "15" and body["standing"] == "1" and body["rank"] in (1, 2)
    assert body["before"] == {"like": "3", "points": "20"}
    assert body["after"] == {"like": "5/2", "points": "20"}
    assert [r["code"] for r in body["reasons"]] == ["low_trust_discounted"]

    farmed_body = rewards_client.get(f"/rewards/epochs/6/accounts/{farmed}").json()
    assert farmed_body["amount"] == "0" and farmed_body["rank"] is None
    assert {r["code"]: r["meaning"] for r in farmed_body["reasons"]} == {
        "low_trust_discounted": "",
        "same_funder_cluster": "left out",
    }
    # the leaderboard names each paid account's reasons, and what the codes mean
    board = rewards_client.get("/rewards/epochs/6/leaderboard").json()
    assert {e["account"].lower(): e["reasons"] for e in board["items"]} == {
        paid.lower(): ["low_trust_discounted"],
        capped.lower(): ["capped"],
    }
    assert board["reason_codes"]["capped"] == "held at the cap"
    capped_body = rewards_client.get(f"/rewards/epochs/6/accounts/{capped}").json()
    assert [r["code"] for r in capped_body["reasons"]] == ["capped"]
    assert capped_body["reasons"][0]["meaning"] == "held at the cap"

    missing = rewards_client.get(f"/rewards/epochs/6/accounts/{ACCOUNTS[6]}")
    assert error(missing) == (404, "no_allocation")
    assert error(rewards_client.get(f"/rewards/epochs/9/accounts/{paid}"))[0] == 404
    # a file of a formula without trust: the amount, and no reasons
    plain = distribution(7, 1000, {paid: 1})
    publish(engine, dists_dir, 7, plain, START - 10)
    old = rewards_client.get(f"/rewards/epochs/7/accounts/{paid}").json()
    assert old["amount"] == str(amount(plain, paid)) and old["reasons"] == []
    assert old["standing"] is None and old["before"] == {}


def test_pending_and_expired_epochs_without_a_file_here_are_left_out(
    rewards_client, engine, dists_dir
):
    """A claimable epoch whose file is missing fails the answer (the claim would need its
    proof); a pending or expired one is only left out, so an old file removed from the folder
    does not hide what is claimable now."""
    me = ACCOUNTS[0]
    for epoch, at in ((7, START - 3 * WINDOW), (8, START + 60), (9, START - 60)):
        publish(engine, dists_dir, epoch, distribution(epoch, 100, {me: 1}), at)
    for epoch in (7, 8):
        (dists_dir / str(CHAIN_ID) / f"epoch-{epoch}.json").unlink()
    body = rewards_client.get(f"/rewards/claimable/{me}").json()
    assert [i["epoch"] for i in body["items"]] == [9]
    assert body["pending"] == [] and body["expired"] == []
    (dists_dir / str(CHAIN_ID) / "epoch-9.json").unlink()
    assert error(rewards_client.get(f"/rewards/claimable/{me}")) == (503, "distribution_missing")


def test_vetoed_and_unknown_epochs_are_not_published(rewards_client, engine, dists_dir):
    dist = distribution(3, 1000, {ACCOUNTS[0]: 1})
    publish(engine, dists_dir, 3, dist, START - 10, status="vetoed", veto_reason="wrong")
    for epoch in (3, 99):
        reply = rewards_client.get(f"/rewards/epochs/{epoch}/allocations/{ACCOUNTS[0]}")
        assert error(reply) == (404, "epoch_not_published")
        assert error(rewards_client.get(f"/rewards/epochs/{epoch}/leaderboard"))[1] == (
            "epoch_not_published"
        )
    assert rewards_client.get("/rewards/epochs").json()["items"] == []
    assert rewards_client.get(f"/rewards/claimable/{ACCOUNTS[0]}").json()["items"] == []


def test_claimable_follows_time_claims_and_the_window(rewards_client, engine, dists_dir, clock):
    me = ACCOUNTS[0]
    d1 = distribution(1, 1000, {me: 1, ACCOUNTS[1]: 1})
    d2 = distribution(2, 500, {me: 3, ACCOUNTS[1]: 1})
    d3 = distribution(3, 900, {me: 1, ACCOUNTS[1]: 2})
    d4 = distribution(4, 800, {ACCOUNTS[1]: 1})  # nothing for me
    publish(engine, dists_dir, 1, d1, START - 2 * WINDOW)  # window closed
    publish(engine, dists_dir, 2, d2, START - 100)
    publish(engine, dists_dir, 3, d3, START + 3600)  # still in its challenge period
    publish(engine, dists_dir, 4, d4, START - 100)

    def claimable() -> dict:
        reply = rewards_client.get(f"/rewards/claimable/{me.lower()}")
        assert reply.status_code == 200, reply.text
        return reply.json()

    body = claimable()
    assert body["account"] == me and body["chain_id"] == CHAIN_ID
    assert [i["epoch"] for i in body["items"]] == [2]
    assert body["total"] == str(amount(d2, me)) == body["items"][0]["amount"]
    assert body["items"][0]["claim_window_closes_at"] == START - 100 + WINDOW
    # what is not claimable now is listed too, with its times
    assert body["pending"] == [
        {"epoch": 3, "amount": str(amount(d3, me)), "claimable_at": START + 3600}
    ]
    assert body["pending_total"] == str(amount(d3, me))
    [expired] = body["expired"]
    assert expired == {
        "epoch": 1,
        "amount": str(amount(d1, me)),
        "claim_window_closed_at": START - 2 * WINDOW + WINDOW,
        "swept": False,
        "proof": expired["proof"],
    }
    proof = [bytes.fromhex(p[2:]) for p in expired["proof"]]  # the vault pays until swept
    assert verify(bytes.fromhex(d1.root[2:]), me, amount(d1, me), proof)
    assert body["claim_many"] == {
        "epochs": [2],
        "account": me,
        "amounts": [str(amount(d2, me))],
        "proofs": [body["items"][0]["proof"]],
    }

    clock.advance(3600)  # epoch 3 becomes claimable exactly at claimable_at
    body = claimable()
    assert [i["epoch"] for i in body["items"]] == [2, 3]
    assert body["total"] == str(amount(d2, me) + amount(d3, me))
    assert (body["pending"], body["pending_total"]) == ([], "0")

    assert body["claimed"] == []
    claim_row(engine, 2, me, amount(d2, me))  # indexed claim: gone from the list
    body = claimable()
    assert [i["epoch"] for i in body["items"]] == [3]
    assert body["claimed"] == [{"epoch": 2, "amount": str(amount(d2, me))}]

    clock.advance(WINDOW - 1)  # epoch 2's window closed (claimed: not expired); 3's is open
    body = claimable()
    assert [i["epoch"] for i in body["items"]] == [3]
    assert [e["epoch"] for e in body["expired"]] == [1]
    clock.advance(1)  # 3's closes (exclusive), never claimed: expired
    body = claimable()
    assert body["items"] == [] and body["total"] == "0"
    assert [(e["epoch"], e["claim_window_closed_at"]) for e in body["expired"]] == [
        (1, START - WINDOW),
        (3, START + 3600 + WINDOW),
    ]
    clock.advance(-WINDOW)

    listed = {e["epoch"]: e for e in rewards_client.get("/rewards/epochs").json()["items"]}
    assert sorted(listed) == [1, 2, 3, 4]
    assert listed[1]["claimable"] is False and listed[3]["claimable"] is True
    assert listed[2]["claim_window_closes_at"] == START - 100 + WINDOW
    assert listed[2]["pool"] == "500" and listed[2]["total"] == str(d2.total)


def test_a_vault_pause_extends_the_window_it_overlapped(rewards_client, engine, dists_dir):
    """The vault adds the time it was paused after a root's proposal to that root's window
    (PrizeVault.claimWindowClosesAt); the API's window follows the mirrored pauses, so a claim
    the chain still takes is still offered. Without a manifest the challenge period is taken
    as 0: the pause counts from claimableAt."""
    me = ACCOUNTS[0]
    dist = distribution(2, 500, {me: 3, ACCOUNTS[1]: 1})
    claimable_at = START - WINDOW - 50  # the plain window closed 50 s ago
    publish(engine, dists_dir, 2, dist, claimable_at)
    assert rewards_client.get(f"/rewards/claimable/{me.lower()}").json()["items"] == []
    with engine.begin() as conn:
        for paused_at, unpaused_at in (
            (claimable_at - 500, claimable_at + 40),
            (START - 90, START - 30),
        ):
            conn.execute(
                insert(vault_pauses).values(
                    chain_id=CHAIN_ID,
                    paused_at=paused_at,
                    unpaused_at=unpaused_at,
                    block_number=1,
                    tx_hash="0x" + "11" * 32,
                )
            )
    # 40 s of the first pause fall after the proposal, all 60 s of the second: +100 s
    listed = rewards_client.get("/rewards/epochs").json()["items"]
    assert listed[0]["claim_window_closes_at"] == claimable_at + WINDOW + 100
    items = rewards_client.get(f"/rewards/claimable/{me.lower()}").json()["items"]
    assert [i["epoch"] for i in items] == [2]


def test_file_differing_from_the_chain_is_refused(rewards_client, engine, dists_dir):
    dist = distribution(5, 1000, {ACCOUNTS[0]: 1, ACCOUNTS[1]: 2})
    publish(engine, dists_dir, 5, dist, START - 10)
    path = dists_dir / str(CHAIN_ID) / "epoch-5.json"
    url = f"/rewards/epochs/5/allocations/{ACCOUNTS[0]}"
    assert rewards_client.get(url).status_code == 200  # cached after this

    path.write_bytes(path.read_bytes().replace(b'"post":1', b'"post":2'))
    status, code = error(reply := rewards_client.get(url))
    assert (status, code) == (503, "distribution_mismatch")
    assert "epoch 5" in reply.json()["error"]["message"]
    assert error(rewards_client.get(f"/rewards/claimable/{ACCOUNTS[0]}")) == (
        503,
        "distribution_mismatch",
    )

    path.unlink()
    assert error(rewards_client.get(url)) == (503, "distribution_missing")


def test_file_with_another_root_is_refused(rewards_client, engine, dists_dir):
    dist = distribution(6, 1000, {ACCOUNTS[0]: 1, ACCOUNTS[1]: 2})
    other = distribution(6, 998, {ACCOUNTS[0]: 1, ACCOUNTS[1]: 2})
    assert other.root != dist.root
    digest = publish(engine, dists_dir, 6, dist, START - 10, root=other.root)
    assert digest  # the hash matches, the root does not
    reply = rewards_client.get("/rewards/epochs/6/leaderboard")
    assert error(reply) == (503, "distribution_mismatch")
    assert "root" in reply.json()["error"]["message"]


def test_openapi_documents_the_rewards_routes(rewards_client):
    spec = rewards_client.get("/openapi.json").json()
    for path in (
        "/rewards/epochs",
        "/rewards/epochs/{epoch}/leaderboard",
        "/rewards/epochs/{epoch}/allocations/{address}",
        "/rewards/epochs/{epoch}/accounts/{address}",
        "/rewards/claimable/{address}",
    ):
        operation = spec["paths"][path]["get"]
        assert operation["tags"] == ["rewards"]
        assert "503" in operation["responses"]
