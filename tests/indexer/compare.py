"""Checks that the mirrored tables say what the contracts say, asking the contracts directly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from web3 import Web3

from indexer.schema import (
    attestations,
    cursors,
    epoch_point_balances,
    epoch_point_totals,
    events,
    identities,
    point_balances,
)
from tests.indexer.activity import Planet


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def assert_mirrors_chain(engine: Engine, planet: Planet) -> None:
    """Every derived table equals the contracts' answers at the head, and the events table
    holds exactly the logs the node returns for the Planet addresses."""
    chain_id = planet.chain_id
    identity, points = planet.identity.functions, planet.points.functions
    with engine.connect() as conn:
        cursor = conn.execute(select(cursors).where(cursors.c.chain_id == chain_id)).one()
        ids = {
            r.token_id: r
            for r in conn.execute(select(identities).where(identities.c.chain_id == chain_id))
        }
        balances = {
            r.account: r.balance
            for r in conn.execute(
                select(point_balances).where(point_balances.c.chain_id == chain_id)
            )
        }
        epoch_balances = {
            (r.epoch, r.account): r.balance
            for r in conn.execute(
                select(epoch_point_balances).where(epoch_point_balances.c.chain_id == chain_id)
            )
        }
        totals = {
            r.epoch: r.total
            for r in conn.execute(
                select(epoch_point_totals).where(epoch_point_totals.c.chain_id == chain_id)
            )
        }
        records = {
            r.uid: r
            for r in conn.execute(select(attestations).where(attestations.c.chain_id == chain_id))
        }
        stored = {
            (r.block_number, r.log_index, r.tx_hash, r.block_hash)
            for r in conn.execute(
                select(
                    events.c.block_number, events.c.log_index, events.c.tx_hash, events.c.block_hash
                ).where(events.c.chain_id == chain_id)
            )
        }

    head = planet.w3.eth.get_block("latest")
    assert cursor.block_number == head.number, "compare at the head: index with finality 0"
    assert cursor.block_hash == _hex(head.hash)

    # events: exactly the node's logs of the Planet contracts
    addresses = [Web3.to_checksum_address(c.address) for c in planet.manifest.contracts.values()]
    logs = planet.w3.eth.get_logs(
        {"fromBlock": planet.manifest.start_block, "toBlock": head.number, "address": addresses}
    )
    assert stored == {
        (lg["blockNumber"], lg["logIndex"], _hex(lg["transactionHash"]), _hex(lg["blockHash"]))
        for lg in logs
    }

    # identities
    assert set(ids) == set(planet.tokens.values())
    for token, row in ids.items():
        handle, uri, metadata_hash, recovery, verified, labels = identity.profile(token).call()
        assert (row.handle, row.metadata_uri, row.metadata_hash) == (
            handle,
            uri,
            _hex(metadata_hash),
        )
        assert (row.recovery, row.verified, row.labels) == (recovery.lower(), verified, labels)
        assert identity.ownerOf(token).call().lower() == row.owner
        assert identity.tokenOfHandle(handle).call() == token
    by_owner = {row.owner: token for token, row in ids.items()}
    for address in planet.addresses:
        assert identity.identityOf(Web3.to_checksum_address(address)).call() == by_owner.get(
            address, 0
        )

    # points
    current = points.currentEpoch().call()
    for address in planet.addresses:
        checksum = Web3.to_checksum_address(address)
        assert points.balanceOf(checksum).call() == balances.get(address, 0), address
        for epoch in range(current + 1):
            assert points.epochBalanceOf(checksum, epoch).call() == epoch_balances.get(
                (epoch, address), 0
            )
    assert set(balances) <= planet.addresses
    for epoch in range(current + 1):
        assert points.epochTotalSupply(epoch).call() == totals.get(epoch, 0)
    assert points.totalSupply().call() == sum(balances.values())
    assert set(records) == {_hex(u) for u in planet.uids}
    for uid, row in records.items():
        account, amount, epoch, kind, revoked = points.record(bytes.fromhex(uid[2:])).call()
        assert (row.account, row.amount, row.epoch, row.kind, row.revoked) == (
            account.lower(),
            amount,
            epoch,
            kind,
            revoked,
        )


def table_rows(engine: Engine) -> dict[str, Any]:
    """Every mirrored row (events and derived state) plus the cursor position, for comparing
    two databases filled from the same chain."""
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for table in (
            events,
            identities,
            attestations,
            point_balances,
            epoch_point_balances,
            epoch_point_totals,
        ):
            out[table.name] = sorted(tuple(r) for r in conn.execute(select(table)))
        out["cursor"] = [
            tuple(r)
            for r in conn.execute(
                select(cursors.c.chain_id, cursors.c.block_number, cursors.c.block_hash)
            )
        ]
    return out
