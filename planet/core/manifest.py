"""Deployment manifests: which contracts live where on one chain, and since which block.

One JSON file per chain id (``deployments/<chain id>.json``). The deploy script writes it; the
indexer reads addresses, deployment blocks and ABIs from it, so it must never be half-written
(written to a temporary file, then renamed).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planet.core.config_errors import validation_problems
from planet.core.errors import PlanetError

DEFAULT_DIR = Path("deployments")

PROTOCOL_VERSION = 2
"""The protocol version this code deploys: 2 added pass requirements, snapshots and refunds
(``CommunityPass.PROTOCOL_VERSION``). Contracts are not upgradeable, so a version is a
deployment."""


class ManifestError(PlanetError, ValueError):
    """A manifest that is missing, unreadable or does not describe the expected chain."""


class CompilerRecord(BaseModel):
    """How a contract was compiled, as source verification must repeat it."""

    model_config = ConfigDict(extra="forbid")

    version: str
    """The full compiler version, e.g. ``0.8.37+commit.f401782d``."""
    settings: dict[str, Any]
    """The standard-JSON ``settings`` that affect the bytecode: ``optimizer``, ``evmVersion``,
    ``viaIR``, ``remappings`` (no ``outputSelection``)."""


class DeployedContract(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: str
    block_number: int = Field(ge=0)
    block_hash: str
    tx_hash: str
    constructor_args: list[Any]
    abi: list[dict[str, Any]]
    userdoc: dict[str, Any] = Field(default_factory=dict)
    """The compiler's NatSpec for users (``@notice`` of functions and custom errors), so a
    revert can be explained in words without the sources; empty in older manifests."""
    source_id: str = ""
    """The contract's source file in the project (``contracts/identity/Identity.sol``); with
    the name, what an explorer calls the contract (``path:Name``). Empty in older manifests."""
    constructor_data: str = ""
    """The ABI-encoded constructor arguments (0x hex), as appended to the creation code."""
    compiler: CompilerRecord | None = None
    """The compiler and settings of the deployed bytecode; None in older manifests."""


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chain_id: int = Field(gt=0)
    version: int = Field(default=1, ge=1)
    """The protocol version of the deployment; manifests written before versions were
    recorded describe version 1."""
    network: str
    deployer: str
    genesis: int = Field(ge=0)
    roles: dict[str, str]
    contracts: dict[str, DeployedContract] = Field(default_factory=dict)

    def contract(self, name: str) -> DeployedContract:
        try:
            return self.contracts[name]
        except KeyError:
            known = ", ".join(sorted(self.contracts)) or "none"
            raise ManifestError(
                f"contract {name!r} is not in the manifest for chain {self.chain_id} (has: {known})"
            ) from None

    @property
    def start_block(self) -> int:
        """The earliest deployment block: where an indexer starts reading."""
        return min((c.block_number for c in self.contracts.values()), default=0)


def manifest_path(chain_id: int, directory: Path = DEFAULT_DIR) -> Path:
    return Path(directory) / f"{chain_id}.json"


def load(path: Path) -> Manifest:
    try:
        raw = Path(path).read_text()
    except FileNotFoundError:
        raise ManifestError(
            f"no deployment manifest at {path}: deploy first (make deploy)"
        ) from None
    try:
        return Manifest.model_validate_json(raw)
    except ValidationError as err:
        raise ManifestError(f"deployment manifest {validation_problems(path, err)}") from None


def load_for_chain(chain_id: int, directory: Path = DEFAULT_DIR) -> Manifest | None:
    """The manifest of ``chain_id``, or None if that chain has none yet."""
    path = manifest_path(chain_id, directory)
    if not path.exists():
        return None
    manifest = load(path)
    if manifest.chain_id != chain_id:
        raise ManifestError(f"{path} describes chain {manifest.chain_id}, not {chain_id}")
    return manifest


def save(manifest: Manifest, directory: Path = DEFAULT_DIR) -> Path:
    """Writes atomically: a reader sees the old manifest or the new one, never half of one."""
    path = manifest_path(manifest.chain_id, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(manifest.model_dump(), out, indent=2)
            out.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
