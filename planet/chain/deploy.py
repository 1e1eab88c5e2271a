"""Deploys and wires the Planet contracts through ape, recording them in the manifest.

Contracts deploy in dependency order. A contract already in the manifest is reused when its
recorded deployment is still on this chain (code at the address, same block hash: a restarted
anvil fails this) and it was built with the same constructor arguments; otherwise it is deployed
again, and so is everything that depends on it, since their arguments change with its address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planet.chain.deploy_config import NetworkSettings
from planet.core import logs
from planet.core.epochs import week_start
from planet.core.errors import PlanetError
from planet.core.manifest import DeployedContract, Manifest, load_for_chain, save

log = logs.get("planet.chain.deploy")


class DeployError(PlanetError):
    """Deployment cannot go on (no account, a failed transaction); says what to do."""


@dataclass(frozen=True)
class Step:
    """One contract: its name in the ape project and how to build its constructor arguments."""

    name: str
    args: Callable[[dict[str, str], dict[str, str], NetworkSettings, int], list[Any]]


# (deployed addresses so far, role holders, settings, genesis) -> constructor arguments
STEPS: tuple[Step, ...] = (
    Step("Identity", lambda d, r, s, g: [r["admin"], r["verifier"]]),
    Step(
        "ContributionPoints",
        lambda d, r, s, g: [d["Identity"], g, r["admin"], r["attester"], r["risk"]],
    ),
    Step(
        "CommunityPass",
        lambda d, r, s, g: [d["Identity"], r["admin"], r["treasury"], s.platform_fee_bps],
    ),
    Step(
        "PrizeVault",
        lambda d, r, s, g: [
            d["ContributionPoints"],  # epoch source: the vault's weeks are the points' weeks
            s.vault_asset,
            s.challenge_period,
            s.claim_window_weeks,
            r["admin"],
            r["distributor"],
            r["guardian"],
        ],
    ),
)


def pick_account(alias: str | None, network_name: str) -> Any:
    """The named ape account, or on a local chain the first funded test account (the deployer,
    who holds every role unless deploy-config.yaml names others). For the ape scripts."""
    import click
    from ape import accounts  # here: importing ape is slow and only the scripts need it

    if alias:
        try:
            return accounts.load(alias)
        except Exception as err:  # ape raises several kinds for unknown or locked accounts
            raise click.UsageError(f"cannot load ape account {alias!r}: {err}") from None
    if network_name == "local":
        return accounts.test_accounts[0]
    raise click.UsageError(
        "--account is required on a live network (import one with `ape accounts import NAME`)"
    )


def _normalise(args: list[Any]) -> list[Any]:
    """Constructor arguments as JSON keeps them, so recorded and wanted compare equal."""
    return [a if isinstance(a, int) else str(a) for a in args]


def _still_deployed(chain: Any, record: DeployedContract) -> bool:
    if chain.blocks.head.number < record.block_number:
        return False
    if _hex(chain.blocks[record.block_number].hash) != record.block_hash:
        return False
    return len(chain.provider.get_code(record.address)) > 0


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def deploy_all(
    project: Any,
    chain: Any,
    deployer: Any,
    network: str,
    settings: NetworkSettings,
    manifest_dir: Path,
    redeploy: bool = False,
) -> tuple[Manifest, list[str]]:
    """Deploys what is missing or stale; returns the saved manifest and the names deployed now."""
    chain_id = chain.chain_id
    previous = None if redeploy else load_for_chain(chain_id, manifest_dir)
    roles = settings.roles_for(str(deployer.address))
    genesis = settings.genesis
    if genesis is None:
        genesis = previous.genesis if previous else week_start(chain.blocks.head.timestamp)
    if genesis > chain.blocks.head.timestamp:
        raise DeployError(f"genesis {genesis} lies after the latest block; pick a past timestamp")

    manifest = Manifest(
        chain_id=chain_id,
        network=network,
        deployer=str(deployer.address),
        genesis=genesis,
        roles=roles,
    )
    addresses: dict[str, str] = {}
    deployed_now: list[str] = []
    for step in STEPS:
        args = _normalise(step.args(addresses, roles, settings, genesis))
        old = previous.contracts.get(step.name) if previous else None
        if old and old.constructor_args == args and _still_deployed(chain, old):
            log.info("reusing", contract=step.name, address=old.address, block=old.block_number)
            manifest.contracts[step.name] = old
        else:
            manifest.contracts[step.name] = _deploy(project, chain, deployer, step.name, args)
            deployed_now.append(step.name)
        addresses[step.name] = manifest.contracts[step.name].address

    path = save(manifest, manifest_dir)
    log.info("manifest written", path=str(path), chain_id=chain_id)
    return manifest, deployed_now


def _deploy(
    project: Any, chain: Any, deployer: Any, name: str, args: list[Any]
) -> DeployedContract:
    container = getattr(project, name)
    log.info("deploying", contract=name, args=args)
    instance = deployer.deploy(container, *args)
    receipt = chain.provider.get_receipt(instance.txn_hash)
    block = chain.blocks[receipt.block_number]
    log.info("deployed", contract=name, address=instance.address, block=receipt.block_number)
    contract_type = container.contract_type.model_dump(mode="json", by_alias=True)
    return DeployedContract(
        address=str(instance.address),
        block_number=receipt.block_number,
        block_hash=_hex(block.hash),
        tx_hash=str(instance.txn_hash),
        constructor_args=args,
        abi=contract_type["abi"],
        userdoc=contract_type.get("userdoc") or {},
    )
