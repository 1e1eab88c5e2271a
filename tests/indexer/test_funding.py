"""Each identity owner's first funding transaction, looked up by the indexer on a real anvil, and
what the week's close makes of it: two identities funded from one wallet that engage each other
are one `same_funder_cluster`, their mutual engagement left out and flagged for review, while
honest identities funded from wallets of their own keep theirs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy import select, update

from planet.commands.main import main
from planet.core.epochs import EpochCalendar, week_start
from planet.rewards import close, trust
from planet.rewards.distribution import digest_inputs
from planet.rewards.scoring import load as load_config
from planet.store.mirror import owner_fundings
from tests.support.protocol import Planet
from tests.support.rows import Seeder

# The lookup's SQL runs on both dialects, as the rest of the indexer's writes.
pytestmark = pytest.mark.dialects

ETHER = 10**18
LOCAL = Path(__file__).resolve().parents[2] / "config" / "scoring-local.yaml"


def fund(planet: Planet, funder: LocalAccount, to: str, value: int) -> str:
    """A plain transfer of native value: no log, nothing the mirror's events see."""
    tx = planet.w3.eth.send_transaction({"from": funder.address, "to": to, "value": value})
    planet.w3.eth.wait_for_transaction_receipt(tx, poll_latency=0.01)
    return "0x" + bytes(tx).hex()


def register_fresh(planet: Planet, owner: LocalAccount, handle: str) -> int:
    """``register`` signed by a wallet the node does not hold (it pays its own gas)."""
    call = planet.identity.functions.register(planet._registration(handle).as_tuple())
    raw = planet.raw(call, owner, planet.w3.eth.get_transaction_count(owner.address))
    tx = planet.w3.eth.send_raw_transaction(raw)
    assert planet.w3.eth.wait_for_transaction_receipt(tx, poll_latency=0.01).status == 1
    return planet._registered(owner.address)


@pytest.fixture
def week(planet: Planet) -> dict[str, object]:
    """A farmer's wallet funds two fresh wallets; two honest wallets are funded by two others;
    all four register; a fifth identity is registered by a relayer and never funded, and an
    old wallet (funded at genesis) registers as well."""
    users = planet.actors.users
    start = planet.w3.eth.block_number  # every funding of this week lies after it
    farmer, honest_funders = users[5], (users[3], users[4])
    farm = [Account.create(extra_entropy=f"farm{i}") for i in range(2)]
    honest = [Account.create(extra_entropy=f"honest{i}") for i in range(2)]
    txs = {w.address.lower(): fund(planet, farmer, w.address, ETHER) for w in farm}
    for w, funder in zip(honest, honest_funders, strict=True):
        txs[w.address.lower()] = fund(planet, funder, w.address, 2 * ETHER)
    tokens = {}
    for i, w in enumerate(farm + honest):
        tokens[w.address.lower()] = register_fresh(planet, w, f"fresh_{i}")
    relayed = planet.register_relayed(users[0])
    planet.register(users[1], "old_wallet")
    return {
        "farmer": farmer,
        "honest_funders": honest_funders,
        "farm": farm,
        "honest": honest,
        "txs": txs,
        "tokens": tokens,
        "relayed": relayed,
        "old": users[1],
        "start": start,
    }


def recent_window(planet: Planet, week: dict[str, object]) -> int:
    """A look-back that reaches just before the week began: the session's anvil, after the
    reverts and reorgs of other tests, need not answer for its oldest blocks (a node without
    that history is ``unavailable``, as the README says), and the week's story needs no more."""
    start = week["start"]
    assert isinstance(start, int)
    return planet.w3.eth.block_number - start + 1


def test_the_indexer_records_each_owners_first_funding(
    planet, week, database_url, settings_for, make_indexer
):
    indexer, engine = make_indexer(
        settings_for(database_url, funding_window=recent_window(planet, week))
    )
    indexer.catch_up()

    with engine.connect() as conn:
        rows = {r.owner: r for r in conn.execute(select(owner_fundings))}
    farmer = week["farmer"].address.lower()
    for w in week["farm"]:
        row = rows[w.address.lower()]
        assert (row.status, row.funder, row.amount) == ("found", farmer, ETHER)
        assert row.tx_hash == week["txs"][w.address.lower()]
        receipt = planet.w3.eth.get_transaction_receipt(row.tx_hash)
        assert row.block_number == receipt.blockNumber
        assert row.block_time == planet.w3.eth.get_block(receipt.blockNumber).timestamp
    for w, funder in zip(week["honest"], week["honest_funders"], strict=True):
        row = rows[w.address.lower()]
        assert (row.status, row.funder, row.amount) == ("found", funder.address.lower(), 2 * ETHER)
    # a relayer paid its gas: no value ever reached it (its relayer is its funder key)
    assert rows[week["relayed"].address.lower()].status == "unfunded"
    # funded at the chain's genesis: older than the window
    assert rows[week["old"].address.lower()].status == "before_window"
    assert len(rows) == 6

    # looked up once: a second pass finds nobody new, and asks the node nothing about them
    before = indexer.rpc.requests
    indexer.catch_up()
    assert indexer.funding.pending(planet.w3.eth.block_number) == []
    assert indexer.rpc.requests - before < 10


