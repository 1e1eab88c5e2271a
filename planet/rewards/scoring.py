"""The weekly scoring formula: its config file, the weights that apply to an epoch, and scores.

The formula is a weighted sum of per-account quantities (see ``config/scoring.yaml``)::

    score = sum(weight[k] * quantity[k] for k in WEIGHT_KEYS)

Weights are exact (:class:`~fractions.Fraction`), so a score is an exact rational and the
allocation anyone re-runs from the published file gives the same amounts. The config is read
strictly: an unknown key, a negative weight or a malformed fraction stops with a
:class:`ScoringConfigError` naming the key (``epochs.12.weights.like: ...``), because a typo
silently ignored would pay a week's pool by the wrong formula.

``trade_exchanges`` names the exchanges whose attributed fills count as trade volume. Paper
fills cost nothing, so counting them would pay for volume anyone can make up: absent, the key
means :data:`DEFAULT_TRADE_EXCHANGES` (OKX only); local chains and the demo use
``config/scoring-local.yaml``, which adds ``paper``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from planet.core.errors import PlanetError
from planet.core.names import EXCHANGE_NAMES

#: What each weight multiplies; :meth:`planet.rewards.inputs.AccountInputs.quantities` has the
#: same keys.
WEIGHT_KEYS = ("view", "like", "comment", "live_attendance", "points", "trade")
DEFAULT_PATH = Path("config/scoring.yaml")
#: Exchanges whose fills count when a config does not say: only those where a fill costs money.
DEFAULT_TRADE_EXCHANGES = ("okx",)

_TOP_KEYS = {
    "name",
    "version",
    "weights",
    "cap_share",
    "trade_exchanges",
    "epochs",
    "attestations",
    "trust",
}
#: Activities the API signs attestations for, and what each rule of one says.
ACTIVITIES = ("post", "comment", "live", "trade")
_ACTIVITY_KEYS = ("min_engagers", "base", "per_engager", "max", "weekly_quota")
_TRUST_KEYS = {
    "seed_min_age_days",
    "damping",
    "engager_budget",
    "newcomer_weight",
    "public_relayers",
    "public_funders",
    "trade_cap",
}
DAY = 24 * 3600
_EPOCH_KEYS = {"weights"}
_FRACTION = re.compile(r"\s*\d+(\s*/\s*\d+|\.\d+)?\s*")

Score = int | Fraction


class ScoringConfigError(PlanetError, ValueError):
    """The scoring config cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ActivityRule:
    """What one kind of activity earns: nothing unless ``min_engagers`` distinct eligible
    identities engaged with it, then ``min(max, base + per_engager * engagers)`` points, at most
    ``weekly_quota`` attestations per identity per week."""

    min_engagers: int
    base: int
    per_engager: int
    max: int
    weekly_quota: int

    def amount(self, engagers: int) -> int:
        return min(self.max, self.base + self.per_engager * engagers)


@dataclass(frozen=True)
class AttestationRules:
    """What the API signs (``attestations`` in the config). An engager is *eligible* when it
    holds an identity, is not the author, shares no funder with the author, and was first seen
    at least ``engager_min_age_days`` before the activity."""

    engager_min_age_days: int
    activities: dict[str, ActivityRule]

    @property
    def engager_min_age(self) -> int:
        return self.engager_min_age_days * DAY


