"""The chain's notifications: found by scanning the mirror tables the indexer keeps.

* a subscription pass held (balance above zero) whose expiry falls within
  :data:`~api.services.notifications.EXPIRY_WARNING` ahead (``pass_expiring``) or
  :data:`~api.services.notifications.LAPSED_LOOKBACK` behind (``pass_lapsed``), keyed by pass
  and expiry, so a renewal's own lapse is told again;
* an attestation of an identity's wallet revoked (``attestation_revoked``), keyed by its uid;
* an epoch become claimable that pays an identity's wallet it has not claimed
  (``reward_claimable``), keyed by epoch; a whole epoch is read once (recorded in
  ``api_notification_scans``), and a wallet's own scan catches an identity registered after.

A scan may run any number of times on any number of processes: what was told is skipped by the
unique key's index, and every write is ``ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, select
from sqlalchemy.dialects import postgresql, sqlite

from api.params import MAX_ID
from api.services.notifications import (
    ATTESTATION_REVOKED,
    EXPIRY_WARNING,
    LAPSED_LOOKBACK,
    PASS_EXPIRING,
    PASS_LAPSED,
    REWARD_CLAIMABLE,
    Created,
    one,
)
from api.services.rewards import DistributionUnavailable, Rewards, claimed_accounts
from planet.store.mirror import attestations, pass_holdings, passes
from planet.store.mirror import identities as identity_rows
from planet.store.offchain import notification_scans, notifications


def scan(
    conn: Connection,
    chain_id: int,
    now: int,
    rewards: Rewards | None,
    owner: str | None = None,
) -> list[Created]:
    """Finds what the chain has to tell (passes, rewards, revocations) and writes what is new.

    ``owner`` (a wallet) limits the scan to that wallet's identity: what ``GET
    /notifications`` runs before answering, so a user never waits for the next scheduled
    scan. Without it, everyone (the schedule in the API's lifespan)."""
    created = _scan_passes(conn, chain_id, now, owner)
    created += _scan_revocations(conn, chain_id, now, owner)
    if rewards is not None and rewards.store is not None:
        created += _scan_rewards(conn, chain_id, now, rewards, owner)
    return created


def _owned_by(column: Any, chain_id: int) -> Any:
    return and_(identity_rows.c.chain_id == chain_id, identity_rows.c.owner == column)


def _creator_handles(conn: Connection, chain_id: int, creators: set[str]) -> dict[str, str]:
    if not creators:
        return {}
    rows = conn.execute(
        select(identity_rows.c.owner, identity_rows.c.handle).where(
            identity_rows.c.chain_id == chain_id, identity_rows.c.owner.in_(creators)
        )
    )
    return {r.owner: r.handle for r in rows}


def _told(conn: Connection, chain_id: int, wanted: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (recipient, key) pairs of ``wanted`` were told already: looked up by the unique
    key's index in batches, so a scan that finds nothing new writes nothing and costs what
    its candidates do, not what the whole table holds."""
    told: set[tuple[int, str]] = set()
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        rows = conn.execute(
            select(notifications.c.recipient_token_id, notifications.c.dedupe_key).where(
                notifications.c.chain_id == chain_id,
                notifications.c.recipient_token_id.in_({t for t, _ in batch}),
                notifications.c.dedupe_key.in_({k for _, k in batch}),
            )
        )
        told |= {(r.recipient_token_id, r.dedupe_key) for r in rows}
    return told


def _scan_passes(conn: Connection, chain_id: int, now: int, owner: str | None) -> list[Created]:
    query = (
        select(
            pass_holdings.c.pass_id,
            pass_holdings.c.expiry,
            passes.c.creator,
            identity_rows.c.token_id,
        )
        .join(
            passes,
            and_(
                passes.c.chain_id == pass_holdings.c.chain_id,
                passes.c.pass_id == pass_holdings.c.pass_id,
            ),
        )
        .join(identity_rows, _owned_by(pass_holdings.c.holder, chain_id))
        .where(
            pass_holdings.c.chain_id == chain_id,
            passes.c.duration != 0,
            pass_holdings.c.balance > 0,
            pass_holdings.c.expiry > now - LAPSED_LOOKBACK,
            pass_holdings.c.expiry <= now + EXPIRY_WARNING,
        )
    )
    if owner is not None:
        query = query.where(pass_holdings.c.holder == owner.lower())
    rows = conn.execute(query).all()
    keyed = []
    for r in rows:
        kind = PASS_EXPIRING if int(r.expiry) > now else PASS_LAPSED
        keyed.append((r, kind, f"{kind}:{r.pass_id}:{int(r.expiry)}"))
    told = _told(conn, chain_id, [(r.token_id, key) for r, _, key in keyed])
    keyed = [(r, kind, key) for r, kind, key in keyed if (r.token_id, key) not in told]
    handles = _creator_handles(conn, chain_id, {r.creator for r, _, _ in keyed})
    created: list[Created] = []
    for r, kind, key in keyed:
        expiry = int(r.expiry)
        created += one(
            conn,
            chain_id=chain_id,
            recipient_token_id=r.token_id,
            kind=kind,
            dedupe_key=key,
            data={
                "pass_id": r.pass_id,
                "expiry": expiry,
                "creator": handles.get(r.creator),
            },
            created_at=now,
        )
    return created


def _scan_revocations(
    conn: Connection, chain_id: int, now: int, owner: str | None
) -> list[Created]:
    query = (
        select(
            attestations.c.uid,
            attestations.c.epoch,
            attestations.c.amount,
            attestations.c.revoked_reason,
            identity_rows.c.token_id,
        )
        .join(identity_rows, _owned_by(attestations.c.account, chain_id))
        .where(attestations.c.chain_id == chain_id, attestations.c.revoked.is_(True))
    )
    if owner is not None:
        query = query.where(attestations.c.account == owner.lower())
    rows = conn.execute(query).all()
    told = _told(conn, chain_id, [(r.token_id, f"revoked:{r.uid}") for r in rows])
    created: list[Created] = []
    for r in rows:
        key = f"revoked:{r.uid}"
        if (r.token_id, key) in told:
            continue
        created += one(
            conn,
            chain_id=chain_id,
            recipient_token_id=r.token_id,
            kind=ATTESTATION_REVOKED,
            dedupe_key=key,
            data={
                "uid": r.uid,
                "epoch": r.epoch,
                "amount": str(r.amount),
                "reason": r.revoked_reason,
            },
            created_at=now,
        )
    return created


def _scan_rewards(
    conn: Connection, chain_id: int, now: int, rewards: Rewards, owner: str | None
) -> list[Created]:
    store = rewards.require_store()
    created: list[Created] = []
    for published in rewards.published(conn, chain_id):
        if not published.claimable(now) or published.epoch > MAX_ID:
            continue
        name = f"reward:{published.epoch}"
        if owner is None and _done(conn, chain_id, name):
            continue
        try:
            epoch_file = store.get(published)
        except DistributionUnavailable:
            continue  # not servable yet: the next scan tries again
        if owner is not None:
            entry = epoch_file.by_account.get(owner.lower())
            entries = [entry] if entry is not None else []
        else:
            entries = epoch_file.ranking
        for start in range(0, len(entries), 500):
            batch = [e for e in entries[start : start + 500] if e.amount > 0]
            accounts = [e.account.lower() for e in batch]
            claimed = claimed_accounts(conn, chain_id, published.epoch, accounts)
            tokens = dict(
                conn.execute(
                    select(identity_rows.c.owner, identity_rows.c.token_id).where(
                        identity_rows.c.chain_id == chain_id,
                        identity_rows.c.owner.in_(accounts),
                    )
                ).all()
            )
            for e in batch:
                account = e.account.lower()
                if account in claimed or account not in tokens:
                    continue
                created += one(
                    conn,
                    chain_id=chain_id,
                    recipient_token_id=tokens[account],
                    kind=REWARD_CLAIMABLE,
                    dedupe_key=name,
                    data={"epoch": published.epoch, "amount": str(e.amount)},
                    created_at=now,
                )
        if owner is None:
            _mark_done(conn, chain_id, name, now)
    return created


def _done(conn: Connection, chain_id: int, name: str) -> bool:
    found = conn.execute(
        select(notification_scans.c.done_at).where(
            notification_scans.c.chain_id == chain_id, notification_scans.c.name == name
        )
    ).first()
    return found is not None


def _mark_done(conn: Connection, chain_id: int, name: str, now: int) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(notification_scans)
        .values(chain_id=chain_id, name=name, done_at=now)
        .on_conflict_do_nothing()
    )
