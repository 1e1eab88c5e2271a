"""``planet index`` (also ``python -m indexer``): run the indexer from a terminal or a service.

Follows the chain by default until Ctrl-C or SIGTERM (it finishes the transaction in hand, then
exits 0); ``--once`` indexes every final block and exits; ``migrate`` only upgrades the
schema. Options override ``PLANET_INDEXER_*`` variables, which override the settings file.
Every failure the user can fix (settings, RPC, manifest, database) ends with one line on
stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click

from indexer.config import IndexerSettings
from indexer.rpc import RpcClient
from indexer.sync import Indexer, manifest_for
from planet.commands.errors import user_errors
from planet.core import logs
from planet.store import MIRROR, make_engine, migrate

log = logs.get("indexer")


_PARAMS = "planet.index.params"


def _settings(ctx: click.Context) -> IndexerSettings:
    # The group's own options, whether it runs as ``python -m indexer`` or under ``planet``
    # (``find_root`` would be the ``planet`` group there, which has none of them).
    params = ctx.meta[_PARAMS]
    overrides: dict[str, Any] = {
        "rpc_url": params.get("rpc_url"),
        "database_url": params.get("database_url"),
        "manifest": params.get("manifest"),
        "finality": params.get("finality"),
    }
    if params.get("no_progress"):
        overrides["progress"] = False
    return IndexerSettings.load(params.get("config_file"), **overrides)


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """The first Ctrl-C or SIGTERM asks for a clean stop; a second Ctrl-C interrupts."""
    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        log.info("stopping", signal=signal.Signals(signum).name)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, request_stop)
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="PLANET_INDEXER_CONFIG",
    help="Settings file (TOML or YAML); env PLANET_INDEXER_CONFIG.",
)
@click.option("--rpc-url", help="JSON-RPC endpoint [PLANET_INDEXER_RPC_URL].")
@click.option(
    "--database-url", help="sqlite:///file or postgresql://... [PLANET_INDEXER_DATABASE_URL]."
)
@click.option(
    "--manifest",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Deployment manifest [PLANET_INDEXER_MANIFEST]; default deployments/<chain id>.json.",
)
@click.option(
    "--finality",
    help="Confirmation depth in blocks, or 'safe' / 'finalized' [PLANET_INDEXER_FINALITY].",
)
@click.option("--once", is_flag=True, help="Index every final block, then exit.")
@click.option("--no-progress", is_flag=True, help="No progress bar during backfill.")
@click.option(
    "--log-level",
    default=None,
    help="DEBUG, INFO, WARNING... [PLANET_LOG_LEVEL]; PLANET_LOG_FORMAT=json for JSON lines.",
)
@click.pass_context
def cli(ctx: click.Context, once: bool, log_level: str | None, **_: Any) -> None:
    """Mirror every Planet event into SQLite or PostgreSQL, exactly once, through reorgs,
    crashes and rate limits.

    Without a command: migrate the schema, then follow the chain until Ctrl-C (or, with
    --once, index every final block and exit).
    """
    logs.configure(log_level)
    ctx.meta[_PARAMS] = ctx.params
    if ctx.invoked_subcommand is not None:
        return
    with user_errors():
        settings = _settings(ctx)
        with RpcClient.from_settings(settings) as rpc:
            manifest = manifest_for(settings, rpc.chain_id())
            engine = make_engine(settings.database_url)
            indexer: Indexer | None = None
            try:
                migrate(engine, MIRROR)
                indexer = Indexer(settings, rpc, engine, manifest)
                if once:
                    result = indexer.catch_up()
                    click.echo(
                        f"indexed chain {manifest.chain_id} to block "
                        f"{indexer.cursor.block_number} ({result.events} new events)"
                    )
                    return
                with _stop_on_signals() as stop:
                    indexer.follow(stop)
                log.info("stopped", cursor=indexer.cursor.block_number)
            finally:
                if indexer is not None:
                    indexer.close()
                engine.dispose()


@cli.command("migrate")
@click.pass_context
def migrate_command(ctx: click.Context) -> None:
    """Create or upgrade the indexer's tables (the indexer also does this on start)."""
    with user_errors():
        settings = _settings(ctx)
        engine = make_engine(settings.database_url)
        try:
            migrate(engine, MIRROR)
        finally:
            engine.dispose()
        click.echo(f"database {settings.database_url} is at the newest schema")


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="python -m indexer")
