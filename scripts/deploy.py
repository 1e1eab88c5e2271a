"""`ape run deploy`: deploy and wire every Planet contract on the chosen network.

ape run deploy --network ethereum:local                 # the chain `make chain` runs
ape run deploy --network ethereum:xlayer-testnet --keystore deployer.json \
    --password-file deployer.pass --max-fee-gwei 1 --yes

The deployer is any wallet of the shared wallet layer (the same options as every `planet`
command that sends: --key-file, --keystore with --password-file, --account, or
PLANET_PRIVATE_KEY); on a local chain with none named, anvil's first test account. The
transactions are priced and sent as the `planet` commands send theirs (EIP-1559 fees from the
node under --max-fee-gwei, a legacy gas price on a chain without a base fee).
"""

from __future__ import annotations

from pathlib import Path

import click
from ape import chain, networks, project
from ape.exceptions import ApeException

from planet.chain import deploy_config
from planet.chain.deploy import (
    Plan,
    deploy_all,
    deploy_transactor,
    deployer_wallet,
    explorer_links,
    manifest_lines,
    plan_deployment,
    role_problems,
    role_table,
)
from planet.chain.transactions import Sent
from planet.chain.wallets import ApeWallet
from planet.commands.session import confirm, max_fee_per_gas, wallet_choice_options
from planet.core import logs
from planet.core.errors import PlanetError
from planet.core.manifest import DEFAULT_DIR
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
    "--throwaway",
    is_flag=True,
    help="On a local network with no chain running, deploy to one that stops with this "
    "command and write no manifest (the default is to refuse).",
)
@wallet_choice_options
def cli(
    choice: str,
    config_path: Path,
    manifest_dir: Path,
    redeploy: bool,
    dry_run: bool,
    allow_shared_roles: bool,
    throwaway: bool,
    key_file: Path | None,
    keystore: Path | None,
    password_file: Path | None,
    alias: str | None,
    yes: bool,
    max_fee_gwei: float | None,
) -> None:
    """Deploy Identity, ContributionPoints, CommunityPass and PrizeVault with roles wired, and
    write the manifest."""
    logs.configure()
    try:
        # The wallet first: a live network without one, a wrong password or a missing key
        # file is said before anything connects.
        parts = choice.split(":")
        named = any(o is not None for o in (key_file, keystore, alias, password_file))
        wallet = deployer_wallet(
            key_file, keystore, alias, password_file, local=len(parts) < 2 or parts[1] == "local"
        )
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
            w3 = provider.web3
            transactor = deploy_transactor(
                project, w3, wallet, chain.chain_id, max_fee_per_gas(max_fee_gwei)
            )
            plan = plan_deployment(
                project,
                chain,
                wallet,
                choice,
                settings,
                manifest_dir,
                redeploy,
                transactor.max_fee_per_gas,
            )
            _print_plan(plan, live)
            if dry_run:
                return
            # anvil's own test account on a local chain is signed for without asking, as
            # before; any named wallet, and every live network, is asked once (or --yes)
            if plan.to_deploy and (live or named):
                confirm(yes, f"Deploy {len(plan.to_deploy)} contracts?")
            if isinstance(wallet, ApeWallet) and plan.to_deploy:
                wallet.stay_unlocked()  # one passphrase for every deployment, not one each
            manifest, fresh = deploy_all(
                project,
                chain,
                transactor,
                choice,
                settings,
                manifest_dir,
                redeploy,
                live=live,
                allow_shared_roles=allow_shared_roles,
                save_manifest=not gone_after,
                on_sent=_print_sent,
            )
    except (PlanetError, ApeException) as err:
        raise click.ClickException(str(err).strip().splitlines()[0]) from None
    click.echo(f"chain {manifest.chain_id} ({manifest.network}), genesis {manifest.genesis}")
    if gone_after:
        click.echo("throwaway chain: no manifest written")
    for line in manifest_lines(manifest, fresh):
        click.echo(line)


def _print_sent(name: str, sent: Sent) -> None:
    """Each deployment as it is mined, so an interrupted deploy still shows what went out."""
    link = f" {sent.url}" if sent.url else ""
    click.echo(f"  sent {name} in {sent.tx_hash} (block {sent.block}){link}")


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
            for url in explorer_links(net, step.reuse):
                click.echo(f"  {'':<20} {url}")
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
