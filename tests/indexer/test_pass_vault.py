"""CommunityPass and PrizeVault mirrored from a real anvil: random activity on all four
contracts, indexed by backfill and by following the head, must leave every derived table equal
to what the contracts answer; a reorg that drops pass sales and a vault claim must undo them."""

from __future__ import annotations

import copy

import pytest
from eth_utils import keccak
from sqlalchemy import select

from indexer.schema import events, pass_holdings, pass_proceeds, passes, vault_claims
from planet.passes import PassTerms
from tests.indexer.activity import DAY, UINT64_MAX, ZERO, Planet
from tests.indexer.compare import assert_mirrors_chain, table_rows

HOUR = 60 * 60
NATIVE_PRICE = 10**15
TOKEN_PRICE = 5 * 10**6  # 5 USDT, 6 decimals


@pytest.fixture
def planet_with_token(planet, project, accounts) -> Planet:
    """The planet helper with a USDT-like MockERC20 that passes may be priced in."""
    token = accounts[0].deploy(project.MockERC20, "Tether USD", "USDT", 6)
    abi = project.MockERC20.contract_type.model_dump(mode="json", by_alias=True)["abi"]
    planet.erc20 = planet.w3.eth.contract(address=str(token.address), abi=abi)
    planet.currencies.add(str(token.address).lower())
    return planet


def pass_activity(planet: Planet) -> dict[str, int]:
    """Every CommunityPass action at least once, then random ones; returns the scripted ids."""
    users, admin = planet.actors.users, planet.actors.admin
    cp = planet.community_pass.functions
    usdt = planet.erc20.address
    ids = {
        "lifetime": planet.create_pass(
            users[0], PassTerms(ZERO, NATIVE_PRICE, 10, 3, uri="ipfs://pass/lifetime")
        ),
        "tradable": planet.create_pass(
            users[1],
            PassTerms(usdt, TOKEN_PRICE, UINT64_MAX, UINT64_MAX, 0, True, 750, "ipfs://pass/t"),
        ),
        "daily": planet.create_pass(
            users[2], PassTerms(ZERO, NATIVE_PRICE, 100, 1, DAY, uri="ipfs://pass/daily")
        ),
        "monthly": planet.create_pass(
            users[3], PassTerms(usdt, TOKEN_PRICE, 100, 1, 30 * DAY, uri="ipfs://pass/monthly")
        ),
        "free": planet.create_pass(users[0], PassTerms(ZERO, 0, 5, 2, uri="ipfs://pass/free")),
    }
    lifetime, tradable, daily, monthly = (
        ids[k] for k in ("lifetime", "tradable", "daily", "monthly")
    )
    planet.mint_pass(users[1], lifetime, 2, users[1].address)  # native
    planet.mint_pass(users[2], lifetime, 1, users[4].address)  # a gift
    planet.mint_pass(users[4], tradable, 4, users[4].address)  # ERC-20
    planet.mint_pass(users[5], tradable, 2, users[5].address)
    planet.mint_pass(users[0], daily, 1, users[0].address)  # lapses when time moves
    planet.mint_pass(users[1], monthly, 1, users[1].address)  # ERC-20 subscription
    planet.mint_pass(users[2], monthly, 2, users[3].address)  # a gifted subscription
    planet.mint_pass(users[3], ids["free"], 2, users[3].address)  # free: no proceeds
    planet.renew_pass(users[4], monthly, users[1].address, 2)  # someone else renews
    planet.send(  # a transferable pass moves, once alone and once in a batch
        cp.safeTransferFrom(users[4].address, users[5].address, tradable, 1, b""), users[4]
    )
    planet.send(
        cp.safeBatchTransferFrom(
            users[5].address, planet.fresh_address(), [tradable, tradable], [1, 0], b""
        ),
        users[5],
    )
    planet.send(cp.lowerSupplyCap(lifetime, 6), users[0])
    planet.send(cp.setSalesPaused(daily, True), users[2])
    planet.send(cp.setPrice(lifetime, 3 * NATIVE_PRICE), users[0])
    planet.mint_pass(users[5], lifetime, 1, users[5].address)  # at the new price
    planet.withdraw(users[0], ZERO)
    planet.withdraw(users[1], usdt, users[2].address)  # withdrawTo
    # fees follow the treasury current at each sale
    planet.send(cp.setTreasury(users[5].address), admin)
    planet.send(cp.setPlatformFee(900), admin)
    planet.mint_pass(users[2], tradable, 1, users[2].address)
    ids["after_fee"] = planet.create_pass(
        users[4], PassTerms(ZERO, NATIVE_PRICE, 20, 4, uri="ipfs://pass/after-fee")
    )
    planet.mint_pass(users[0], ids["after_fee"], 3, users[0].address)
    planet.withdraw(admin, usdt)
    planet.send(cp.setTreasury(admin.address), admin)
    for _ in range(25):
        planet.random_pass_step()
    return ids