@dataclass(frozen=True)
class TrustRules:
    """How much an engagement counts (``trust`` in the config; see :mod:`planet.rewards.trust`).

    ``seed_min_age_days``: identities first seen at least this long before the week (or
    verified, or holding a pass) are the seeds trust flows from; ``damping``: the personalized
    PageRank's damping factor; ``engager_budget``: weight units of one engager's week that count
    in full (view 1, like 2, comment 3, attendance 3, trade 3; beyond it they are scaled down);
    ``newcomer_weight``: the most a non-seed identity's engagement counts, times its propagated
    trust; ``public_relayers``: relayers that onboard everyone, never a funder cluster;
    ``public_funders``: wallets that fund everyone (an exchange's hot wallet, a faucet),
    likewise; ``trade_cap``: the whole quote units of one trader's attributed volume in a week
    that count, shared over the creators it traded from (None: all of it, formula v2): a trade
    that follows a post says the post moved someone, and its size says how rich they are, which
    one established trader (or a wash trade, for a fee) could otherwise buy a week's ranking
    with."""

    seed_min_age_days: int
    damping: Fraction
    engager_budget: int
    newcomer_weight: Fraction
    public_relayers: tuple[str, ...] = ()
    public_funders: tuple[str, ...] = ()
    trade_cap: int | None = None

    @property
    def seed_min_age(self) -> int:
        return self.seed_min_age_days * DAY

    def to_json(self) -> dict[str, Any]:
        """As the distribution file records them; ``trade_cap`` only when set, so a formula
        without one (v2) writes the file it always wrote."""
        out: dict[str, Any] = {
            "seed_min_age_days": self.seed_min_age_days,
            "damping": str(self.damping),
            "engager_budget": self.engager_budget,
            "newcomer_weight": str(self.newcomer_weight),
            "public_relayers": list(self.public_relayers),
            "public_funders": list(self.public_funders),
        }
        if self.trade_cap is not None:
            out["trade_cap"] = self.trade_cap
        return out


@dataclass(frozen=True)
class Formula:
    """The formula as it applies to one epoch: what the distribution file records."""

    name: str
    version: str
    epoch: int
    weights: dict[str, Fraction]
    cap_share: Fraction | None
    overridden: bool  # whether the config's ``epochs`` section changed the weights
    trade_exchanges: tuple[str, ...] = DEFAULT_TRADE_EXCHANGES  # sorted
    trust: TrustRules | None = None  # None: every engagement counts one (formula v1)

    def weights_json(self) -> dict[str, str]:
        """Weights as exact decimal or fraction strings, the file's notation for numbers."""
        return {k: str(v) for k, v in self.weights.items()}

    def score(self, quantities: Mapping[str, int] | Mapping[str, Fraction]) -> Score:
        """The exact score of one account's quantities (an int when the weights are ints)."""
        total = sum(
            (self.weights[k] * Fraction(quantities.get(k, 0)) for k in WEIGHT_KEYS), Fraction(0)
        )
        return total.numerator if total.denominator == 1 else total


@dataclass(frozen=True)
class ScoringConfig:
    name: str
    version: str
    weights: dict[str, Fraction]
    cap_share: Fraction | None
    overrides: dict[int, dict[str, Fraction]]
    trade_exchanges: tuple[str, ...] = DEFAULT_TRADE_EXCHANGES  # sorted
    attestations: AttestationRules | None = None  # None: the API's fixed amounts (v1)
    trust: TrustRules | None = None

    def for_epoch(self, epoch: int) -> Formula:
        override = self.overrides.get(epoch)
        weights = {**self.weights, **(override or {})}
        return Formula(
            self.name,
            self.version,
            epoch,
            weights,
            self.cap_share,
            override is not None,
            self.trade_exchanges,
            self.trust,
        )


def _fraction(value: Any, key: str) -> Fraction:
    if isinstance(value, bool):
        raise ScoringConfigError(f"{key}: must be a number, got {value!r}")
    if isinstance(value, int):
        result = Fraction(value)
    elif isinstance(value, float):
        result = Fraction(str(value))  # as written in the file, not the binary float
    elif isinstance(value, str) and _FRACTION.fullmatch(value):
        try:
            result = Fraction(value.replace(" ", ""))
        except ZeroDivisionError:
            raise ScoringConfigError(f"{key}: {value!r} divides by zero") from None
    elif isinstance(value, str) and value.strip().startswith("-"):
        raise ScoringConfigError(f"{key}: must not be negative, got {value!r}")
    else:
        raise ScoringConfigError(
            f"{key}: {value!r} is not a number or a fraction like '1/10' or '0.25'"
        )
    if result < 0:
        raise ScoringConfigError(f"{key}: must not be negative, got {value!r}")
    return result


