"""``planet``: one command for Planet's programs and every role's actions."""

from __future__ import annotations

import click

from planet.commands.claim import claim_command
from planet.commands.demo import demo_command
from planet.commands.epoch import epoch_cli
from planet.commands.identity import identity_cli
from planet.commands.index import cli as index_cli
from planet.commands.migrate import migrate_command
from planet.commands.moderation import moderation_cli
from planet.commands.notifications import notifications_command
from planet.commands.passes import pass_cli
from planet.commands.points import points_cli
from planet.commands.record import record_cli
from planet.commands.serve import serve_cli
from planet.commands.vault import roles_cli, vault_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def main() -> None:
    """Planet: an on-chain community protocol, and the programs that mirror and serve it."""


main.add_command(serve_cli, name="serve")
main.add_command(migrate_command, name="migrate")
main.add_command(index_cli, name="index")
main.add_command(epoch_cli, name="epoch")
main.add_command(claim_command, name="claim")
main.add_command(demo_command, name="demo")
main.add_command(identity_cli, name="identity")
main.add_command(pass_cli, name="pass")
main.add_command(points_cli, name="points")
main.add_command(record_cli, name="record")
main.add_command(notifications_command, name="notifications")
main.add_command(vault_cli, name="vault")
main.add_command(roles_cli, name="roles")
main.add_command(moderation_cli, name="moderation")
