"""``planet``: one command for Planet's programs and every role's actions."""

from __future__ import annotations

import click

from planet.commands.claim import claim_command
from planet.commands.demo import demo_command
from planet.commands.epoch import epoch_cli
from planet.commands.index import cli as index_cli
from planet.commands.migrate import migrate_command
from planet.commands.serve import serve_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def main() -> None:
    """Planet: an on-chain community protocol, and the programs that mirror and serve it."""


main.add_command(serve_cli, name="serve")
main.add_command(migrate_command, name="migrate")
main.add_command(index_cli, name="index")
main.add_command(epoch_cli, name="epoch")
main.add_command(claim_command, name="claim")
main.add_command(demo_command, name="demo")
