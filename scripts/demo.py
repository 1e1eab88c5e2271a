"""`ape run demo` (what `make demo` runs): Planet on a local anvil chain, in one command.

Starts anvil on 127.0.0.1:<port> (or joins one already listening there), deploys every contract
with roles wired, prints the addresses, and keeps the chain up until Ctrl-C; `--once` exits
after printing.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from ape import accounts, chain, networks, project

from planet import deploy_config, logs
from planet.deploy import deploy_all
from planet.manifest import DEFAULT_DIR


def step(message: str) -> None:
    click.secho(f"==> {message}", bold=True)


@click.command()
@click.option("--port", default=8545, show_default=True, help="Port of the local anvil chain.")
@click.option("--once", is_flag=True, help="Exit after deploying instead of keeping the chain up.")
@click.option(
    "--manifest-dir", type=click.Path(path_type=Path), default=DEFAULT_DIR, show_default=True
)
def cli(port: int, once: bool, manifest_dir: Path) -> None:
    """Run Planet on a local chain: start anvil, deploy, print the addresses."""
    logs.configure("WARNING")
    rpc = f"http://127.0.0.1:{port}"
    step(f"starting anvil at {rpc}")
    with networks.ethereum.local.use_provider("foundry", provider_settings={"host": rpc}):
        step(f"chain {chain.chain_id} at block {chain.blocks.head.number}")
        step("deploying contracts")
        settings = deploy_config.load(Path("deploy-config.yaml"), "local")
        deployer = accounts.test_accounts[0]
        manifest, fresh = deploy_all(
            project, chain, deployer, "ethereum:local", settings, manifest_dir
        )
        click.echo(f"\n  {'contract':<20} {'address':<44} block  state")
        for name, record in manifest.contracts.items():
            state = "deployed" if name in fresh else "reused"
            click.echo(f"  {name:<20} {record.address:<44} {record.block_number:>5}  {state}")
        click.echo(f"\n  manifest: {manifest_dir / f'{manifest.chain_id}.json'}")
        click.echo(f"  epoch genesis: {manifest.genesis}; roles held by {deployer.address}")
        if once:
            step("done (--once)")
            return
        step(f"chain running at {rpc}; press Ctrl-C to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            step("stopping")
