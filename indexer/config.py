"""The indexer's one settings object, read from the environment and an optional file.

Precedence, highest first: explicit overrides (command-line options), ``PLANET_INDEXER_*``
environment variables, the settings file (TOML or YAML, chosen by its suffix), defaults. Every
value is validated before the indexer touches the chain or the database, and a bad value is
reported by the name the user wrote it under (the environment variable or the file key).
"""

from __future__ import annotations

import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from planet.core.config_errors import toml_problem, yaml_problem
from planet.core.errors import PlanetError

ENV_PREFIX = "PLANET_INDEXER_"
FinalityTag = Literal["safe", "finalized"]

_file_values: ContextVar[dict[str, Any] | None] = ContextVar("_file_values", default=None)


class ConfigError(PlanetError, ValueError):
    """A setting is missing, malformed or out of range; the message names the key to fix."""


class _FileSource(PydanticBaseSettingsSource):
    """Values read from the settings file by :meth:`IndexerSettings.load`."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return (_file_values.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_file_values.get() or {})


class IndexerSettings(BaseSettings):
    """Everything the indexer needs to know; see each field's description."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    rpc_url: str = Field(
        default="http://127.0.0.1:8545", description="JSON-RPC endpoint (http or https)."
    )
    manifest: Path | None = Field(
        default=None,
        description="Deployment manifest; default <manifest_dir>/<chain id>.json, the chain id "
        "asked from the RPC.",
    )
    manifest_dir: Path = Field(default=Path("deployments"))
    database_url: str = Field(
        default="sqlite:///planet.sqlite",
        description="SQLAlchemy URL: sqlite:///file or postgresql://user@host/db.",
    )
    finality: int | FinalityTag = Field(
        default=12,
        description="A confirmation depth (blocks below the head) or the `safe`/`finalized` tag: "
        "blocks at or below it are final and never re-checked.",
    )
    range_initial: int = Field(default=2_000, ge=1, description="First eth_getLogs range.")
    range_min: int = Field(default=1, ge=1, description="Smallest range before giving up.")
    range_max: int = Field(default=50_000, ge=1, description="Largest range.")
    range_target_logs: int = Field(
        default=20_000,
        ge=1,
        description="Ranges grow while they return fewer logs than half this, and shrink when "
        "they return more than twice this, bounding memory and transaction size.",
    )
    rate_limit: float = Field(default=50.0, gt=0, description="Request ceiling, per second.")
    request_timeout: float = Field(default=30.0, gt=0, description="Seconds per request.")
    max_attempts: int = Field(
        default=8, ge=1, description="Tries per request before the RPC counts as down."
    )
    backoff_base: float = Field(default=0.25, ge=0, description="First retry delay, seconds.")
    backoff_max: float = Field(default=15.0, ge=0, description="Longest retry delay, seconds.")
    poll_interval: float = Field(default=1.0, gt=0, description="Seconds between head polls.")
    outage_backoff_max: float = Field(
        default=30.0,
        gt=0,
        description="Longest wait between retries while the chain or the database is down "
        "(follow mode rides out outages; --once ends with the error).",
    )
    progress: bool = Field(default=True, description="tqdm progress bar during backfill.")
    funding_lookups: int = Field(
        default=200,
        ge=0,
        description="New identity owners whose first funding transaction each pass looks up "
        "(indexer.funding); 0 turns the lookups off.",
    )
    funding_window: int = Field(
        default=2_000_000,
        ge=1,
        description="How many blocks before the final block a funding lookup searches; an owner "
        "funded earlier is recorded as funded before the window.",
    )
    funding_recheck_after: int = Field(
        default=86_400,
        ge=1,
        description="Blocks after which an owner recorded as unfunded (a relayer paid its "
        "registration) or unavailable (the node could not answer) is looked up again, within "
        "funding_lookups per pass.",
    )

    @field_validator("finality", mode="before")
    @classmethod
    def _finality(cls, value: Any) -> int | str:
        if isinstance(value, bool):
            raise ValueError("must be a confirmation depth (integer >= 0), 'safe' or 'finalized'")
        if isinstance(value, str):
            text = value.strip().lower()
            if text in ("safe", "finalized"):
                return text
            if text.isdigit():
                return int(text)
        if isinstance(value, int) and value >= 0:
            return value
        raise ValueError("must be a confirmation depth (integer >= 0), 'safe' or 'finalized'")

    @field_validator("rpc_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _ranges(self) -> IndexerSettings:
        if not self.range_min <= self.range_initial <= self.range_max:
            raise ValueError(
                "range_initial must lie between range_min and range_max "
                f"(got min={self.range_min}, initial={self.range_initial}, max={self.range_max})"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _FileSource(settings_cls)

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides: Any) -> IndexerSettings:
        """Settings from overrides, environment and ``config_file``; raises :class:`ConfigError`."""
        file_values = _read_file(config_file) if config_file else {}
        unknown = sorted(set(file_values) - set(cls.model_fields))
        if unknown:
            raise ConfigError(
                f"{config_file}: unknown setting(s) {', '.join(unknown)} "
                f"(known: {', '.join(cls.model_fields)})"
            )
        token = _file_values.set(file_values)
        try:
            return cls(**{k: v for k, v in overrides.items() if v is not None})
        except ValidationError as err:
            raise ConfigError(_describe(err, config_file, set(file_values))) from None
        finally:
            _file_values.reset(token)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise ConfigError(f"cannot read settings file {path}: {err.strerror}") from None
    try:
        if Path(path).suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        else:
            data = yaml.safe_load(text) or {}
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"settings file {toml_problem(path, err)}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"settings file {yaml_problem(path, err)}") from None
    if isinstance(data, dict) and isinstance(data.get("indexer"), dict):
        data = data["indexer"]  # allow an [indexer] table in a shared file
    if not isinstance(data, dict):
        raise ConfigError(f"settings file {path}: expected a mapping of setting names to values")
    return data


def _describe(err: ValidationError, config_file: Path | None, file_keys: set[str]) -> str:
    """One line per problem, naming the key where the user set it."""
    problems = []
    for e in err.errors():
        field = str(e["loc"][0]) if e["loc"] else "settings"
        if field in file_keys:
            where = f"{field} (in {config_file})"
        elif field == "settings":
            where = "settings"
        else:
            where = f"{field} ({ENV_PREFIX}{field.upper()})"
        message = e["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {message}")
    return "invalid indexer settings: " + "; ".join(problems)
