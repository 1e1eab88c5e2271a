"""``planet demo``: ``ape run demo`` (``scripts/demo.py``), the whole product on a local chain.

The demo deploys through Ape's project (contracts compiled from ``contracts/``), so it runs as
an Ape script from the project folder; this command only hands its arguments on."""

from __future__ import annotations

import os
import shutil

import click


@click.command("demo", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def demo_command(args: tuple[str, ...]) -> None:
    """Tell a community's week on a local anvil chain and serve the API (ape run demo ARGS;
    --once exits when told, --help lists the rest)."""
    ape = shutil.which("ape")
    if ape is None:
        raise click.ClickException("ape is not installed here: run `make setup` first")
    os.execv(ape, [ape, "run", "demo", *args])