def vault_activity(planet: Planet, between: int = 6) -> None:
    """Fund, propose, veto, re-propose, wait out the challenge, claim, claimMany, sweep (with
    ``between`` random pass steps after each phase)."""
    rng, users = planet.rng, planet.actors.users
    vault = planet.vault.functions
    current = vault.currentEpoch().call()
    assert current >= 3, "genesis lies three weeks back"

    def pool(epoch: int) -> int:
        return vault.epochInfo(epoch).call()[2][0]

    def interlude() -> None:
        for _ in range(between):
            planet.random_pass_step()

    for epoch in (0, 1, 2, current):
        for _ in range(rng.randrange(1, 3)):
            planet.fund(epoch, rng.randrange(10**16, 10**18))
    planet.fund(2**200 + 7, 1)  # any epoch may be funded, even one far beyond 64 bits
    interlude()

    common = users[0].address  # in both trees: claims two epochs at once
    planet.propose(1, {common: 10**15, **planet.random_rewards(pool(1), 3)})
    planet.veto(1, "counted a wash trade")
    rewards_1 = {common: 2 * 10**15, **planet.random_rewards(pool(1), 4)}
    planet.propose(1, rewards_1)
    rewards_2 = {common: 3 * 10**15, **planet.random_rewards(pool(2), 3)}
    planet.propose(2, rewards_2)
    interlude()

    planet.travel(HOUR + 1)  # past the challenge period
    planet.claim_many([1, 2], common)
    for account in list(rewards_1)[1:-1]:  # one account of epoch 1 never claims
        planet.claim(1, account)
    planet.claim(2, list(rewards_2)[1], planet.user(common))
    planet.sweep(0, current)  # no root ever: its window closed a week after it ended
    interlude()

    planet.travel(7 * DAY + HOUR)  # past epoch 1 and 2's claim windows
    later = vault.currentEpoch().call()
    planet.sweep(1, later)
    planet.sweep(2, later)
    planet.fund(later, 10**17)
    planet.propose(current, planet.random_rewards(pool(current), 3))
    planet.veto(current, "distribution file does not match")
    interlude()


def full_activity(planet: Planet) -> dict[str, int]:
    planet.random_activity(8)  # identities for every user, some points
    ids = pass_activity(planet)
    vault_activity(planet)
    # after the time travel: a lapsed subscription renewed from now, more sales
    cp = planet.community_pass.functions
    planet.send(cp.setSalesPaused(ids["daily"], False), planet.actors.users[2])
    planet.renew_pass(planet.actors.users[3], ids["daily"], planet.actors.users[0].address, 3)
    planet.mint_pass(planet.actors.users[4], ids["daily"], 1, planet.actors.users[4].address)
    for _ in range(10):
        planet.random_step()
        planet.random_pass_step()
    return ids


def _access_states(engine, planet: Planet) -> set[bool]:
    """Whether live and lapsed subscriptions both exist (so the access check means something)."""
    now = planet.w3.eth.get_block("latest").timestamp
    query = (
        select(pass_holdings.c.expiry)
        .join(passes, passes.c.pass_id == pass_holdings.c.pass_id)
        .where(passes.c.duration > 0)
    )
    with engine.connect() as conn:
        return {now < expiry for expiry in conn.execute(query).scalars()}


def test_passes_and_vault_mirror_the_chain(
    planet_with_token, backend, new_database, settings_for, make_indexer
):
    planet = planet_with_token
    full_activity(planet)
    url = new_database(backend)
    # the first part by backfill (small ranges, no journal) ...
    indexer, engine = make_indexer(settings_for(url, range_initial=8, range_min=1))
    indexer.catch_up()
    for _ in range(12):
        planet.random_step()
        planet.random_pass_step()
    # a month later the daily subscriptions sold so far have lapsed; a new one is live
    planet.travel(31 * DAY)
    users = planet.actors.users
    weekly = planet.create_pass(users[3], PassTerms(ZERO, NATIVE_PRICE, 9, 1, 7 * DAY, uri="w"))
    planet.mint_pass(users[1], weekly, 1, planet.fresh_address())
    # ... the rest by following the head, journaled block by block
    follower, _ = make_indexer(settings_for(url, finality=5))
    follower.poll()

    assert_mirrors_chain(engine, planet)
    assert _access_states(engine, planet) == {True, False}
    with engine.connect() as conn:
        assert conn.execute(select(pass_proceeds.c.payee)).first() is not None
        assert len(conn.execute(select(vault_claims)).all()) >= 5

    # one backfill of the whole chain writes the very same rows
    reference, reference_engine = make_indexer(settings_for(new_database(backend)))
    reference.catch_up()
    assert table_rows(reference_engine) == table_rows(engine)


