"""The deploy script's settings file (``deploy-config.yaml``), validated before any transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from eth_utils import is_address, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from planet.core.config_errors import validation_problems, yaml_problem
from planet.core.errors import PlanetError

ROLES = ("admin", "attester", "verifier", "risk", "distributor", "guardian", "treasury")
NATIVE = "0x" + "00" * 20


class DeployConfigError(PlanetError, ValueError):
    """The settings file is missing, malformed, or names an invalid address or genesis."""


class NetworkSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    admin: str | None = None
    attester: str | None = None
    verifier: str | None = None
    risk: str | None = None
    distributor: str | None = None
    guardian: str | None = None
    treasury: str | None = None
    genesis: int | None = Field(default=None, ge=0)
    platform_fee_bps: int = Field(default=250, ge=0, le=1000)
    vault_asset: str = Field(default="native", validate_default=True)
    challenge_period: int = Field(default=86_400, gt=0, le=30 * 86_400)
    claim_window_weeks: int = Field(default=12, gt=0)

    @field_validator(*ROLES)
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not is_address(value):
            raise ValueError(f"{value!r} is not an address")
        return to_checksum_address(value)

    @field_validator("vault_asset")
    @classmethod
    def _asset(cls, value: str) -> str:
        if value == "native":
            return NATIVE
        if not is_address(value):
            raise ValueError(f"{value!r} is neither 'native' nor a token address")
        return to_checksum_address(value)

    def roles_for(self, deployer: str) -> dict[str, str]:
        """Every role's holder, the deployer standing in for any left empty."""
        return {role: getattr(self, role) or deployer for role in ROLES}


def load(path: Path, network: str) -> NetworkSettings:
    """Settings for ``network``: the file's defaults overlaid with that network's entry."""
    try:
        data: Any = yaml.safe_load(Path(path).read_text()) or {}
    except FileNotFoundError:
        raise DeployConfigError(f"deploy settings file {path} does not exist") from None
    except yaml.YAMLError as err:
        raise DeployConfigError(f"deploy settings file {yaml_problem(path, err)}") from None
    if not isinstance(data, dict):
        raise DeployConfigError(f"{path}: expected a mapping with `default` and `networks`")
    unknown = set(data) - {"default", "networks"}
    if unknown:
        raise DeployConfigError(f"{path}: unknown top-level keys {sorted(unknown)}")
    merged = dict(data.get("default") or {})
    merged.update((data.get("networks") or {}).get(network) or {})
    try:
        return NetworkSettings.model_validate(merged)
    except ValidationError as err:
        raise DeployConfigError(f"{validation_problems(path, err)} (network {network})") from None
