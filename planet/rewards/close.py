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

import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from planet.chain.vault import ChainError, RootProposer, RootStatus, Vault
from planet.core import logs
from planet.core.epochs import EpochCalendar
from planet.core.errors import PlanetError
from planet.core.manifest import Manifest
from planet.rewards import trust
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
    clusters: tuple[dict[str, Any], ...] = ()  # flagged for the risk role (trust formulas)


def relative_path(chain_id: int, epoch: int) -> str:
    return f"{chain_id}/epoch-{epoch}.json"


def distribution_uri(uri_base: str, chain_id: int, epoch: int) -> str:
    return f"{uri_base.rstrip('/')}/{relative_path(chain_id, epoch)}"


def collect_for(
    conn: Any, chain_id: int, calendar: EpochCalendar, epoch: int, config: ScoringConfig
) -> EpochInputs:
    """The week's inputs as the config's formula needs them (the graph for a trust formula)."""
    formula = config.for_epoch(epoch)
    rules = formula.trust
    return collect(
        conn,
        chain_id,
        calendar,
        epoch,
        trade_exchanges=formula.trade_exchanges,
        graph=rules is not None,
        public_relayers=rules.public_relayers if rules else (),
        public_funders=rules.public_funders if rules else (),
        quotas=(
            {a: r.weekly_quota for a, r in config.attestations.activities.items()}
            if config.attestations
            else None
        ),
    )


def weigh(
    inputs: EpochInputs, formula: Formula
) -> tuple[dict[str, trust.Report], dict[int, Fraction]] | None:
    """Per-account reports of a trust formula and every identity's standing (None for a
    formula that counts plainly)."""
    if formula.trust is None or inputs.graph is None:
        return None
    stand = trust.standings(inputs.graph, formula.trust, inputs.start)
    return trust.weigh(inputs, formula, stand), stand


def score_all(
    inputs: EpochInputs,
    formula: Formula,
    progress: bool = False,
    reports: dict[str, trust.Report] | None = None,
) -> dict[str, Score]:
    """Every positive score of the week; accounts that score 0 are left out of the file."""
    items = inputs.accounts.items()
    scores: dict[str, Score] = {}
    show = progress and len(items) >= PROGRESS_FROM
    # a trust formula's quantities are whole millionths: score them in integers over one
    # common denominator (the same exact value as Formula.score, far fewer Fraction steps)
    common = math.lcm(*(w.denominator for w in formula.weights.values())) * trust.UNIT
    scaled = {k: int(w * common) // trust.UNIT for k, w in formula.weights.items()}
    for account, quantities in tqdm(
        items, desc="scoring", unit="account", disable=not show, file=sys.stderr
    ):
        if reports is not None and all(
            trust.UNIT % q.denominator == 0 for q in reports[account].after.values()
        ):
            after = reports[account].after
            total = sum(
                scaled[k] * (q.numerator * (trust.UNIT // q.denominator))
                for k, q in after.items()
                if q
            )
            exact = Fraction(total, common)
            score = exact.numerator if exact.denominator == 1 else exact
        elif reports is not None:
            score = formula.score(reports[account].after)
        else:
            score = formula.score(quantities.quantities())
        if score > 0:
            scores[account] = score
    return scores


def build(
    inputs: EpochInputs,
    formula: Formula,
    pool: int,
    vault_address: str,
    progress: bool = False,
    reports: dict[str, trust.Report] | None = None,
) -> Distribution:
    """Score, allocate and lay out the file with its tree (no chain, no database); a trust
    formula's reports are computed here unless given."""
    stand: dict[int, Fraction] | None = None
    if reports is None and (weighed := weigh(inputs, formula)) is not None:
        reports, stand = weighed
    if reports is not None and stand is None and inputs.graph and formula.trust:
        stand = trust.standings(inputs.graph, formula.trust, inputs.start)
    scores = score_all(inputs, formula, progress, reports)
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
            trust=formula.trust.to_json() if formula.trust else None,
            reports=(None if reports is None else {a: r.to_json() for a, r in reports.items()}),
            clusters=None if stand is None else trust.clusters(inputs, stand),
            reason_codes=(
                None
                if reports is None or formula.trust is None
                else trust.reason_codes(formula.trust)
            ),
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
        inputs = collect_for(conn, chain_id, calendar, epoch, config)
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
    flagged = tuple(distribution.data.get("clusters", ()))
    result = CloseResult(
        chain_id, epoch, formula, inputs, distribution, digest, uri, None, None, flagged
    )
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
    return CloseResult(
        chain_id, epoch, formula, inputs, distribution, digest, uri, path, tx_hash, flagged
    )


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
    reasons = {e["account"]: e["reasons"] for e in data.get("accounts", ())}
    ranked = sorted(allocations, key=lambda e: (-int(e["amount"]), e["account"].lower()))
    for entry in ranked[:top]:
        q = result.inputs.accounts[entry["account"]].quantities()
        codes = ", ".join(reasons.get(entry["account"], ()))
        lines.append(
            f"  {entry['account']:<44}{entry['amount']:>26}{q['view']:>8}{q['like']:>8}"
            f"{q['comment']:>9}{q['live_attendance']:>7}{q['points']:>10}{q['trade']:>12}"
            + (f"  {codes}" if codes else "")
        )
    if "accounts" in data:
        lines += ["", *cluster_lines(result.clusters, top)]
    return "\n".join(lines)


def cluster_lines(
    clusters: tuple[dict[str, Any], ...] | list[dict[str, Any]], top: int
) -> list[str]:
    """The flagged clusters, for the risk role to review before the root is proposed; a veto's
    reason names them by key (``planet vault veto N --reason ... --cluster KEY``)."""
    if not clusters:
        return ["  flagged clusters: none"]
    lines = [f"  flagged clusters: {len(clusters)} (largest first; name one in a veto by its key)"]
    for cluster in clusters[:top]:
        accounts = cluster["accounts"]
        shown = ", ".join(accounts[:3]) + (
            f", … (+{len(accounts) - 3})" if len(accounts) > 3 else ""
        )
        lines.append(
            f"  {cluster['kind']:<22}{cluster['key']:<52}{len(accounts):>5} accounts: {shown}"
        )
    if len(clusters) > top:
        lines.append(f"  … {len(clusters) - top} more in the distribution file's `clusters`")
    return lines
