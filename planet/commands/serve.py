"""``planet serve`` (also ``python -m api``): serve the API with uvicorn, or migrate its tables.

Settings come from ``PLANET_API_*`` variables (:class:`api.settings.ApiSettings`), checked
before anything starts: a bad one is an ``Error:`` line naming the variable, exit 1. It
refuses to start on a database whose tables are missing or old (``/posts`` would answer 500
while ``/health`` said ok): ``planet migrate`` creates both table sets.
"""

from __future__ import annotations

import click
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from api.serving import uvicorn_options
from api.settings import ENV_PREFIX, ApiSettings
from planet.commands.errors import fail_on_settings, user_errors
from planet.store import MIRROR, OFFCHAIN, make_engine, migrate, schema_is_current


def _settings() -> ApiSettings:
    try:
        return ApiSettings()  # type: ignore[call-arg]
    except ValidationError as err:
        fail_on_settings(err, ENV_PREFIX)


@click.group(
    "serve",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
@click.pass_context
def serve_cli(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Serve Planet's API (OpenAPI docs at /docs). Settings come from PLANET_API_* variables;
    PLANET_API_SESSION_SECRET is required."""
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings()
    with user_errors():
        engine = make_engine(settings.database_url)
        try:
            stale = [s.name for s in (MIRROR, OFFCHAIN) if not schema_is_current(engine, s)]
        finally:
            engine.dispose()
    if stale:
        raise click.ClickException(
            f"the database {make_url(settings.database_url).render_as_string()} is not migrated "
            f"({', '.join(stale)}): run `planet migrate` with the same database first"
        )

    import uvicorn

    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **uvicorn_options(settings),
    )


@serve_cli.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the API's own tables, then exit."""
    settings = _settings()
    with user_errors():
        engine = make_engine(settings.database_url)
        try:
            migrate(engine, OFFCHAIN)
        finally:
            engine.dispose()
    click.echo(f"the {OFFCHAIN.name} tables of {settings.database_url} are at the newest schema")


def main(argv: list[str] | None = None) -> None:
    serve_cli.main(args=argv, prog_name="python -m api")
