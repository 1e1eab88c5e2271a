"""Closing an epoch: score the week, allocate the pool, write the distribution file, propose.

One function, :func:`close_epoch`, serves ``planet epoch close`` and ``ape run publish_epoch``;
they differ only in how they reach the chain and who signs (:mod:`planet.chain.vault`).

Every refusal is checked before anything is written or sent, and raises :class:`CloseError`
with one line to show: the epoch has not ended, its root is already proposed, its pool is zero,
the sender lacks the distributor role, or nobody scored. The file is written next to its final
name and moved there only once ``proposeRoot`` succeeded, so a failed proposal leaves no file.

Layout: ``<out_dir>/<chain_id>/epoch-<N>.json``, published at
``<uri_base>/<chain_id>/epoch-<N>.json`` (the API serves the same layout and checks the file's
keccak256 against the ``fileHash`` the vault recorded).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from planet.chain.vault import ChainError, RootProposer, RootStatus, Vault
from planet.core import logs
from planet.core.epochs import EpochCalendar
from planet.core.errors import PlanetError
from planet.core.manifest import Manifest
from planet.rewards.distribution import (
    Distribution,
    DistributionError,
    build_distribution,
    digest_inputs,
    file_hash,
)
from planet.rewards.inputs import EpochInputs, InputsError, collect
from planet.rewards.scoring import Formula, Score, ScoringConfig

DEFAULT_OUT_DIR = Path("distributions")
DEFAULT_URI_BASE = "file:distributions"
PROGRESS_FROM = 10_000  # accounts: below this the close takes well under a second

log = logs.get("planet.rewards.close")


class CloseError(PlanetError):
    """The epoch cannot be closed now; the message says why, and nothing was proposed."""


@dataclass(frozen=True)
class CloseResult:
    chain_id: int
    epoch: int
    formula: Formula
    inputs: EpochInputs
    distribution: Distribution
    file_hash: str
    uri: str
    path: Path | None  # None on a dry run: nothing written
    tx_hash: str | None  # None on a dry run: nothing proposed


def relative_path(chain_id: int, epoch: int) -> str:
    return f"{chain_id}/epoch-{epoch}.json"


def distribution_uri(uri_base: str, chain_id: int, epoch: int) -> str:
    return f"{uri_base.rstrip('/')}/{relative_path(chain_id, epoch)}"


def score_all(inputs: EpochInputs, formula: Formula, progress: bool = False) -> dict[str, Score]:
    """Every positive score of the week; accounts that score 0 are left out of the file."""
    items = inputs.accounts.items()
    scores: dict[str, Score] = {}
    show = progress and len(items) >= PROGRESS_FROM
    for account, quantities in tqdm(
        items, desc="scoring", unit="account", disable=not show, file=sys.stderr
    ):
        score = formula.score(quantities.quantities())
        if score > 0:
            scores[account] = score
    return scores


def build(
    inputs: EpochInputs, formula: Formula, pool: int, vault_address: str, progress: bool = False
) -> Distribution:
    """Score, allocate and lay out the file with its tree (no chain, no database)."""
    scores = score_all(inputs, formula, progress)
    if not scores:
        raise CloseError(f"epoch {inputs.epoch} had no scoring activity; nothing to propose")
    try:
        distribution = build_distribution(
            chain_id=inputs.chain_id,
            vault=vault_address,
            epoch=inputs.epoch,
            pool=pool,
            scores=scores,
            formula_name=formula.name,
            formula_version=formula.version,
            weights=formula.weights_json(),
            inputs_digest=digest_inputs(inputs.canonical()),
            cap_share=formula.cap_share,
            trade_exchanges=formula.trade_exchanges,
        )
    except DistributionError as err:
        raise CloseError(str(err)) from None
    if distribution.total == 0:
        raise CloseError(
            f"a pool of {pool} pays nobody at a cap of {formula.cap_share} of it; "
            "nothing to propose"
        )
    return distribution


def write_atomically(payload: bytes, path: Path) -> Path:
    """Writes ``payload`` beside ``path`` (not yet at it); :func:`os.replace` publishes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staged.write_bytes(payload)
    return staged


def _iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@contextmanager
def _worded() -> Iterator[None]:
    """Chain, input and database failures as the one-line :class:`CloseError` a CLI shows."""
    try:
        yield
    except (ChainError, InputsError) as err:
        raise CloseError(str(err)) from None
    except SQLAlchemyError as err:
        raise CloseError(f"database error: {str(err).splitlines()[0]}") from None


