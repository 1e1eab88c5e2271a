"""Reorgs made for real on anvil while the indexer follows the head.

Blocks holding Planet events are dropped and replaced (``anvil_reorg``, or ``evm_revert`` plus
different transactions); with a confirmation depth deeper than the reorg, orphaned rows must
disappear, replacement rows appear, and every derived table match the contracts again.
"""

from __future__ import annotations

import pytest
from eth_utils import keccak

from indexer.errors import ReorgTooDeepError
from tests.indexer.compare import assert_mirrors_chain, stored_tx_hashes

# The SQL under test differs by dialect: every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.dialects


def _orphan_candidates(planet) -> list[str]:
    """Three blocks of Planet events: an attestation, a label change, a revocation."""
    user = planet.funded_holders()[0]
    token = planet.tokens[user.address.lower()]
    before = len(planet.tx_hashes)
    planet.attest(user)
    planet.label(token, 7)
    planet.revoke(planet.uids[0])
    return planet.tx_hashes[before:]


def test_anvil_reorg_replaces_indexed_blocks(planet, database_url, settings_for, make_indexer):
    planet.random_activity(12)
    indexer, engine = make_indexer(settings_for(database_url, finality=8))
    indexer.poll()
    w3 = planet.w3
    fork = w3.eth.block_number
    saved = planet.remember()
    orphaned = _orphan_candidates(planet)
    indexer.poll()
    assert set(orphaned) <= stored_tx_hashes(engine)

    # the replacement history: another user's attestation and different labels
    planet.forget_since(saved)
    other = planet.funded_holders()[1]
    contribution, signature = planet.contribution(other.address)
    attest = planet.raw(
        planet.points.functions.attest(contribution.as_tuple(), signature),
        other,
        w3.eth.get_transaction_count(other.address, fork),
    )
    verifier = planet.actors.verifier
    label = planet.raw(
        planet.identity.functions.setLabels(planet.tokens[other.address.lower()], 2**200 + 3),
        verifier,
        w3.eth.get_transaction_count(verifier.address, fork),
    )
    answer = w3.provider.make_request("anvil_reorg", [3, [[attest, 0], [label, 1]]])
    assert "error" not in answer, answer
    planet.uids.append(contribution.uid)
    assert w3.eth.block_number == fork + 3

    result = indexer.poll()

    assert [r.ancestor.block_number for r in result.rewinds] == [fork]
    stored = stored_tx_hashes(engine)
    assert not set(orphaned) & stored
    assert {"0x" + keccak(hexstr=raw).hex() for raw in (attest, label)} <= stored
    assert_mirrors_chain(engine, planet)


def test_revert_to_a_shorter_chain_with_other_transactions(
    planet, database_url, settings_for, make_indexer
):
    planet.random_activity(8)
    indexer, engine = make_indexer(settings_for(database_url, finality=6))
    indexer.poll()
    w3 = planet.w3
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    saved = planet.remember()
    orphaned = _orphan_candidates(planet)
    indexer.poll()
    assert set(orphaned) <= stored_tx_hashes(engine)

    assert w3.provider.make_request("evm_revert", [snapshot])["result"] is True
    planet.forget_since(saved)
    user = planet.funded_holders()[-1]
    planet.set_metadata(user)
    planet.batch([user.address, planet.actors.users[0].address])

    result = indexer.poll()

    assert len(result.rewinds) == 1
    assert not set(orphaned) & stored_tx_hashes(engine)
    assert_mirrors_chain(engine, planet)


def test_a_reorg_deeper_than_finality_stops_the_indexer(
    planet, database_url, settings_for, make_indexer
):
    planet.random_activity(6)
    indexer, _ = make_indexer(settings_for(database_url, finality=2))
    indexer.poll()
    w3 = planet.w3
    user = planet.funded_holders()[0]
    raw = planet.raw(
        planet.identity.functions.setMetadata("ipfs://other", b"\x01" * 32),
        user,
        w3.eth.get_transaction_count(user.address, w3.eth.block_number - 5),
    )
    assert "error" not in w3.provider.make_request("anvil_reorg", [5, [[raw, 0]]])

    with pytest.raises(ReorgTooDeepError, match="finality"):
        indexer.poll()
