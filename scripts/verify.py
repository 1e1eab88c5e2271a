"""`ape run verify`: publish the deployed contracts' sources on X Layer's explorer (OKLink).

ape run verify --network ethereum:xlayer-testnet                 # every contract of the manifest
ape run verify --network ethereum:xlayer --contract PrizeVault   # one of them

Reads deployments/<chain id>.json (the compiler settings and constructor arguments the deploy
recorded), checks each creation transaction on chain against today's build, then submits each
contract's standard-JSON input to the explorer's verification API and waits for its verdict.
Settings: PLANET_VERIFY_API_KEY (required), PLANET_VERIFY_URL (default OKLink's
https://www.oklink.com/api/v5/explorer/contract), PLANET_VERIFY_POLL_SECONDS (5),
PLANET_VERIFY_TIMEOUT (300 seconds per contract).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from ape import chain, networks, project
from ape.exceptions import ApeException

from planet.chain.verify import (
    Explorer,
    Progress,
    Verified,
    settings_from_env,
    verify_deployment,
)
from planet.core import logs
from planet.core.errors import PlanetError
from planet.core.manifest import DEFAULT_DIR, load_for_chain
from planet.core.networks import network

ROOT = Path(__file__).resolve().parents[1]


@click.command()
@click.option(
    "--network",
    "choice",
    default="ethereum:local",
    show_default=True,
    help="ape network choice of the deployment, e.g. ethereum:xlayer-testnet, ethereum:xlayer.",
)
@click.option(
    "--manifest-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_DIR,
    show_default=True,
    help="Where deployments/<chain id>.json is read.",
)
@click.option(
    "--contract",
    "names",
    multiple=True,
    metavar="NAME",
    help="Verify only this contract of the manifest (repeatable); default all.",
)
@click.option(
    "--chain-short-name",
    metavar="NAME",
    help="The chain's name in the explorer API (default: XLAYER on chain 196, XLAYER_TESTNET "
    "on 1952).",
)
def cli(
    choice: str, manifest_dir: Path, names: tuple[str, ...], chain_short_name: str | None
) -> None:
    """Verify every deployed contract's source code on the explorer and print its link.

    Settings from the environment: PLANET_VERIFY_API_KEY (required, the OKLink API key),
    PLANET_VERIFY_URL (default https://www.oklink.com/api/v5/explorer/contract),
    PLANET_VERIFY_POLL_SECONDS (5) and PLANET_VERIFY_TIMEOUT (300 seconds per contract)."""
    logs.configure()
    try:
        settings = settings_from_env()
        with networks.parse_network_choice(choice) as provider:
            chain_id = chain.chain_id
            net = network(chain_id)
            short_name = chain_short_name or net.explorer_chain
            if not short_name:
                raise click.ClickException(
                    f"chain {chain_id} ({net.name}) has no explorer to verify on: verify on "
                    "ethereum:xlayer-testnet or ethereum:xlayer, or name the chain with "
                    "--chain-short-name"
                )
            manifest = load_for_chain(chain_id, manifest_dir)
            if manifest is None:
                raise click.ClickException(
                    f"no deployment manifest for chain {chain_id} in {manifest_dir}: deploy "
                    "first (make deploy)"
                )
            unknown = sorted(set(names) - set(manifest.contracts))
            if unknown:
                known = ", ".join(manifest.contracts)
                raise click.ClickException(
                    f"not in the manifest: {', '.join(unknown)} (has {known})"
                )
            click.echo(f"verifying on {net.name} ({short_name}) through {settings.url}")
            verify_deployment(
                provider.web3,
                manifest,
                net,
                short_name,
                Explorer(settings),
                ROOT,
                names=list(names) or None,
                creation_code=_creation_code,
                progress=_progress(),
                on_verified=_print_verified,
            )
    except (PlanetError, ApeException) as err:
        _end_progress_line()
        raise click.ClickException(str(err).strip().splitlines()[0]) from None


def _creation_code(name: str) -> str | None:
    """Today's build of ``name``: what the creation transaction must begin with."""
    container = getattr(project, name, None)
    if container is None:
        return None
    return str(container.contract_type.deployment_bytecode.bytecode)


_pending_line = False


def _progress() -> Progress:
    """Shows each poll: one line rewritten in place on a terminal, one line per new status
    otherwise (logs and CI)."""
    last: dict[str, str] = {}
    spinner = "|/-\\"

    def show(name: str, status: str, waited: float) -> None:
        global _pending_line
        if sys.stderr.isatty():
            frame = spinner[int(waited) % len(spinner)]
            click.echo(
                f"\r  {frame} {name:<20} {status} ({waited:.0f} s)\033[K", nl=False, err=True
            )
            _pending_line = True
        elif last.get(name) != status:
            click.echo(f"  {name:<20} {status} ({waited:.0f} s)", err=True)
        last[name] = status

    return show


def _end_progress_line() -> None:
    global _pending_line
    if _pending_line:
        click.echo("\r\033[K", nl=False, err=True)
        _pending_line = False


def _print_verified(verified: Verified) -> None:
    _end_progress_line()
    link = f"  {verified.url}" if verified.url else ""
    click.echo(f"  {verified.name:<20} {verified.status}  {verified.address}{link}")
