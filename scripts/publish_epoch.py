"""`ape run publish_epoch`: close a week's rewards from an ape account.

ape run publish_epoch 12 --network ethereum:xlayer-testnet --account planet-distributor \\
    --database-url postgresql://postgres@127.0.0.1/planet --uri-base https://planet.example/d

Does what `planet epoch close` does (the same :func:`planet.rewards.close.close_epoch`), with
the chain taken from ape instead of an RPC URL; the distributor signs with an ape account or,
as in every `planet` command, a key file, a keystore or `PLANET_PRIVATE_KEY`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from ape import Contract, networks
from ape.exceptions import ApeException

from planet.chain.deploy import pick_account
from planet.chain.reverts import Reverts
from planet.chain.vault import VAULT_CONTRACT, ChainError, KeyProposer, RootProposer, Vault
from planet.chain.wallets import ENV_KEY, WalletError, open_wallet
from planet.commands.epoch import close_options
from planet.core import logs
from planet.core import manifest as manifests
from planet.rewards import scoring
from planet.rewards.close import (
    CloseError,
    close_epoch,
    summary,
)
from planet.store import DatabaseError, make_engine


class ApeProposer:
    """Sends ``proposeRoot`` from an ape account (keystore, hardware wallet or test account)."""

    def __init__(self, vault: Vault, account: Any) -> None:
        self.vault = vault
        self.account = account
        self.contract = Contract(vault.address, abi=vault.deployed.abi)

    @property
    def address(self) -> str:
        return str(self.account.address)

    def propose_root(self, epoch: int, root: bytes, total: int, uri: str, file_hash: bytes) -> str:
        try:
            receipt = self.contract.proposeRoot(
                epoch, root, total, uri, file_hash, sender=self.account
            )
        except Exception as err:  # ape wraps reverts and transport errors in several types
            reason = Reverts([(VAULT_CONTRACT, self.vault.deployed)]).explain(err)
            raise ChainError(f"proposeRoot({epoch}) failed: {reason}") from None
        return str(receipt.txn_hash)


@click.command()
@click.argument("epoch", type=click.IntRange(min=0))
@click.option(
    "--network",
    "choice",
    default="ethereum:local",
    show_default=True,
    help="ape network choice, e.g. ethereum:xlayer-testnet.",
)
@click.option("--account", "alias", help="ape account alias of the distributor.")
@click.option(
    "--key-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Or: a file holding the distributor's hex private key.",
)
@click.option(
    "--keystore",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Or: the distributor's encrypted JSON keystore.",
)
@click.option("--password-file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--database-url",
    envvar="PLANET_DATABASE_URL",
    default="sqlite:///planet.sqlite",
    show_default=True,
    help="The database the indexer and the API write.",
)
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Deployment manifest (default: deployments/<chain id>.json).",
)
@close_options
def cli(
    epoch: int,
    choice: str,
    alias: str | None,
    key_file: Path | None,
    keystore: Path | None,
    password_file: Path | None,
    database_url: str,
    manifest_path: Path | None,
    pool: int | None,
    config_path: Path,
    out_dir: Path,
    uri_base: str,
    dry_run: bool,
) -> None:  # fmt: skip
    """Close EPOCH: score it, allocate its pool, write the file and propose the root."""

    logs.configure()
    try:
        config = scoring.load(config_path)
        engine = make_engine(database_url)
    except (scoring.ScoringConfigError, DatabaseError) as err:
        raise click.ClickException(str(err)) from None
    try:
        with networks.parse_network_choice(choice) as provider:
            chain_id = provider.chain_id
            manifest = manifests.load(manifest_path or manifests.manifest_path(chain_id))
            vault = Vault(provider.web3, manifest.contract(VAULT_CONTRACT))
            proposer: RootProposer | None = None
            if dry_run:
                pass
            elif key_file or keystore or (alias is None and os.environ.get(ENV_KEY)):
                wallet = open_wallet(key_file, keystore, None, password_file)
                proposer = KeyProposer(vault, wallet)
            else:
                proposer = ApeProposer(vault, pick_account(alias, provider.network.name))
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
    except (CloseError, manifests.ManifestError, WalletError, ApeException) as err:
        raise click.ClickException(str(err).splitlines()[0]) from None
    finally:
        engine.dispose()
    click.echo(summary(result))