def _bookkeeping(planet: Planet) -> dict:
    keys = ("tokens", "addresses", "withdrawn", "epochs", "trees", "proposals", "fundings")
    return {k: copy.copy(getattr(planet, k)) for k in keys}


def _tx_hashes(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(events.c.tx_hash)).scalars())


def _holding_keys(engine) -> set[tuple[int, str]]:
    with engine.connect() as conn:
        return {
            tuple(r) for r in conn.execute(select(pass_holdings.c.pass_id, pass_holdings.c.holder))
        }


def _claim_keys(engine) -> set[tuple[int, str]]:
    with engine.connect() as conn:
        return {
            tuple(r) for r in conn.execute(select(vault_claims.c.epoch, vault_claims.c.account))
        }


def test_reorg_drops_pass_mints_and_a_vault_claim(
    planet_with_token, database_url, settings_for, make_indexer
):
    planet = planet_with_token
    w3, users = planet.w3, planet.actors.users
    planet.random_activity(2)
    lifetime = planet.create_pass(users[0], PassTerms(ZERO, NATIVE_PRICE, 10, 5, uri="ipfs://l"))
    monthly = planet.create_pass(
        users[1], PassTerms(planet.erc20.address, TOKEN_PRICE, 10, 1, 30 * DAY, uri="ipfs://m")
    )
    planet.mint_pass(users[2], lifetime, 1, users[2].address)
    planet.fund(1, 10**18)
    planet.propose(1, {users[2].address: 10**17, users[3].address: 2 * 10**17})
    planet.travel(HOUR + 1)
    indexer, engine = make_indexer(settings_for(database_url, finality=10))
    indexer.poll()
    fork = w3.eth.block_number
    saved = _bookkeeping(planet)

    # blocks to orphan: a native mint, an ERC-20 subscription (after the token's own mint and
    # approve, which the indexer does not read), a claim
    orphaned = [
        planet.mint_pass(users[4], lifetime, 2, users[4].address),
        planet.mint_pass(users[5], monthly, 1, users[5].address),
        planet.claim(1, users[2].address),
    ]
    depth = w3.eth.block_number - fork
    indexer.poll()
    assert set(orphaned) <= _tx_hashes(engine)
    gone_holdings = {(lifetime, users[4].address.lower()), (monthly, users[5].address.lower())}
    assert gone_holdings <= _holding_keys(engine)
    assert (1, users[2].address.lower()) in _claim_keys(engine)

    # the replacement history: another mint, and the other account's claim
    for key, value in saved.items():
        setattr(planet, key, value)
    mint = planet.raw(
        planet.community_pass.functions.mint(lifetime, users[3].address, 1, NATIVE_PRICE),
        users[3],
        w3.eth.get_transaction_count(users[3].address, fork),
        NATIVE_PRICE,
    )
    tree = planet.trees[1]
    claim = planet.raw(
        planet.vault.functions.claim(
            1, users[3].address, tree.amount_of(users[3].address), tree.proof(users[3].address)
        ),
        users[1],
        w3.eth.get_transaction_count(users[1].address, fork),
    )
    answer = w3.provider.make_request("anvil_reorg", [depth, [[mint, 0], [claim, 1]]])
    assert "error" not in answer, answer
    assert w3.eth.block_number == fork + depth

    result = indexer.poll()

    assert [r.ancestor.block_number for r in result.rewinds] == [fork]
    stored = _tx_hashes(engine)
    assert not set(orphaned) & stored
    assert {"0x" + keccak(hexstr=raw).hex() for raw in (mint, claim)} <= stored
    assert not gone_holdings & _holding_keys(engine)
    assert (lifetime, users[3].address.lower()) in _holding_keys(engine)
    assert _claim_keys(engine) == {(1, users[3].address.lower())}
    assert_mirrors_chain(engine, planet)
