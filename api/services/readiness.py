"""Whether this API can serve correct answers now, and if not, why.

``/health`` says the process answers; ``/ready`` says its answers are right: the database is
reachable, both table sets are at their newest migration, the indexer's cursor is within
``ready_max_lag`` blocks of the chain's head (an API whose indexer died would otherwise serve
an ever older chain as "ok"), and Redis answers when chat fan-out uses it. Each check reports
its own reason, so a load balancer's log says what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import SQLAlchemyError

from api.settings import ApiSettings
from planet.store import MIRROR, OFFCHAIN, DatabaseError, schema_is_current
from planet.store.mirror import cursors


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _database(engine: Engine) -> Check:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as err:
        cause = getattr(err, "orig", None) or err
        return Check("database", False, f"database unreachable: {type(cause).__name__}")
    return Check("database", True, "reachable")


def _schema(engine: Engine) -> Check:
    try:
        stale = [s.name for s in (MIRROR, OFFCHAIN) if not schema_is_current(engine, s)]
    except DatabaseError as err:
        return Check("schema", False, str(err))
    if stale:
        return Check("schema", False, f"{', '.join(stale)} not migrated: run `planet migrate`")
    return Check("schema", True, "current")


def _head(rpc_url: str) -> int:
    reply = httpx.post(
        rpc_url,
        json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []},
        timeout=3,
    )
    return int(reply.json()["result"], 16)


def _indexer(engine: Engine, settings: ApiSettings) -> Check:
    try:
        with engine.connect() as conn:
            cursor = conn.execute(
                select(cursors.c.block_number).where(cursors.c.chain_id == settings.chain_id)
            ).scalar()
    except SQLAlchemyError:
        return Check("indexer", False, "the indexer's cursor cannot be read")
    if cursor is None:
        return Check("indexer", False, f"the indexer has not indexed chain {settings.chain_id}")
    rpc = settings.chain_rpc_url
    try:
        head = _head(rpc)
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return Check("indexer", False, f"chain unreachable at {rpc}")
    lag = head - int(cursor)
    if lag > settings.ready_max_lag:
        return Check(
            "indexer",
            False,
            f"indexer {lag} blocks behind the head (at {cursor}, head {head}, allowed "
            f"{settings.ready_max_lag})",
        )
    return Check("indexer", True, f"{max(lag, 0)} blocks behind the head")


def _redis(settings: ApiSettings) -> Check | None:
    if not settings.redis_url:
        return None
    import redis

    try:
        client = redis.Redis.from_url(
            settings.redis_url, socket_timeout=2, socket_connect_timeout=2
        )
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as err:
        return Check("redis", False, f"redis unreachable: {type(err).__name__}")
    return Check("redis", True, "reachable")


def readiness(engine: Engine, settings: ApiSettings) -> list[Check]:
    """Every check, in order; later checks that need the database are skipped without it."""
    database = _database(engine)
    checks = [database]
    if database.ok:
        schema = _schema(engine)
        checks.append(schema)
        if schema.ok:
            checks.append(_indexer(engine, settings))
    redis_check = _redis(settings)
    if redis_check is not None:
        checks.append(redis_check)
    return checks
