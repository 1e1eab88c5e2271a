"""``planet migrate``: create or upgrade every table of a database (the chain mirror and the
off-chain tables), as a fresh deployment needs before the indexer and the API start."""

from __future__ import annotations

import click

from planet.commands.errors import user_errors
from planet.store import ALL, make_engine, migrate


@click.command("migrate")
@click.option(
    "--database-url",
    envvar="PLANET_DATABASE_URL",
    default="sqlite:///planet.sqlite",
    show_default=True,
    help="sqlite:///file or postgresql://... [PLANET_DATABASE_URL].",
)
def migrate_command(database_url: str) -> None:
    """Create or upgrade the indexer's and the API's tables in one database."""
    with user_errors():
        engine = make_engine(database_url)
        try:
            for schema in ALL:
                migrate(engine, schema)
        finally:
            engine.dispose()
    click.echo(f"database {database_url} is at the newest schema")
