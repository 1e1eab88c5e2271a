"""``planet epoch ...``: commands about an epoch's rewards.

``planet epoch verify FILE`` recomputes a published distribution file; with ``--rpc`` it also
checks the vault's proposal for that epoch (root and total from ``epochInfo``, fileHash from the
``RootProposed`` event) against the file. Exit 0 when everything agrees, 1 when something
differs, 2 when the check could not be made (no file, bad JSON, no manifest, chain unreachable).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from planet import manifest as manifests
from planet.rewards.distribution import file_hash, read, verify_distribution

VAULT_CONTRACT = "PrizeVault"


class _CannotCheck(Exception):
    """The check could not be made (exit 2)."""


def _fail(code: int, message: str) -> None:
    click.echo(message, err=code == 2)
    sys.exit(code)


@click.group("epoch")
def epoch_cli() -> None:
    """Epochs: check the rewards distribution published for a week."""


@epoch_cli.command("verify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--rpc", metavar="URL", help="Also check the vault's proposal on this chain.")
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Deployment manifest (default: deployments/<chain id>.json).",
)
def verify_command(file: Path, rpc: str | None, manifest_path: Path | None) -> None:
    """Recomputes FILE's allocations, tree and root, and with --rpc compares them with the vault."""
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
        vault = w3.eth.contract(
            address=Web3.to_checksum_address(deployed.address), abi=deployed.abi
        )
        root, payout, _pool = vault.functions.epochInfo(epoch).call()
        logs = vault.events.RootProposed.get_logs(
            from_block=deployed.block_number, argument_filters={"epoch": epoch}
        )
    except Exception as err:  # RPC or ABI failure: report it on one line
        raise _CannotCheck(f"cannot read the vault at {deployed.address}: {err}") from None
    proposed = [log for log in logs if log["args"]["root"] == root]
    return {
        "chain_id": chain_id,
        "vault": deployed.address,
        "root": "0x" + bytes(root).hex(),
        "total": payout[0],
        "file_hash": "0x" + bytes(proposed[-1]["args"]["fileHash"]).hex() if proposed else None,
    }
