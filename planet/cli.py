"""``planet``: one command for Planet's programs; ``planet index ...`` is ``python -m indexer``."""

from __future__ import annotations

import click

from indexer.cli import cli as indexer_cli
from planet.rewards.claim import claim_command
from planet.rewards.cli import epoch_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Planet: an on-chain community protocol, and the programs that mirror and serve it."""


main.add_command(indexer_cli, name="index")
main.add_command(epoch_cli, name="epoch")
main.add_command(claim_command, name="claim")
