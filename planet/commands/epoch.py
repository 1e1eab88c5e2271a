"""``planet epoch ...``: commands about an epoch's rewards.

``planet epoch close EPOCH`` scores the ended week, writes its distribution file and proposes
the root to the vault (:mod:`planet.rewards.close`); any refusal is one ``Error:`` line, exit 1.

``planet epoch verify FILE`` recomputes a published distribution file; with ``--rpc`` it also
checks the vault's proposal for that epoch (root and total from ``epochInfo``, fileHash from the
``RootProposed`` event) against the file; with ``--database`` it re-reads the week's inputs from
a mirror and the API's tables and compares their digest with the file's ``inputs_digest``
(:mod:`planet.rewards.audit`). Exit 0 when everything agrees, 1 when something differs, 2 when
the check could not be made (no file, bad JSON, no manifest, chain or database unreachable, the
week not in the database, a config other than the file's formula).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from eth_account import Account

from planet.chain.vault import VAULT_CONTRACT, ChainError, KeyProposer, Vault
from planet.chain.wallets import ENV_KEY, KeyWallet, Wallet, WalletError, open_wallet
from planet.core import logs
from planet.core import manifest as manifests
from planet.rewards import audit, scoring
from planet.rewards.close import (
    DEFAULT_OUT_DIR,
    DEFAULT_URI_BASE,
    CloseError,
    close_epoch,
    summary,
)
from planet.rewards.distribution import file_hash, read, verify_distribution
from planet.store import DatabaseError, make_engine


class _CannotCheck(Exception):
    """The check could not be made (exit 2)."""


def _fail(code: int, message: str) -> None:
    click.echo(message, err=code == 2)
    sys.exit(code)


def close_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """What closing an epoch takes besides the chain: pool, formula, where the file goes and
    is published, dry run. Shared by ``planet epoch close`` and ``ape run publish_epoch``."""
    options = [
        click.option(
            "--pool",
            type=click.IntRange(min=0),
            help="Amount to distribute, in base units (default: the epoch's funded pool).",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path, dir_okay=False),
            default=scoring.DEFAULT_PATH,
            show_default=True,
            help="Scoring formula (config/scoring-local.yaml on local chains).",
        ),
        click.option(
            "--out-dir",
            type=click.Path(path_type=Path, file_okay=False),
            default=DEFAULT_OUT_DIR,
            show_default=True,
            help="Files go to <out-dir>/<chain id>/epoch-<N>.json.",
        ),
        click.option(
            "--uri-base",
            default=DEFAULT_URI_BASE,
            show_default=True,
            help="Published at <uri-base>/<chain id>/epoch-<N>.json (e.g. https://host/d).",
        ),
        click.option(
            "--dry-run", is_flag=True, help="Compute and print; write and propose nothing."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group("epoch")
def epoch_cli() -> None:
    """Epochs: close a week's rewards, and check the distribution published for it."""


def _distributor(
    key_file: Path | None,
    keystore: Path | None,
    alias: str | None,
    password_file: Path | None,
    key_env: str | None,
) -> Wallet | None:
    """The wallet that proposes the root: any of the shared wallet layer's (key file,
    keystore, ape account, ``PLANET_PRIVATE_KEY``) or a key in the variable ``key_env``
    names; None when none is given (a dry run needs none)."""
    if key_env is not None:
        if any(o is not None for o in (key_file, keystore, alias)):
            raise click.UsageError("give one wallet: --private-key-env or another wallet option")
        value = os.environ.get(key_env, "").strip()
        if not value:
            raise click.ClickException(f"environment variable {key_env} is not set")
        try:
            return KeyWallet(Account.from_key(value))
        except (ValueError, TypeError):
            raise click.ClickException(f"{key_env} does not hold a hex private key") from None
    if all(o is None for o in (key_file, keystore, alias)) and not os.environ.get(ENV_KEY):
        return None
    try:
        return open_wallet(key_file, keystore, alias, password_file)
    except WalletError as err:
        raise click.ClickException(str(err)) from None