def _mapping(value: Any, key: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise ScoringConfigError(f"{key}: must be a mapping, got {type(value).__name__}")
    return value


def _unknown(found: dict[Any, Any], allowed: set[str] | tuple[str, ...], where: str) -> None:
    extra = sorted(str(k) for k in found if k not in allowed)
    if extra:
        prefix = f"{where}." if where else ""
        raise ScoringConfigError(
            f"{prefix}{extra[0]}: unknown key (expected one of {', '.join(sorted(allowed))})"
        )


def _weights(value: Any, key: str, complete: bool) -> dict[str, Fraction]:
    raw = _mapping(value, key)
    _unknown(raw, WEIGHT_KEYS, key)
    if complete:
        missing = [k for k in WEIGHT_KEYS if k not in raw]
        if missing:
            raise ScoringConfigError(f"{key}.{missing[0]}: missing (every weight is required)")
    return {k: _fraction(raw[k], f"{key}.{k}") for k in WEIGHT_KEYS if k in raw}


def _text(value: Any, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise ScoringConfigError(f"{key}: must be a non-empty string, got {value!r}")
    return str(value)


def _exchanges(value: Any, key: str) -> tuple[str, ...]:
    """A list of distinct exchange names the API knows (a misspelt one would silently drop
    every fill of the real one); an empty list is allowed: no trade counts."""
    if not isinstance(value, list):
        raise ScoringConfigError(
            f"{key}: must be a list of exchange names like [okx], got {value!r}"
        )
    seen: set[str] = set()
    for i, name in enumerate(value):
        if name not in EXCHANGE_NAMES:
            raise ScoringConfigError(
                f"{key}.{i}: {name!r} is not an exchange (expected one of "
                f"{', '.join(EXCHANGE_NAMES)})"
            )
        if name in seen:
            raise ScoringConfigError(f"{key}.{i}: {name!r} is listed twice")
        seen.add(name)
    return tuple(sorted(seen))


def _count(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScoringConfigError(f"{key}: must be a whole number >= 0, got {value!r}")
    return value


def _attestations(value: Any) -> AttestationRules:
    body = _mapping(value, "attestations")
    _unknown(body, {"engager_min_age_days", "activities"}, "attestations")
    raw = _mapping(body.get("activities"), "attestations.activities")
    _unknown(raw, ACTIVITIES, "attestations.activities")
    rules: dict[str, ActivityRule] = {}
    for activity in ACTIVITIES:
        where = f"attestations.activities.{activity}"
        if activity not in raw:
            raise ScoringConfigError(f"{where}: missing (every activity needs its rule)")
        section = _mapping(raw[activity], where)
        _unknown(section, _ACTIVITY_KEYS, where)
        for key in _ACTIVITY_KEYS:
            if key not in section:
                raise ScoringConfigError(f"{where}.{key}: missing")
        rule = ActivityRule(*(_count(section[k], f"{where}.{k}") for k in _ACTIVITY_KEYS))
        if activity == "comment" and rule.min_engagers:
            raise ScoringConfigError(f"{where}.min_engagers: a comment has no engagers; use 0")
        rules[activity] = rule
    return AttestationRules(
        _count(body.get("engager_min_age_days", 0), "attestations.engager_min_age_days"), rules
    )


def _trust(value: Any) -> TrustRules:
    body = _mapping(value, "trust")
    _unknown(body, _TRUST_KEYS, "trust")
    for key in sorted(_TRUST_KEYS - {"public_relayers", "public_funders", "trade_cap"}):
        if key not in body:
            raise ScoringConfigError(f"trust.{key}: missing")
    damping = _fraction(body["damping"], "trust.damping")
    if not 0 < damping < 1:
        raise ScoringConfigError(f"trust.damping: must be in (0, 1), got {body['damping']!r}")
    newcomer = _fraction(body["newcomer_weight"], "trust.newcomer_weight")
    if newcomer > 1:
        raise ScoringConfigError(
            f"trust.newcomer_weight: must be in [0, 1], got {body['newcomer_weight']!r}"
        )
    budget = _count(body["engager_budget"], "trust.engager_budget")
    if budget == 0:
        raise ScoringConfigError("trust.engager_budget: must be positive")
    trade_cap = body.get("trade_cap")
    if trade_cap is not None and _count(trade_cap, "trust.trade_cap") == 0:
        raise ScoringConfigError("trust.trade_cap: must be positive (set the trade weight to 0)")
    return TrustRules(
        _count(body["seed_min_age_days"], "trust.seed_min_age_days"),
        damping,
        budget,
        newcomer,
        _addresses(body, "public_relayers"),
        _addresses(body, "public_funders"),
        trade_cap,
    )


def _addresses(body: dict[str, Any], key: str) -> tuple[str, ...]:
    values = body.get(key) or []
    if not isinstance(values, list) or not all(
        isinstance(a, str) and re.fullmatch(r"0x[0-9a-fA-F]{40}", a) for a in values
    ):
        raise ScoringConfigError(f"trust.{key}: must be a list of 0x addresses, got {values!r}")
    return tuple(sorted(a.lower() for a in values))


def _epoch_number(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ScoringConfigError(f"epochs.{value}: an epoch must be a number >= 0")


def parse(data: Any) -> ScoringConfig:
    """Validates a loaded config document (see the module docstring)."""
    top = _mapping(data, "scoring config")
    _unknown(top, _TOP_KEYS, "")
    for required in ("name", "version", "weights"):
        if required not in top:
            raise ScoringConfigError(f"{required}: missing")
    weights = _weights(top["weights"], "weights", complete=True)
    if not any(weights.values()):
        raise ScoringConfigError("weights: at least one weight must be positive")
    cap_raw = top.get("cap_share")
    cap_share = None if cap_raw is None else _fraction(cap_raw, "cap_share")
    if cap_share is not None and not 0 < cap_share <= 1:
        raise ScoringConfigError(f"cap_share: must be in (0, 1], got {cap_raw!r}")
    overrides: dict[int, dict[str, Fraction]] = {}
    for raw_epoch, section in _mapping(top.get("epochs") or {}, "epochs").items():
        epoch = _epoch_number(raw_epoch)
        where = f"epochs.{epoch}"
        if epoch in overrides:
            raise ScoringConfigError(f"{where}: given twice")
        body = _mapping(section, where)
        _unknown(body, _EPOCH_KEYS, where)
        if "weights" not in body:
            raise ScoringConfigError(f"{where}.weights: missing")
        overrides[epoch] = _weights(body["weights"], f"{where}.weights", complete=False)
        if not any({**weights, **overrides[epoch]}.values()):
            raise ScoringConfigError(f"{where}.weights: at least one weight must be positive")
    return ScoringConfig(
        name=_text(top["name"], "name"),
        version=_text(top["version"], "version"),
        weights=weights,
        cap_share=cap_share,
        overrides=overrides,
        trade_exchanges=_exchanges(
            top.get("trade_exchanges", list(DEFAULT_TRADE_EXCHANGES)), "trade_exchanges"
        ),
        attestations=(
            None if top.get("attestations") is None else _attestations(top["attestations"])
        ),
        trust=None if top.get("trust") is None else _trust(top["trust"]),
    )


def load(path: str | Path = DEFAULT_PATH) -> ScoringConfig:
    """Reads and validates the config file; errors name the file and the key."""
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        raise ScoringConfigError(f"scoring config {path}: no such file") from None
    except OSError as err:
        raise ScoringConfigError(f"scoring config {path}: {err.strerror or err}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ScoringConfigError(f"scoring config {path}: not valid YAML: {err}") from None
    try:
        return parse(data)
    except ScoringConfigError as err:
        raise ScoringConfigError(f"scoring config {path}: {err}") from None
