"""`ape run deploy`: deploy and wire every Planet contract on the chosen network.

ape run deploy --network ethereum:local                 # the chain `make chain` runs
ape run deploy --network ethereum:xlayer-testnet --account planet-deployer
"""

from __future__ import annotations

from pathlib import Path

import click
from ape import chain, networks, project
from ape.exceptions import ApeException

from planet.chain import deploy_config
from planet.chain.deploy import (
    DeployError,
    Plan,
    deploy_all,
    pick_account,
    plan_deployment,
    role_problems,
    role_table,
)
from planet.core import logs
from planet.core.manifest import DEFAULT_DIR, ManifestError
from planet.core.networks import network
from planet.core.units import format_units


@click.command()
@click.option(
    "--network",
    "choice",
    default="ethereum:local",
    show_default=True,
    help="ape network choice, e.g. ethereum:local, ethereum:xlayer-testnet, ethereum:xlayer.",
)
@click.option("--account", "alias", help="ape account alias of the deployer (live networks).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=Path("deploy-config.yaml"),
    show_default=True,
    help="Role holders and genesis per network.",
)
@click.option(
    "--manifest-dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_DIR,
    show_default=True,
    help="Where deployments/<chain id>.json is written.",
)
@click.option(
    "--redeploy", is_flag=True, help="Deploy afresh even if the manifest's contracts are live."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what would be deployed (arguments, roles, estimated cost); send nothing.",
)
@click.option(
    "--allow-shared-roles",
    is_flag=True,
    help="Deploy on a live network although the attester shares a guarded role or the "
    "treasury is the deployer.",
)
@click.option(
    "--yes", "-y", is_flag=True, help="Sign without asking (ape asks per transaction otherwise)."
)
@click.option(
    "--throwaway",
    is_flag=True,
    help="On a local network with no chain running, deploy to one that stops with this "
    "command and write no manifest (the default is to refuse).",
)
def cli(
    choice: str,
    alias: str | None,
    config_path: Path,
    manifest_dir: Path,
    redeploy: bool,
    dry_run: bool,
    allow_shared_roles: bool,
    yes: bool,
    throwaway: bool,
) -> None:
    """Deploy Identity, ContributionPoints, CommunityPass and PrizeVault with roles wired, and
    write the manifest."""
    logs.configure()
    try:
        # Connected here rather than by ape's command class so that an unreachable RPC or an
        # unknown network ends with one line, not a traceback.
        with networks.parse_network_choice(choice) as provider:
            network_name = provider.network.name
            live = network_name != "local"
            settings = deploy_config.load(config_path, network_name)
            # ape starts an anvil of its own when none runs where it looks; that chain, and
            # everything deployed to it, is gone when this command ends.
            gone_after = getattr(provider, "process", None) is not None
            if gone_after and not (dry_run or throwaway):
                raise click.ClickException(
                    "no local chain is running: start one with `make chain` (its state is kept "
                    "under .run/chain), or pass --throwaway to deploy to a chain that stops "
                    "with this command, writing no manifest"
                )
            deployer = pick_account(alias, network_name)
            plan = plan_deployment(
                project, chain, deployer, choice, settings, manifest_dir, redeploy
            )
            _print_plan(plan, live)
            if dry_run:
                return
            if yes and hasattr(deployer, "set_autosign"):
                deployer.set_autosign(True)  # a keyfile account reads its passphrase from env
            manifest, fresh = deploy_all(
                project,
                chain,
                deployer,
                choice,
                settings,
                manifest_dir,
                redeploy,
                live=live,
                allow_shared_roles=allow_shared_roles,
                save_manifest=not gone_after,
            )
    except (deploy_config.DeployConfigError, ManifestError, DeployError, ApeException) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"chain {manifest.chain_id} ({manifest.network}), genesis {manifest.genesis}")
    if gone_after:
        click.echo("throwaway chain: no manifest written")
    for name, record in manifest.contracts.items():
        state = "deployed" if name in fresh else "reused"
        click.echo(f"  {name:<20} {record.address}  block {record.block_number}  ({state})")


def _print_plan(plan: Plan, live: bool) -> None:
    """The role table and what will be sent, before anything is."""
    net = network(plan.chain_id)
    click.echo(f"deploy to {net.name} (chain {plan.chain_id}) from {plan.deployer}")
    click.echo("roles:")
    for line in role_table(plan.roles, plan.deployer):
        click.echo(line)
    for problem in role_problems(plan.roles, plan.deployer) if live else []:
        click.echo(f"warning: {problem}", err=True)
    for step in plan.steps:
        if step.reuse is not None:
            click.echo(f"  {step.name:<20} reuse {step.address}")
            continue
        gas = f"{step.gas:,} gas" if step.gas is not None else "gas unknown"
        click.echo(f"  {step.name:<20} deploy at {step.address} ({gas}) args {step.args}")
    cost = plan.estimated_cost
    if plan.to_deploy:
        price = format_units(plan.gas_price, 9, "gwei")
        total = (
            format_units(cost, net.native_decimals, net.native_symbol)
            if cost is not None
            else "unknown (the node cannot estimate every step)"
        )
        click.echo(f"estimated cost {total} at {price}")