@epoch_cli.command("close")
@click.argument("epoch", type=click.IntRange(min=0))
@click.option(
    "--database-url",
    envvar="PLANET_DATABASE_URL",
    required=True,
    help="The database the indexer and the API write (SQLite or postgresql://).",
)
@click.option(
    "--manifest",
    "manifest_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Deployment manifest.",
)
@click.option(
    "--rpc",
    envvar="PLANET_RPC_URL",
    required=True,
    metavar="URL",
    help="JSON-RPC endpoint of the chain.",
)
@close_options
@click.option(
    "--key-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File holding the distributor's hex private key.",
)
@click.option(
    "--keystore",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The distributor's encrypted JSON keystore.",
)
@click.option(
    "--password-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The keystore's password (otherwise asked).",
)
@click.option("--account", "alias", metavar="ALIAS", help="The distributor's ape account.")
@click.option(
    "--private-key-env",
    "key_env",
    metavar="VAR",
    help="Environment variable holding the distributor's hex private key.",
)
def close_command(
    epoch: int,
    database_url: str,
    manifest_path: Path,
    rpc: str,
    pool: int | None,
    config_path: Path,
    out_dir: Path,
    uri_base: str,
    key_file: Path | None,
    keystore: Path | None,
    password_file: Path | None,
    alias: str | None,
    key_env: str | None,
    dry_run: bool,
) -> None:
    """Close EPOCH: score it, allocate its pool, write the file and propose the root."""
    from web3 import Web3

    logs.configure()
    try:
        config = scoring.load(config_path)
        manifest = manifests.load(manifest_path)
        deployed = manifest.contract(VAULT_CONTRACT)
    except (scoring.ScoringConfigError, manifests.ManifestError) as err:
        raise click.ClickException(str(err).splitlines()[0]) from None
    wallet = _distributor(key_file, keystore, alias, password_file, key_env)
    try:
        engine = make_engine(database_url)
    except DatabaseError as err:
        raise click.ClickException(str(err)) from None
    vault = Vault(Web3(Web3.HTTPProvider(rpc, request_kwargs={"timeout": 30})), deployed)
    proposer = KeyProposer(vault, wallet) if wallet is not None else None
    try:
        result = close_epoch(
            engine=engine,
            vault=vault,
            proposer=proposer,
            manifest=manifest,
            epoch=epoch,
            config=config,
            out_dir=out_dir,
            uri_base=uri_base,
            pool=pool,
            dry_run=dry_run,
        )
    except CloseError as err:
        raise click.ClickException(str(err)) from None
    finally:
        engine.dispose()
    click.echo(summary(result))


@epoch_cli.command("verify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--rpc", metavar="URL", help="Also check the vault's proposal on this chain.")
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Deployment manifest (default: deployments/<chain id>.json).",
)
@click.option(
    "--database",
    "database_url",
    metavar="URL",
    help="Also recompute the inputs digest from this database (a mirror with the API's tables).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=scoring.DEFAULT_PATH,
    show_default=True,
    help="With --database: the formula the file was closed with (its name and version).",
)
def verify_command(
    file: Path,
    rpc: str | None,
    manifest_path: Path | None,
    database_url: str | None,
    config_path: Path,
) -> None:
    """Recomputes FILE's allocations, tree and root; with --rpc compares them with the vault,
    with --database its inputs digest with the week in that database."""
    try:
        raw, data = read(file)
    except FileNotFoundError:
        _fail(2, f"error: no such file: {file}")
    except OSError as err:
        _fail(2, f"error: cannot read {file}: {err.strerror or err}")
    except (UnicodeDecodeError, ValueError) as err:
        _fail(2, f"error: {file} is not valid JSON: {err}")

    report = verify_distribution(data)
    if not report.ok:
        _fail(1, f"FAIL {file}: {'; '.join(report.problems)}")
    digest = file_hash(raw)
    summary = (
        f"epoch {report.epoch}, {report.accounts} accounts, total {report.total}, "
        f"root {report.root}, fileHash {digest}"
    )
    if database_url is not None:
        summary += _check_inputs(file, data, database_url, config_path, manifest_path)
    if rpc is None:
        click.echo(f"OK {file}: {summary} (offline)")
        return

    try:
        onchain = _read_chain(rpc, manifest_path, data)
    except _CannotCheck as err:
        _fail(2, f"error: {err}")
    differences = []
    if onchain["chain_id"] != data["chain_id"]:
        differences.append(f"chain id {onchain['chain_id']} != file's {data['chain_id']}")
    if onchain["vault"].lower() != str(data["vault"]).lower():
        differences.append(f"vault {onchain['vault']} != file's {data['vault']}")
    if onchain["root"] != report.root:
        differences.append(f"root on chain {onchain['root']} != file's {report.root}")
    if onchain["total"] != report.total:
        differences.append(f"total on chain {onchain['total']} != file's {report.total}")
    if onchain["file_hash"] is None:
        differences.append(f"no RootProposed event on chain for root {onchain['root']}")
    elif onchain["file_hash"] != digest:
        differences.append(f"fileHash on chain {onchain['file_hash']} != file's {digest}")
    if differences:
        _fail(1, f"FAIL {file} against {rpc}: {'; '.join(differences)}")
    click.echo(f"OK {file}: {summary}, matches vault {onchain['vault']}")


