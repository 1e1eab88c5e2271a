"""CommunityPass and PrizeVault mirrored from a real anvil: random activity on all four
contracts, indexed by backfill and by following the head, must leave every derived table equal
to what the contracts answer; a reorg that drops pass sales and a vault claim must undo them."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from sqlalchemy import select

from planet.core.passes import PassTerms
from planet.store.mirror import pass_holdings, pass_proceeds, passes, vault_claims
from tests.indexer.compare import assert_mirrors_chain, stored_tx_hashes, table_rows
from tests.support.protocol import DAY, HOUR, NATIVE_PRICE, TOKEN_PRICE, ZERO, Planet, full_activity

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects


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


@pytest.mark.slow  # the whole protocol's activity, mirrored and compared: half a minute
def test_passes_and_vault_mirror_the_chain(
    planet_with_token, backend, new_database, settings_for, make_indexer
):
    planet = planet_with_token
    full_activity(planet)
    url = new_database(backend, migrated=True)
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
    reference, reference_engine = make_indexer(settings_for(new_database(backend, migrated=True)))
    reference.catch_up()
    assert table_rows(reference_engine) == table_rows(engine)


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
    saved = planet.remember()

    # blocks to orphan: a native mint, an ERC-20 subscription (after the token's own mint and
    # approve, which the indexer does not read), a claim
    orphaned = [
        planet.mint_pass(users[4], lifetime, 2, users[4].address),
        planet.mint_pass(users[5], monthly, 1, users[5].address),
        planet.claim(1, users[2].address),
    ]
    depth = w3.eth.block_number - fork
    indexer.poll()
    assert set(orphaned) <= stored_tx_hashes(engine)
    gone_holdings = {(lifetime, users[4].address.lower()), (monthly, users[5].address.lower())}
    assert gone_holdings <= _holding_keys(engine)
    assert (1, users[2].address.lower()) in _claim_keys(engine)

    # the replacement history: another mint, and the other account's claim
    planet.forget_since(saved)
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
    stored = stored_tx_hashes(engine)
    assert not set(orphaned) & stored
    assert {"0x" + keccak(hexstr=raw).hex() for raw in (mint, claim)} <= stored
    assert not gone_holdings & _holding_keys(engine)
    assert (lifetime, users[3].address.lower()) in _holding_keys(engine)
    assert _claim_keys(engine) == {(1, users[3].address.lower())}
    assert_mirrors_chain(engine, planet)
