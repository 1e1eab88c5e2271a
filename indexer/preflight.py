"""Start-up checks: the RPC, the manifest and the database must describe one deployment before
a single row is written.

Each of them can be swapped by mistake (another RPC URL, a manifest from a restarted local
chain, a database indexed from other contracts), and indexing on would then mix two chains'
rows in one database without any error. These checks refuse to start instead; on a fresh
database they record what it mirrors (``sources``) and create the cursor, so the next start
checks against that.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select

from indexer import cursor as cursors
from indexer.config import IndexerSettings
from indexer.cursor import NO_HASH, Cursor
from indexer.errors import ChainMismatchError
from indexer.reorg import ReorgGuard
from indexer.rpc import RpcClient
from planet.core.manifest import Manifest, ManifestError, load, load_for_chain, manifest_path
from planet.store import MIRROR, DatabaseError, schema_is_current
from planet.store.mirror import sources


def prepare(engine: Engine, rpc: RpcClient, manifest: Manifest, guard: ReorgGuard) -> Cursor:
    """Checks that RPC, manifest and database describe one deployment; returns the cursor,
    created just below the first deployment block on a fresh database."""
    chain_id = manifest.chain_id
    if not schema_is_current(engine, MIRROR):
        raise DatabaseError(f"database {engine.url!r} is not migrated: run `{MIRROR.command}`")
    rpc_chain = rpc.chain_id()
    if rpc_chain != chain_id:
        raise ChainMismatchError(
            f"the RPC {rpc.url} serves chain {rpc_chain}, the manifest is for chain {chain_id}"
        )
    for name, contract in manifest.contracts.items():
        header = rpc.header(contract.block_number)
        if header is None or header.hash.lower() != contract.block_hash.lower():
            raise ChainMismatchError(
                f"{name} was deployed in block {contract.block_number} "
                f"({contract.block_hash}) by the manifest, but the RPC's block there is "
                f"{header.hash if header else 'missing'}: the manifest belongs to another "
                "chain history (a restarted local chain?); redeploy"
            )
    with engine.begin() as conn:
        _check_sources(conn, manifest)
        cursor = cursors.load(conn, chain_id)
        if cursor is None:
            cursor = _initial_cursor(conn, rpc, manifest, guard)
    return cursor


def _check_sources(conn: Connection, manifest: Manifest) -> None:
    """Records the manifest's contracts on a fresh database; otherwise they must be the ones
    recorded, or the rows already stored came from other contracts."""
    chain_id = manifest.chain_id
    wanted = {name: (c.address.lower(), c.block_number) for name, c in manifest.contracts.items()}
    rows = conn.execute(
        select(sources.c.contract, sources.c.address, sources.c.start_block).where(
            sources.c.chain_id == chain_id
        )
    ).all()
    if not rows:
        conn.execute(
            sources.insert(),
            [
                {
                    "chain_id": chain_id,
                    "contract": name,
                    "address": c.address.lower(),
                    "start_block": c.block_number,
                    "block_hash": c.block_hash.lower(),
                }
                for name, c in manifest.contracts.items()
            ],
        )
        return
    have = {r.contract: (r.address, r.start_block) for r in rows}
    if have != wanted:
        changed = sorted(set(have.items()) ^ set(wanted.items()))
        raise ChainMismatchError(
            f"the database holds chain {chain_id} indexed from other contracts than the "
            f"manifest names (differences: {', '.join(n for n, _ in changed)}); "
            "index into a fresh database"
        )


def _initial_cursor(
    conn: Connection, rpc: RpcClient, manifest: Manifest, guard: ReorgGuard
) -> Cursor:
    """The cursor just below the first deployment block, with that block's hash remembered, so
    a reorg under the very first range is noticed like any other."""
    anchor = manifest.start_block - 1
    header = rpc.header(anchor) if anchor >= 0 else None
    cursor = Cursor(anchor, header.hash if header else NO_HASH)
    cursors.create(conn, manifest.chain_id, cursor)
    if header is not None:
        guard.remember(conn, [header])
    return cursor


def manifest_for(settings: IndexerSettings, chain_id: int) -> Manifest:
    """The manifest named in the settings, or ``<manifest_dir>/<chain id>.json``; it must
    describe ``chain_id``, the chain the RPC serves."""
    if settings.manifest is not None:
        manifest = load(settings.manifest)
        if manifest.chain_id != chain_id:
            raise ChainMismatchError(
                f"manifest {settings.manifest} is for chain {manifest.chain_id}, but the RPC "
                f"{settings.rpc_url} serves chain {chain_id}"
            )
        return manifest
    found = load_for_chain(chain_id, settings.manifest_dir)
    if found is None:
        raise ManifestError(
            f"no deployment manifest for chain {chain_id} at "
            f"{manifest_path(chain_id, settings.manifest_dir)}: deploy first, or set "
            "PLANET_INDEXER_MANIFEST"
        )
    return found
