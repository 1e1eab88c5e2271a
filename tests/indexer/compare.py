"""Checks that the mirrored tables say what the contracts say, asking the contracts directly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from web3 import Web3

from planet.store.mirror import (
    DERIVED_TABLES,
    attestations,
    cursors,
    epoch_point_balances,
    epoch_point_totals,
    events,
    identities,
    pass_holdings,
    pass_proceeds,
    pass_settings,
    passes,
    point_balances,
    points_roles,
    vault_claims,
    vault_epochs,
    vault_fundings,
    vault_pauses,
    vault_role_changes,
)
from tests.support.protocol import Planet, address_of

ZERO_HASH = "0x" + "00" * 32
STATUS = ["none", "proposed", "vetoed"]  # IPrizeVault.RootStatus


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
        pending, effective_at = identity.pendingRecovery(token).call()
        assert (row.pending_recovery, row.pending_recovery_at) == (
            (pending.lower(), effective_at) if effective_at else (None, None)
        )
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
    # roles: each (role, account) a role event named holds what hasRole answers, and the
    # deployment's risk key holds RISK_ROLE (moderation reads it)
    roles = _rows(engine, points_roles, chain_id)
    for row in roles:
        role = bytes.fromhex(row.role[2:])
        assert points.hasRole(role, Web3.to_checksum_address(row.account)).call() == row.held
    risk_role = _hex(points.RISK_ROLE().call())
    assert (risk_role, planet.actors.risk.address.lower(), True) in {
        (r.role, r.account, r.held) for r in roles
    }

    assert_passes_mirror_chain(engine, planet)
    assert_vault_mirrors_chain(engine, planet)


def _rows(engine: Engine, table: Any, chain_id: int) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(table).where(table.c.chain_id == chain_id)))


def assert_passes_mirror_chain(engine: Engine, planet: Planet) -> None:
    """``passes``, ``pass_holdings``, ``pass_proceeds`` and ``pass_settings`` equal what
    CommunityPass answers, for every pass and every address the activity touched; and the
    access rule the API applies to the table equals ``hasAccess`` at the latest block."""
    cp = planet.community_pass.functions
    chain_id = planet.chain_id
    by_id = {r.pass_id: r for r in _rows(engine, passes, chain_id)}
    holdings = {(r.pass_id, r.holder): r for r in _rows(engine, pass_holdings, chain_id)}
    proceeds = {(r.payee, r.currency): r for r in _rows(engine, pass_proceeds, chain_id)}
    [settings] = _rows(engine, pass_settings, chain_id)

    assert (settings.address, settings.treasury, settings.platform_fee_bps) == (
        planet.community_pass.address.lower(),
        cp.treasury().call().lower(),
        cp.platformFeeBps().call(),
    )

    ids = planet.pass_ids
    assert sorted(by_id) == list(ids)
    for pass_id, row in by_id.items():
        info = planet.pass_info(pass_id)
        assert (
            row.creator,
            row.currency,
            row.price,
            row.max_supply,
            row.wallet_limit,
            row.duration,
            row.transferable,
            row.royalty_bps,
            row.fee_bps,
            row.paused,
            row.minted,
            row.uri,
        ) == (
            info.creator.lower(),
            info.currency.lower(),
            info.price,
            info.max_supply,
            info.wallet_limit,
            info.duration,
            info.transferable,
            info.royalty_bps,
            info.fee_bps,
            info.paused,
            info.minted,
            info.uri,
        ), pass_id
        policy = cp.policy(pass_id).call()  # minPoints, weeks, verified, window, changedAt
        notice = cp.PRICE_NOTICE().call()
        assert (
            row.min_points,
            row.points_weeks,
            row.verified_identity,
            row.refund_window,
            row.holders_price_from,
        ) == (*policy[:4], policy[4] + notice if policy[4] else 0), pass_id

    # holdings: every (pass, address) pair, absent rows reading as zero
    now = planet.w3.eth.get_block("latest").timestamp
    assert set(holdings) <= {(i, a) for i in ids for a in planet.addresses}
    for pass_id in ids:
        duration = by_id[pass_id].duration
        held = 0
        for address in sorted(planet.addresses):
            holder = address_of(address)
            row = holdings.get((pass_id, address))
            balance, minted, expiry = (row.balance, row.minted, row.expiry) if row else (0, 0, 0)
            assert (balance, minted, expiry) == (
                cp.balanceOf(holder, pass_id).call(),
                cp.mintedTo(pass_id, holder).call(),
                cp.expiryOf(pass_id, holder).call(),
            ), (pass_id, address)
            v2 = (
                (row.price, row.payment_from, row.refund_until, row.refund_paid)
                if row
                else (0, 0, 0, 0)
            )
            assert v2 == (
                cp.termsOf(pass_id, holder).call()[0],
                *cp.lastPayment(pass_id, holder).call(),
            ), (pass_id, address)
            held += balance
            # the access rule, as the API applies it to the table
            access = balance > 0 if duration == 0 else now < expiry
            assert abs(expiry - now) > 120 or duration == 0, "too close to call: move time"
            assert access == cp.hasAccess(holder, pass_id).call(), (pass_id, address)
        assert held == by_id[pass_id].minted, "tokens are never burned: balances sum to supply"

    # proceeds: every (payee, currency) pair
    payees = planet.addresses
    assert set(proceeds) <= {(a, c) for a in payees for c in planet.currencies}
    for payee in sorted(payees):
        for currency in sorted(planet.currencies):
            row = proceeds.get((payee, currency))
            accrued, withdrawn = (row.accrued, row.withdrawn) if row else (0, 0)
            owed = cp.proceeds(address_of(payee), address_of(currency)).call()
            assert (accrued, withdrawn) == (owed, planet.withdrawn.get((payee, currency), 0)), (
                payee,
                currency,
            )


def assert_vault_mirrors_chain(engine: Engine, planet: Planet) -> None:
    """``vault_epochs`` equals ``epochInfo`` (plus the proposal's URI and hash), ``vault_claims``
    equals ``isClaimed`` and the trees' amounts, ``vault_fundings`` the fundings made."""
    vault = planet.vault.functions
    chain_id = planet.chain_id
    epochs = {r.epoch: r for r in _rows(engine, vault_epochs, chain_id)}
    claims = {(r.epoch, r.account): r for r in _rows(engine, vault_claims, chain_id)}
    fundings = sorted(
        _rows(engine, vault_fundings, chain_id), key=lambda r: (r.block_number, r.log_index)
    )

    assert set(epochs) == planet.epochs
    for epoch in sorted(planet.epochs | set(range(vault.currentEpoch().call() + 1))):
        root, (total, paid, claimable_at, status, swept), (funded, swept_out) = vault.epochInfo(
            epoch
        ).call()
        row = epochs.get(epoch)
        if row is None:
            assert (root, total, funded, status) == (bytes(32), 0, 0, 0), epoch
            continue
        assert (
            row.root,
            row.total,
            row.paid,
            row.claimable_at,
            row.status,
            row.swept,
            row.funded,
            row.swept_out,
        ) == (
            _hex(root),
            total,
            paid,
            claimable_at,
            STATUS[status],
            swept,
            funded,
            swept_out,
        ), epoch
        uri, file_hash = planet.proposals.get(epoch, (None, None))
        assert (row.uri, row.file_hash) == (uri, file_hash)
        if row.status == "vetoed":
            assert row.veto_reason
        assert row.funded == row.swept_in + sum(a for e, _, a in planet.fundings if e == epoch)

    assert set(claims) <= {(e, a) for e in planet.trees for a in planet.addresses}
    for epoch, tree in planet.trees.items():
        for address in sorted(planet.addresses):
            row = claims.get((epoch, address))
            assert (row is not None) == vault.isClaimed(epoch, address_of(address)).call()
            if row is not None:
                assert row.amount == tree.amount_of(address)
        assert sum(r.amount for (e, _), r in claims.items() if e == epoch) == epochs[epoch].paid

    assert [(r.epoch, r.funder, r.amount) for r in fundings] == planet.fundings

    # pauses: as many rows as completed pauses, each a real interval
    pauses = _rows(engine, vault_pauses, chain_id)
    assert len(pauses) == planet.pauses
    assert all(r.paused_at <= r.unpaused_at for r in pauses)
    # delayed role changes: a scheduled row exactly when roleChangeExecutableAt says so
    for r in _rows(engine, vault_role_changes, chain_id):
        at = vault.roleChangeExecutableAt(r.role, address_of(r.account), r.is_grant).call()
        assert (r.status == "scheduled") == (at != 0), r
        if at:
            assert r.executable_at == at, r
        if r.status == "executed":
            assert vault.hasRole(r.role, address_of(r.account)).call() == r.is_grant, r


def stored_tx_hashes(engine: Engine) -> set[str]:
    """The transactions the ``events`` table holds logs of."""
    with engine.connect() as conn:
        return set(conn.execute(select(events.c.tx_hash)).scalars())


def table_rows(engine: Engine) -> dict[str, Any]:
    """Every mirrored row (events and derived state) plus the cursor position, for comparing
    two databases filled from the same chain."""
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for table in (events, *DERIVED_TABLES.values()):
            out[table.name] = sorted(tuple(r) for r in conn.execute(select(table)))
        out["cursor"] = [
            tuple(r)
            for r in conn.execute(
                select(cursors.c.chain_id, cursors.c.block_number, cursors.c.block_hash)
            )
        ]
    return out