@_worded()
def close_epoch(
    *,
    engine: Engine,
    vault: Vault,
    proposer: RootProposer | None,
    manifest: Manifest,
    epoch: int,
    config: ScoringConfig,
    out_dir: Path = DEFAULT_OUT_DIR,
    uri_base: str = DEFAULT_URI_BASE,
    pool: int | None = None,
    dry_run: bool = False,
    progress: bool = True,
) -> CloseResult:
    """Closes ``epoch`` as the module describes; raises :class:`CloseError`."""
    if epoch < 0:
        raise CloseError(f"epoch must be >= 0, got {epoch}")
    chain_id = vault.chain_id
    if chain_id != manifest.chain_id:
        raise CloseError(f"the RPC is chain {chain_id}, the manifest is for {manifest.chain_id}")
    calendar = EpochCalendar(manifest.genesis)
    now, ends = vault.latest_timestamp(), calendar.end(epoch)
    if now < ends:
        raise CloseError(
            f"epoch {epoch} has not ended: it ends {_iso(ends)}, the chain is at {_iso(now)}"
        )
    info = vault.epoch(epoch)
    if info.swept:
        raise CloseError(f"epoch {epoch} was swept; it takes no root")
    if info.status == RootStatus.PROPOSED:
        raise CloseError(
            f"epoch {epoch} already has a proposed root {info.root} (total {info.total}); "
            "nothing to propose"
        )
    pool = info.funded if pool is None else pool
    if pool <= 0:
        raise CloseError(f"epoch {epoch}'s pool is zero: fund the vault for it first")
    if pool > info.funded and not dry_run:
        raise CloseError(f"--pool {pool} exceeds what epoch {epoch} holds ({info.funded})")
    if not dry_run:
        if proposer is None:
            raise CloseError(
                "no distributor wallet: give --key-file, --keystore, --account or "
                "--private-key-env, or set PLANET_PRIVATE_KEY"
            )
        if not vault.is_distributor(proposer.address):
            raise CloseError(
                f"{proposer.address} lacks DISTRIBUTOR_ROLE on the vault {vault.address}; "
                "nothing proposed"
            )

    formula = config.for_epoch(epoch)
    started = time.perf_counter()
    with engine.connect() as conn:
        inputs = collect(conn, chain_id, calendar, epoch, trade_exchanges=formula.trade_exchanges)
    log.info("scoring", epoch=epoch, accounts=len(inputs.accounts), weights=formula.weights_json())
    distribution = build(inputs, formula, pool, vault.address, progress)
    payload = distribution.to_bytes()
    digest = file_hash(payload)
    uri = distribution_uri(uri_base, chain_id, epoch)
    log.info(
        "distribution built",
        epoch=epoch,
        accounts=len(distribution.data["allocations"]),
        total=distribution.total,
        root=distribution.root,
        file_hash=digest,
        seconds=round(time.perf_counter() - started, 3),
    )
    result = CloseResult(chain_id, epoch, formula, inputs, distribution, digest, uri, None, None)
    if dry_run:
        return result

    assert proposer is not None  # checked above
    path = out_dir / relative_path(chain_id, epoch)
    staged = write_atomically(payload, path)
    try:
        tx_hash = proposer.propose_root(
            epoch,
            bytes.fromhex(distribution.root[2:]),
            distribution.total,
            uri,
            bytes.fromhex(digest[2:]),
        )
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)
    log.info("root proposed", epoch=epoch, tx=tx_hash, uri=uri, path=str(path))
    return CloseResult(chain_id, epoch, formula, inputs, distribution, digest, uri, path, tx_hash)


def summary(result: CloseResult, top: int = 10) -> str:
    """The table ``planet epoch close`` prints: the books, then the top earners and why."""
    data = result.distribution.data
    allocations = data["allocations"]
    lines = [
        f"epoch {result.epoch} on chain {result.chain_id}: "
        f"formula {result.formula.name} v{result.formula.version}"
        + (" (weights for this epoch)" if result.formula.overridden else ""),
        f"  {'trade on':<14}{', '.join(result.formula.trade_exchanges) or '(no exchange)'}",
        f"  {'accounts':<14}{len(allocations)}",
        f"  {'pool':<14}{data['pool']}",
        f"  {'total':<14}{data['total']}",
        f"  {'unallocated':<14}{data['unallocated']}",
        f"  {'root':<14}{data['root']}",
        f"  {'file hash':<14}{result.file_hash}",
        f"  {'inputs':<14}{data['inputs_digest']}",
        f"  {'uri':<14}{result.uri}",
        f"  {'file':<14}{result.path if result.path else '(dry run: not written)'}",
        f"  {'proposed in':<14}{result.tx_hash if result.tx_hash else '(dry run: not proposed)'}",
        "",
        f"  top {min(top, len(allocations))} by amount:",
        f"  {'account':<44}{'amount':>26}{'views':>8}{'likes':>8}{'comments':>9}"
        f"{'live':>7}{'points':>10}{'trade':>12}",
    ]
    ranked = sorted(allocations, key=lambda e: (-int(e["amount"]), e["account"].lower()))
    for entry in ranked[:top]:
        q = result.inputs.accounts[entry["account"]].quantities()
        lines.append(
            f"  {entry['account']:<44}{entry['amount']:>26}{q['view']:>8}{q['like']:>8}"
            f"{q['comment']:>9}{q['live_attendance']:>7}{q['points']:>10}{q['trade']:>12}"
        )
    return "\n".join(lines)
