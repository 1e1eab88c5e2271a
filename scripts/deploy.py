"""`ape run deploy`: deploy and wire every Planet contract on the chosen network.

ape run deploy --network ethereum:local                 # a throwaway anvil
ape run deploy --network ethereum:xlayer-testnet --account planet-deployer
"""

from __future__ import annotations

from pathlib import Path

import click
from ape import chain, networks, project
from ape.exceptions import ApeException

from planet.chain import deploy_config
from planet.chain.deploy import DeployError, deploy_all, pick_account
from planet.core import logs
from planet.core.manifest import DEFAULT_DIR, ManifestError


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
def cli(
    choice: str, alias: str | None, config_path: Path, manifest_dir: Path, redeploy: bool
) -> None:
    """Deploy Identity, ContributionPoints, CommunityPass and PrizeVault with roles wired, and
    write the manifest."""
    logs.configure()
    try:
        # Connected here rather than by ape's command class so that an unreachable RPC or an
        # unknown network ends with one line, not a traceback.
        with networks.parse_network_choice(choice) as provider:
            network_name = provider.network.name
            settings = deploy_config.load(config_path, network_name)
            deployer = pick_account(alias, network_name)
            manifest, fresh = deploy_all(
                project, chain, deployer, choice, settings, manifest_dir, redeploy
            )
    except (deploy_config.DeployConfigError, ManifestError, DeployError, ApeException) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"chain {manifest.chain_id} ({manifest.network}), genesis {manifest.genesis}")
    for name, record in manifest.contracts.items():
        state = "deployed" if name in fresh else "reused"
        click.echo(f"  {name:<20} {record.address}  block {record.block_number}  ({state})")
