"""`ape run demo` (what `make demo` runs): the whole product on a local anvil chain, in one command.

Starts anvil on 127.0.0.1:<port> (or joins one already listening there), deploys every contract
with roles wired, then tells a week of a small community (:mod:`planet.demo.story`): sign-ups,
personas, posts, a private community behind a pass, a live session with chat, trades from a post,
attestations submitted from wallets, the week closed and proposed, two claims. It ends with a
table of who earned what and why, and keeps the API (docs at /docs), the indexer and the chain up
until Ctrl-C; `--once` exits 0 instead, for scripts and CI.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import click
from ape import accounts, chain, networks, project
from eth_account import Account

from planet.chain import deploy_config
from planet.chain.deploy import deploy_all
from planet.commands.claim import ClaimError
from planet.core import logs
from planet.core.manifest import DEFAULT_DIR
from planet.demo.client import DemoError
from planet.demo.story import StoryConfig, StoryResult, run
from planet.demo.workspace import workspace
from planet.rewards.close import CloseError

WORKDIR = Path(".run/demo")


def step(message: str) -> None:
    click.secho(f"==> {message}", bold=True)


def table(result: StoryResult) -> None:
    """Who earned what and why, and the claims' transactions."""
    data = result.close.distribution.data
    formula = data["formula"]
    unallocated = int(data["unallocated"])
    click.echo(
        f"\n  week {result.epoch}: {len(result.earners)} accounts share "
        f"{int(data['total']) / 10**18:.6f} of a {int(data['pool']) / 10**18:.6f} OKB pool "
        f"({formula['name']} v{formula['version']}, at most {formula['cap_share']} of it each"
        + (f"; {unallocated / 10**18:.6f} left for a later week)" if unallocated else ")")
    )
    click.echo(
        f"  {'who':<8} {'earned (OKB)':>14}  why (distinct users, points, USDT traded; "
        "reason codes)"
    )
    for e in result.earners:
        why = ", ".join(f"{k} {v}" for k, v in e.why.items())
        codes = f"; {', '.join(e.reasons)}" if e.reasons else ""
        click.echo(f"  @{e.handle:<7} {e.amount / 10**18:>14.6f}  {why}{codes}")
    click.echo("\n  claims")
    for handle, claimed in result.claims.items():
        click.echo(f"  @{handle:<7} {claimed.total / 10**18:>14.6f}  tx {claimed.tx_hash}")


@click.command()
@click.option("--port", default=8545, show_default=True, help="Port of the local anvil chain.")
@click.option("--api-port", default=8000, show_default=True, help="Port the API serves on.")
@click.option("--once", is_flag=True, help="Tell the story and exit instead of serving.")
@click.option(
    "--manifest-dir", type=click.Path(path_type=Path), default=DEFAULT_DIR, show_default=True
)
@click.option(
    "--workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=WORKDIR,
    show_default=True,
    help="Where the demo keeps its database, distribution files and wallets' key files.",
)
def cli(port: int, api_port: int, once: bool, manifest_dir: Path, workdir: Path) -> None:
    """Run Planet on a local chain: deploy, tell a community's week, leave the API up."""
    logs.configure("WARNING")
    rpc = f"http://127.0.0.1:{port}"
    try:
        with workspace(workdir, manifest_dir, "127.0.0.1", api_port) as (workdir, manifest_dir):
            _tell(rpc, api_port, once, manifest_dir, workdir)
    except (DemoError, CloseError, ClaimError) as err:
        click.secho(f"Error: {err}", fg="red", err=True)
        sys.exit(1)


def _tell(rpc: str, api_port: int, once: bool, manifest_dir: Path, workdir: Path) -> None:
    step(f"starting anvil at {rpc}")
    with networks.ethereum.local.use_provider("foundry", provider_settings={"host": rpc}):
        step(f"chain {chain.chain_id} at block {chain.blocks.head.number}")
        step("deploying contracts")
        settings = deploy_config.load(Path("deploy-config.yaml"), "local")
        deployer = accounts.test_accounts[0]
        # Always fresh contracts: a chain that is joined (one already listening on the port)
        # may hold an earlier telling, whose identities would make this one's sign-ups revert.
        manifest, fresh = deploy_all(
            project, chain, deployer, "ethereum:local", settings, manifest_dir, redeploy=True
        )
        click.echo(f"\n  {'contract':<20} {'address':<44} block  state")
        for name, record in manifest.contracts.items():
            state = "deployed" if name in fresh else "reused"
            click.echo(f"  {name:<20} {record.address:<44} {record.block_number:>5}  {state}")
        click.echo(f"\n  epoch genesis: {manifest.genesis}; roles held by {deployer.address}")
        # Test accounts 1-3 are left to the role tests; the community starts at 4.
        people = [Account.from_key(a.private_key) for a in accounts.test_accounts[4:10]]
        config = StoryConfig(
            rpc_url=rpc,
            manifest_path=manifest_dir / f"{manifest.chain_id}.json",
            workdir=workdir,
            deployer=Account.from_key(deployer.private_key),
            people=people,
            api_port=api_port,
            fans=4,
        )

        def serve(result: StoryResult) -> None:
            table(result)
            if once:
                step("done (--once)")
                return
            step(f"web app at {result.api_url}/ ; API docs at {result.api_url}/docs")
            fan = people[2]
            click.echo(
                f"  In a browser wallet, add the network {rpc} (chain {manifest.chain_id}) and "
                f"import the demo's @carol: {fan.address}, key 0x{bytes(fan.key).hex()} "
                "(a public test key: never fund it on a real chain)"
            )
            step("Ctrl-C stops everything")
            stop = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            while not stop.wait(0.5):
                pass
            step("stopping the API, the indexer and anvil")

        run(config, lambda line: click.echo(line), after=serve)
