"""Checking a published distribution's inputs against a database: anyone running a mirror (the
indexer's tables) and a copy of the API's tables re-reads the week and recomputes the inputs
digest the file states, so the root is checked against the week's activity and not only
against the file's own scores.

The week is read as the close read it (:func:`planet.rewards.close.collect_for`), with the
formula the file names: the config given must be that formula (same name, version, weights,
exchanges and trust rules; the attestation quotas it holds are part of the inputs and not in
the file), else the check cannot be made. The calendar comes from the deployment manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from planet.core.epochs import EpochCalendar
from planet.core.errors import PlanetError
from planet.rewards.close import collect_for
from planet.rewards.distribution import digest_inputs
from planet.rewards.inputs import InputsError
from planet.rewards.scoring import ScoringConfig
from planet.store.engine import first_line


class AuditError(PlanetError):
    """The inputs could not be recomputed (wrong formula, unreadable database, week absent)."""


@dataclass(frozen=True)
class InputsCheck:
    """The digest the file states and the one the database gives."""

    stated: str
    recomputed: str
    accounts: int  # accounts with inputs in the database's week

    @property
    def ok(self) -> bool:
        return self.stated == self.recomputed


def formula_differences(data: dict[str, Any], config: ScoringConfig) -> list[str]:
    """How the config's formula for the file's epoch differs from the one the file records."""
    stated = data.get("formula") or {}
    formula = config.for_epoch(int(data["epoch"]))
    ours: dict[str, Any] = {
        "name": formula.name,
        "version": formula.version,
        "weights": formula.weights_json(),
        "trade_exchanges": list(formula.trade_exchanges),
        "trust": formula.trust.to_json() if formula.trust else None,
    }
    return [
        f"{key}: the file says {stated.get(key)!r}, the config {value!r}"
        for key, value in ours.items()
        if stated.get(key) != value  # a file without trust rules: a plain formula (None)
    ]


def sqlite_file_missing(url: str) -> str | None:
    """The path of a SQLite URL's file when it does not exist (connecting would create an empty
    one, and the check would then report an empty database rather than a wrong path)."""
    try:
        parsed = make_url(url)
    except Exception:  # an unparsable URL is make_engine's to report
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else str(path)


def check_inputs(
    engine: Engine, data: dict[str, Any], config: ScoringConfig, genesis: int
) -> InputsCheck:
    """Re-reads the file's week from ``engine`` and digests it; raises :class:`AuditError`."""
    differences = formula_differences(data, config)
    if differences:
        raise AuditError(
            "the config is not the formula the file was closed with ("
            + "; ".join(differences)
            + "): give that version's config with --config"
        )
    chain_id, epoch = int(data["chain_id"]), int(data["epoch"])
    calendar = EpochCalendar(genesis)
    try:
        with engine.connect() as conn:
            inputs = collect_for(conn, chain_id, calendar, epoch, config)
    except InputsError as err:
        raise AuditError(str(err)) from None
    except SQLAlchemyError as err:
        raise AuditError(f"cannot read the database: {first_line(err)}") from None
    accounts = sum(1 for a in inputs.accounts.values() if a.any())
    if not accounts:
        raise AuditError(
            f"the database holds no activity of chain {chain_id} in epoch {epoch} "
            f"({calendar.start(epoch)} to {calendar.end(epoch)}): is it the week's mirror?"
        )
    return InputsCheck(str(data["inputs_digest"]), digest_inputs(inputs.canonical()), accounts)
