"""`ape run gas_report` (`make gas`): measure gas per operation on a fresh local chain and
compare with the committed ``gas-snapshot.json``.

    ape run gas_report            # print figures and the change against the snapshot
    ape run gas_report --write    # accept the figures as the new snapshot
    ape run gas_report --check    # exit 1 if any figure moved by more than the tolerance
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from ape import accounts, chain, project
from ape.cli import ConnectedProviderCommand

from benchmarks.gas import measures

SNAPSHOT = Path("gas-snapshot.json")


@click.command(cls=ConnectedProviderCommand)
@click.option("--write", is_flag=True, help="Write the figures to gas-snapshot.json.")
@click.option("--check", is_flag=True, help="Fail if a figure moved more than --tolerance.")
@click.option("--tolerance", default=0.01, show_default=True, help="Allowed relative change.")
def cli(write: bool, check: bool, tolerance: float) -> None:
    """Measure gas used by Planet's user-facing transactions."""
    figures: dict[str, int] = {}
    for name, measure in measures().items():
        click.echo(f"measuring {name} ...", err=True)
        figures.update(measure(project, accounts, chain))

    old = json.loads(SNAPSHOT.read_text()) if SNAPSHOT.exists() else {}
    moved = []
    click.echo(f"{'operation':<46} {'gas':>10} {'snapshot':>10} {'change':>8}")
    for key, value in figures.items():
        before = old.get(key)
        change = "new" if before is None else f"{(value - before) / before:+.2%}"
        if before is None or abs(value - before) > tolerance * before:
            moved.append(key)
        click.echo(f"{key:<46} {value:>10,} {before or '-':>10} {change:>8}")
    if write:
        SNAPSHOT.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
        click.echo(f"wrote {SNAPSHOT}")
    elif check and moved:
        raise click.ClickException(f"gas moved beyond {tolerance:.0%}: {', '.join(moved)}")