def test_a_bounded_window_records_older_funding_as_before_it(
    planet, week, database_url, settings_for, make_indexer
):
    indexer, engine = make_indexer(settings_for(database_url, funding_window=1))
    indexer.catch_up()
    with engine.connect() as conn:
        statuses = {r.owner: r.status for r in conn.execute(select(owner_fundings))}
    # every funding lies more than a block before the head: none searched, none guessed
    assert {statuses[w.address.lower()] for w in week["farm"]} == {"before_window"}


def test_lookups_can_be_turned_off(planet, week, database_url, settings_for, make_indexer):
    indexer, engine = make_indexer(settings_for(database_url, funding_lookups=0))
    indexer.catch_up()
    with engine.connect() as conn:
        assert conn.execute(select(owner_fundings)).all() == []


def test_the_close_discounts_and_flags_identities_funded_from_one_wallet(
    planet, week, manifest, new_database, settings_for, make_indexer
):
    url = new_database("sqlite", migrated=True)
    indexer, engine = make_indexer(settings_for(url, funding_window=recent_window(planet, week)))
    indexer.catch_up()
    calendar = EpochCalendar(manifest.genesis)
    now = planet.w3.eth.get_block("latest").timestamp
    epoch = calendar.epoch_at(now)
    seed = Seeder(engine, at=now, chain_id=planet.chain_id)
    tokens = week["tokens"]
    farm = [tokens[w.address.lower()] for w in week["farm"]]
    honest = [tokens[w.address.lower()] for w in week["honest"]]
    for pair in (farm, honest):  # each pair engages the other's post
        for a, b in (pair, pair[::-1]):
            post = seed.post(a)
            seed.like(post, b)
            seed.comment(post, b)

    config = load_config(LOCAL)
    formula = config.for_epoch(epoch)
    with engine.connect() as conn:
        inputs = close.collect_for(conn, planet.chain_id, calendar, epoch, config)
    weighed = close.weigh(inputs, formula)
    assert weighed is not None
    reports, stand = weighed

    def report(w: LocalAccount) -> trust.Report:
        return reports[w.address]

    for w in week["farm"]:
        found = report(w)
        assert found.before["like"] == 1 and found.before["comment"] == 1
        assert found.after["like"] == 0 and found.after["comment"] == 0
        assert trust.SAME_FUNDER_CLUSTER in found.reasons
    for w in week["honest"]:
        found = report(w)
        assert found.after["like"] == 1 and found.after["comment"] == 1
        assert trust.SAME_FUNDER_CLUSTER not in found.reasons

    # the risk role sees the cluster, keyed by the funder and the week it funded
    block = planet.w3.eth.get_transaction_receipt(week["txs"][week["farm"][0].address.lower()])
    when = planet.w3.eth.get_block(block.blockNumber).timestamp
    key = f"funder:{week['farmer'].address.lower()}:{week_start(when)}"
    [cluster] = [c for c in trust.clusters(inputs, stand) if c["kind"] == "same_funder_cluster"]
    assert cluster["key"] == key and cluster["identities"] == sorted(farm)
    assert cluster["accounts"] == sorted(w.address.lower() for w in week["farm"])

    # and the pool pays the honest pair only
    distribution = close.build(inputs, formula, 10**18, manifest.contracts["PrizeVault"].address)
    paid = {e["account"] for e in distribution.data["allocations"]}
    assert paid == {w.address for w in week["honest"]}
    assert [c["key"] for c in distribution.data["clusters"]] == [key]
    # the published inputs digest covers the fundings: had the farm's second wallet been funded
    # by another wallet, the week's inputs (and its digest) would differ
    digest = distribution.data["inputs_digest"]
    with engine.begin() as conn:
        conn.execute(
            update(owner_fundings)
            .where(owner_fundings.c.owner == week["farm"][1].address.lower())
            .values(funder="0x" + "99" * 20)
        )
    with engine.connect() as conn:
        again = close.collect_for(conn, planet.chain_id, calendar, epoch, config)
    assert digest_inputs(again.canonical()) != digest
    assert digest_inputs(inputs.canonical()) == digest