def _check_inputs(
    file: Path,
    data: dict[str, Any],
    database_url: str,
    config_path: Path,
    manifest_path: Path | None,
) -> str:
    """Compares the file's inputs digest with the week read from the database: the summary's
    addition when they agree; exit 1 when they differ, 2 when the check cannot be made."""
    # the verdict is the output: the close's info lines (inputs collected, ...) only on request
    logs.configure(os.environ.get("PLANET_LOG_LEVEL", "WARNING"))
    try:
        config = scoring.load(config_path)
        path = manifest_path or manifests.manifest_path(int(data["chain_id"]))
        genesis = manifests.load(path).genesis
    except (scoring.ScoringConfigError, manifests.ManifestError) as err:
        _fail(2, f"error: {str(err).splitlines()[0]}")
    missing = audit.sqlite_file_missing(database_url)
    if missing is not None:
        _fail(2, f"error: no such database file: {missing}")
    try:
        engine = make_engine(database_url)
    except DatabaseError as err:
        _fail(2, f"error: {err}")
    try:
        checked = audit.check_inputs(engine, data, config, genesis)
    except audit.AuditError as err:
        _fail(2, f"error: {err}")
    finally:
        engine.dispose()
    if not checked.ok:
        _fail(
            1,
            f"FAIL {file}: inputs digest {checked.stated} is not the database's "
            f"{checked.recomputed} ({checked.accounts} accounts with inputs there): the week's "
            "activity differs from what was scored",
        )
    return f", inputs digest matches the database ({checked.accounts} accounts)"


def _read_chain(rpc: str, manifest_path: Path | None, data: dict[str, Any]) -> dict[str, Any]:
    from web3 import Web3  # imported here: the offline check does not need it

    w3 = Web3(Web3.HTTPProvider(rpc, request_kwargs={"timeout": 10}))
    try:
        chain_id = w3.eth.chain_id
    except Exception as err:  # any transport failure is "cannot check", never a traceback
        raise _CannotCheck(f"cannot reach {rpc}: {type(err).__name__}") from None
    try:
        manifest = (
            manifests.load(manifest_path)
            if manifest_path is not None
            else manifests.load(manifests.manifest_path(chain_id))
        )
        deployed = manifest.contract(VAULT_CONTRACT)
    except manifests.ManifestError as err:
        raise _CannotCheck(str(err).splitlines()[0]) from None
    epoch = data["epoch"]
    try:
        vault = Vault(w3, deployed)
        info = vault.epoch(epoch)
        proposed = vault.proposed_file_hash(epoch, info.root)
    except ChainError as err:  # RPC or ABI failure: report it on one line
        raise _CannotCheck(str(err).splitlines()[0]) from None
    return {
        "chain_id": chain_id,
        "vault": deployed.address,
        "root": info.root,
        "total": info.total,
        "file_hash": proposed,
    }