def test_the_dry_run_shows_the_risk_role_the_funder_cluster_before_any_root(
    planet, week, manifest, manifest_file, new_database, settings_for, make_indexer, tmp_path
):
    url = new_database("sqlite", migrated=True)
    indexer, engine = make_indexer(settings_for(url, funding_window=recent_window(planet, week)))
    indexer.catch_up()
    calendar = EpochCalendar(manifest.genesis)
    now = planet.w3.eth.get_block("latest").timestamp
    epoch = calendar.epoch_at(now)
    seed = Seeder(engine, at=now, chain_id=planet.chain_id)
    tokens = week["tokens"]
    for pair in (week["farm"], week["honest"]):
        a, b = (tokens[w.address.lower()] for w in pair)
        for author, fan in ((a, b), (b, a)):
            seed.like(seed.post(author), fan)
    planet.fund(epoch, 10**18, planet.actors.users[2])
    planet.travel(calendar.end(epoch) - now + 60)

    args = [
        "epoch", "close", str(epoch), "--dry-run",
        "--database-url", url,
        "--manifest", str(manifest_file),
        "--rpc", planet.w3.provider.endpoint_uri,
        "--out-dir", str(tmp_path / "out"),
        "--config", str(LOCAL),
    ]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "dry run: not proposed" in result.output
    farmer = week["farmer"].address.lower()
    [line] = [x for x in result.output.splitlines() if f"funder:{farmer}:" in x]
    assert "same_funder_cluster" in line and "2 accounts" in line
    for w in week["farm"]:  # the flagged accounts, named for the veto's --cluster key
        assert w.address.lower() in line
    assert not (tmp_path / "out").exists()


def test_an_unfunded_owner_is_looked_up_again_once_due(
    planet, week, database_url, settings_for, make_indexer
):
    """A wallet a relayer registered may be funded later (a farm topping its wallets up): its
    ``unfunded`` row is looked up again once the chain moved ``funding_recheck_after`` blocks
    past that lookup, not before, and then records who funded it."""
    relayed = week["relayed"].address.lower()
    patient, engine = make_indexer(
        settings_for(
            database_url, funding_window=recent_window(planet, week), funding_recheck_after=10**6
        )
    )
    patient.catch_up()

    def row() -> object:
        with engine.connect() as conn:
            return conn.execute(
                select(owner_fundings).where(owner_fundings.c.owner == relayed)
            ).one()

    first = row()
    assert first.status == "unfunded"
    topper = planet.actors.users[2]
    tx = fund(planet, topper, week["relayed"].address, 3 * ETHER)
    for _ in range(3):  # a few blocks go by
        planet.w3.provider.make_request("evm_mine", [])

    # not due yet: a pass leaves it alone and asks the node nothing about it
    before = patient.rpc.requests
    patient.catch_up()
    assert row().status == "unfunded" and row().checked_block == first.checked_block
    assert patient.funding.due(planet.w3.eth.block_number, 10) == []
    assert patient.rpc.requests - before < 10

    # due (after a block here): looked up again, its row replaced by the funding found
    planet.w3.provider.make_request("evm_mine", [])
    # back to the week's start from today's head, no further: the session's anvil need not
    # answer for older blocks (a lookup there is ``unavailable``, as on a pruned node)
    eager, _ = make_indexer(
        settings_for(
            database_url, funding_window=recent_window(planet, week), funding_recheck_after=1
        )
    )
    assert eager.funding.due(planet.w3.eth.block_number, 10) == [relayed]
    eager.catch_up()
    again = row()
    assert (again.status, again.funder) == ("found", topper.address.lower())
    assert again.amount == 3 * ETHER
    assert again.tx_hash == tx
    assert again.checked_block > first.checked_block
    with engine.connect() as conn:  # one row per owner still, and only that one changed
        rows = {r.owner: r.status for r in conn.execute(select(owner_fundings))}
    assert len(rows) == 6 and rows[relayed] == "found"
    # found is final: nothing left to recheck
    assert eager.funding.due(planet.w3.eth.block_number + 10**6, 10) == []


def test_an_owner_a_node_could_not_answer_for_is_looked_up_again_once_due(
    planet, week, database_url, settings_for, make_indexer
):
    """A lookup the node refused (a pruned node, a rate limit) is ``unavailable``: not a fact
    about the wallet, so it is tried again once due, like ``unfunded``, and then records what
    the node can tell (here, after the operator pointed the indexer at a node with the history)."""
    honest = week["honest"][0].address.lower()
    indexer, engine = make_indexer(
        settings_for(
            database_url, funding_window=recent_window(planet, week), funding_recheck_after=10**6
        )
    )
    indexer.catch_up()
    # what an earlier pass against a node without that history recorded
    with engine.begin() as conn:
        conn.execute(
            update(owner_fundings)
            .where(owner_fundings.c.owner == honest)
            .values(
                status="unavailable",
                funder=None,
                block_number=None,
                block_time=None,
                tx_hash=None,
                amount=None,
            )
        )
    head = planet.w3.eth.block_number
    assert indexer.funding.due(head, 10) == []  # not due: 10**6 blocks have not passed
    planet.w3.provider.make_request("evm_mine", [])
    eager, _ = make_indexer(
        settings_for(
            database_url, funding_window=recent_window(planet, week), funding_recheck_after=1
        )
    )
    assert honest in eager.funding.due(planet.w3.eth.block_number, 10)
    eager.catch_up()
    with engine.connect() as conn:
        row = conn.execute(select(owner_fundings).where(owner_fundings.c.owner == honest)).one()
    funder = week["honest_funders"][0].address.lower()
    assert (row.status, row.funder, row.amount) == ("found", funder, 2 * ETHER)
    assert row.tx_hash == week["txs"][honest]
