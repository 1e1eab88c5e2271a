"""``planet claim``: claim every unclaimed epoch of an account from a wallet.

What to claim comes from the API (``GET /rewards/claimable/{address}``) or, with
``--distributions-dir``, from distribution files on disk, each checked against the vault's
proposal (root from ``epochInfo``, fileHash from ``RootProposed``). Either way the chain has the
last word before anything is sent: epochs the vault does not accept now (not claimable, swept)
or already paid (``isClaimed``, which a lagging indexer may not know yet) are dropped, and
``eth_estimateGas`` runs the claim first, so a proof the vault rejects stops here with the
vault's own error, before the wallet signs anything.

The money always goes to the account (the vault pays ``account``, whoever sends); the wallet
only pays the gas. Exit 0 when claimed or nothing to claim; 1 with one ``Error:`` line when
the claim cannot be made (reverted, RPC or API down, wrong chain, wallet not opened).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click
from eth_utils import is_address, to_checksum_address
from web3.types import TxParams, Wei

from planet.chain.reverts import Reverts
from planet.chain.vault import VAULT_CONTRACT, RootStatus, proposed_file_hash
from planet.chain.wallets import WalletError, open_wallet
from planet.core import manifest as manifests
from planet.core.errors import PlanetError
from planet.core.units import format_time
from planet.rewards.distribution import file_hash

_EPOCH_FILE = re.compile(r"epoch-(\d+)\.json")
_ERC20_ABI = [
    {
        "type": "function",
        "name": "balanceOf",
        "stateMutability": "view",
        "inputs": [{"name": "account", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]


class ClaimError(PlanetError):
    """The claim cannot be made; the message is the whole ``Error:`` line."""


@dataclass(frozen=True)
class Item:
    epoch: int
    amount: int
    proof: list[bytes]


@dataclass(frozen=True)
class Claimed:
    """A claim sent and mined: what it paid to whom, and the account's balance around it."""

    tx_hash: str
    account: str
    items: list[Item]
    total: int
    before: int
    after: int
    fee: int  # wei the sending wallet paid for gas


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


# ---------------------------------------------------------------- what to claim


@dataclass(frozen=True)
class Waiting:
    """An allocation not claimable now: still in its challenge period, or its window closed."""

    epoch: int
    amount: int
    at: int | None  # when it becomes claimable (pending) or when its window closed (expired)
    swept: bool = False


@dataclass
class Outlook:
    """What the API says about an account beyond what it can claim now."""

    pending: list[Waiting]
    expired: list[Waiting]


def from_api(
    api: str, account: str, chain_id: int, vault: str, outlook: Outlook | None = None
) -> list[Item]:
    """The API's claimable list, after checking it speaks of this chain and vault; what is
    pending or expired goes into ``outlook`` when given."""
    import httpx

    url = f"{api.rstrip('/')}/rewards/claimable/{account}"
    try:
        reply = httpx.get(url, timeout=30)
    except httpx.HTTPError as err:
        raise ClaimError(f"cannot reach the API at {api}: {type(err).__name__}") from None
    try:
        body = reply.json()
    except ValueError:
        raise ClaimError(f"the API at {api} answered {reply.status_code}, not JSON") from None
    if reply.status_code != 200:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        raise ClaimError(
            f"the API answered {reply.status_code} {error.get('code', '?')}: "
            f"{error.get('message', reply.text[:200])}"
        )
    try:
        if body["chain_id"] != chain_id:
            raise ClaimError(
                f"wrong chain: the API serves chain {body['chain_id']}, the RPC is chain {chain_id}"
            )
        if body.get("vault") and str(body["vault"]).lower() != vault.lower():
            raise ClaimError(
                f"wrong vault: the API serves {body['vault']}, the manifest names {vault}"
            )
        if outlook is not None:
            outlook.pending = [
                Waiting(int(i["epoch"]), int(i["amount"]), i.get("claimable_at"))
                for i in body.get("pending", [])
            ]
            outlook.expired = [
                Waiting(
                    int(i["epoch"]),
                    int(i["amount"]),
                    i.get("claim_window_closed_at"),
                    bool(i.get("swept")),
                )
                for i in body.get("expired", [])
            ]
        return [
            Item(
                epoch=int(i["epoch"]),
                amount=int(i["amount"]),
                proof=[bytes.fromhex(p.removeprefix("0x")) for p in i["proof"]],
            )
            for i in body["items"]
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise ClaimError(f"the API's claimable answer is malformed: {err}") from None


def from_files(
    directory: Path, account: str, chain_id: int, vault: Any, from_block: int
) -> list[Item]:
    """Claims from ``<directory>/<chain_id>/epoch-<N>.json``; a file whose hash or root is not
    what the vault recorded is skipped with a warning (its proofs would not hold)."""
    from planet.core.merkle import MerkleError, StandardMerkleTree

    folder = directory / str(chain_id)
    if not folder.is_dir():
        raise ClaimError(f"no distribution files for chain {chain_id} in {folder}")
    items = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        match = _EPOCH_FILE.fullmatch(path.name)
        if match is None:
            continue
        epoch = int(match.group(1))
        raw = path.read_bytes()
        try:
            data = json.loads(raw)
            tree = StandardMerkleTree.load(data["merkle"])
        except (ValueError, KeyError, TypeError, MerkleError) as err:
            click.echo(f"warning: {path.name} skipped: not a distribution file ({err})", err=True)
            continue
        amount = tree.amount_of(account)
        if not amount:
            continue
        proposed = _proposal(vault, epoch, from_block)
        if proposed != (tree.root, file_hash(raw)):
            click.echo(
                f"warning: epoch {epoch} skipped: {path.name} is not the file the vault's "
                "proposal commits to (root or fileHash differ)",
                err=True,
            )
            continue
        items.append(Item(epoch, amount, tree.proof(account)))
    return items


def _proposal(vault: Any, epoch: int, from_block: int) -> tuple[bytes, str] | None:
    """(root, fileHash) of the epoch's current proposal, or None without one."""
    root, payout, _pool = vault.functions.epochInfo(epoch).call()
    if payout[3] != RootStatus.PROPOSED:
        return None
    digest = proposed_file_hash(vault, epoch, bytes(root), from_block)
    return None if digest is None else (bytes(root), digest)


# ---------------------------------------------------------------- the chain


def _native(wei: int) -> str:
    return f"{Decimal(wei) / Decimal(10**18):f} OKB"


def _format(amount: int, native: bool) -> str:
    """Base units, and for the native asset the same in OKB."""
    return f"{amount} ({_native(amount)})" if native else f"{amount}"


@click.command("claim")
@click.argument("address", required=False)
@click.option("--api", metavar="URL", help="Planet API to ask what is claimable.")
@click.option(
    "--distributions-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Read distribution files here (<dir>/<chain id>/epoch-<N>.json) instead of the API.",
)
@click.option("--rpc", metavar="URL", required=True, help="JSON-RPC endpoint to send with.")
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Deployment manifest (default: deployments/<chain id>.json).",
)
@click.option("--key-file", type=click.Path(path_type=Path, dir_okay=False), help="Hex key file.")
@click.option(
    "--keystore", type=click.Path(path_type=Path, dir_okay=False), help="Encrypted JSON keystore."
)
@click.option("--password-file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--account", "alias", metavar="ALIAS", help="An ape account (ape accounts list).")
@click.option("--yes", "-y", is_flag=True, help="Send without asking.")
def claim_command(
    address: str | None,
    api: str | None,
    distributions_dir: Path | None,
    rpc: str,
    manifest_path: Path | None,
    key_file: Path | None,
    keystore: Path | None,
    password_file: Path | None,
    alias: str | None,
    yes: bool,
) -> None:
    """Claims every unclaimed epoch of ADDRESS (default: the wallet's own address) with
    claimMany, or claim for a single epoch; the wallet pays the gas, ADDRESS gets the money."""
    if (api is None) == (distributions_dir is None):
        _fail("name where the claims come from: --api URL or --distributions-dir DIR")
    if address is not None and not is_address(address):
        _fail(f"{address!r} is not an address")
    try:
        _claim(
            address,
            api,
            distributions_dir,
            rpc,
            manifest_path,
            (key_file, keystore, alias, password_file),
            yes,
        )
    except (ClaimError, WalletError) as err:
        _fail(str(err))
    except Exception as err:  # an RPC failing mid-way: still one line, never a traceback
        _fail(f"{type(err).__name__}: {err}")


def _claim(
    address: str | None,
    api: str | None,
    distributions_dir: Path | None,
    rpc: str,
    manifest_path: Path | None,
    wallet_options: tuple[Path | None, Path | None, str | None, Path | None],
    yes: bool,
    echo: Callable[[str], None] = click.echo,
) -> Claimed | None:
    from web3 import Web3

    key_file, keystore, alias, password_file = wallet_options
    w3 = Web3(Web3.HTTPProvider(rpc, request_kwargs={"timeout": 30}))
    try:
        chain_id = w3.eth.chain_id
    except Exception as err:  # any transport failure is one line, never a traceback
        raise ClaimError(f"cannot reach the RPC at {rpc}: {type(err).__name__}") from None
    try:
        path = manifest_path or manifests.manifest_path(chain_id)
        manifest = manifests.load(path)
        deployed = manifest.contract(VAULT_CONTRACT)
    except manifests.ManifestError as err:
        raise ClaimError(str(err).splitlines()[0]) from None
    if manifest.chain_id != chain_id:
        raise ClaimError(
            f"wrong chain: the RPC is chain {chain_id}, the manifest is for chain "
            f"{manifest.chain_id}"
        )
    vault = w3.eth.contract(address=to_checksum_address(deployed.address), abi=deployed.abi)
    reverts = Reverts.of(manifest)
    try:
        code = w3.eth.get_code(vault.address)
        asset = vault.functions.ASSET().call() if code else None
    except Exception as err:
        raise ClaimError(
            f"cannot read the vault at {vault.address}: {reverts.explain(err)}"
        ) from None
    if asset is None:
        raise ClaimError(f"no vault at {vault.address} on chain {chain_id}")

    wallet = open_wallet(key_file, keystore, alias, password_file)
    account = to_checksum_address(address or wallet.address)

    native = int(asset, 16) == 0  # address(0): native OKB
    if api is not None:
        outlook = Outlook([], [])
        items = from_api(api, account, chain_id, vault.address, outlook)
        _tell_outlook(outlook, native, echo)
    else:
        assert distributions_dir is not None
        items = from_files(distributions_dir, account, chain_id, vault, deployed.block_number)
    items = _still_open(vault, account, items)
    if not items:
        echo(f"Nothing to claim for {account}.")
        return None

    total = sum(i.amount for i in items)
    echo(f"Claiming for {account} from vault {vault.address} (chain {chain_id}):")
    echo(f"  {'epoch':>8}  amount")
    for item in items:
        echo(f"  {item.epoch:>8}  {_format(item.amount, native)}")
    echo(f"  {'total':>8}  {_format(total, native)}")

    if len(items) == 1:
        call = vault.functions.claim(items[0].epoch, account, items[0].amount, items[0].proof)
    else:
        call = vault.functions.claimMany(
            [i.epoch for i in items], account, [i.amount for i in items], [i.proof for i in items]
        )
    try:
        gas = call.estimate_gas({"from": wallet.address})
    except Exception as err:
        raise ClaimError(f"the vault rejects the claim: {reverts.explain(err)}") from None
    base_fee = w3.eth.get_block("latest").get("baseFeePerGas", 0)
    tip = w3.eth.max_priority_fee
    max_fee = 2 * base_fee + tip
    limit = gas * 6 // 5
    what = "claim" if len(items) == 1 else f"claimMany of {len(items)} epochs"
    echo(
        f"Estimated gas {gas:,} for {what}; fee about {_native(gas * (base_fee + tip))} "
        f"(at most {_native(limit * max_fee)}), paid by {wallet.address}"
    )
    if not yes and not click.confirm("Send?", default=False, err=True):
        click.echo("Not sent.")
        sys.exit(1)

    before = _balance(w3, asset, native, account)
    sender = to_checksum_address(wallet.address)
    params: TxParams = {
        "from": sender,
        "nonce": w3.eth.get_transaction_count(sender, "pending"),
        "gas": limit,
        "maxFeePerGas": Wei(max_fee),
        "maxPriorityFeePerGas": Wei(tip),
        "chainId": chain_id,
    }
    tx = call.build_transaction(params)
    try:
        tx_hash = w3.eth.send_raw_transaction(wallet.sign(tx))
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120, poll_latency=0.2)
    except WalletError:
        raise
    except Exception as err:
        raise ClaimError(f"sending failed: {reverts.explain(err)}") from None
    hex_hash = "0x" + bytes(tx_hash).hex()
    if receipt["status"] != 1:
        try:
            call.call({"from": wallet.address}, block_identifier=receipt["blockNumber"] - 1)
            why = "reverted"
        except Exception as err:
            why = reverts.explain(err)
        raise ClaimError(f"transaction {hex_hash} reverted: {why}")
    after = _balance(w3, asset, native, account)
    fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    echo(f"Sent {hex_hash} (block {receipt['blockNumber']}, gas used {receipt['gasUsed']:,})")
    paid_by_account = native and wallet.address.lower() == account.lower()
    note = f", after {_native(fee)} of gas" if paid_by_account else ""
    echo(
        f"Balance of {account}: {before} -> {after} ({after - before:+}{note}); "
        f"claimed {_format(total, native)}"
    )
    return Claimed(hex_hash, account, items, total, before, after, fee)


def claim_with(
    *,
    rpc: str,
    manifest_path: Path | None,
    api: str,
    key_file: Path,
    address: str | None = None,
    echo: Callable[[str], None] = click.echo,
) -> Claimed | None:
    """``planet claim --api API --key-file FILE --yes`` for a program (the demo): the same
    checks and output, the result returned; raises :class:`ClaimError` instead of exiting."""
    return _claim(address, api, None, rpc, manifest_path, (key_file, None, None, None), True, echo)


def _when(timestamp: int | None) -> str:
    if timestamp is None:
        return "an unknown time"
    return format_time(timestamp)


def _tell_outlook(outlook: Outlook, native: bool, echo: Callable[[str], None]) -> None:
    """Pending allocations with when they become claimable, and expired ones."""
    for w in outlook.pending:
        echo(
            f"epoch {w.epoch}: {_format(w.amount, native)} pending (challenge period), "
            f"claimable from {_when(w.at)}"
        )
    for w in outlook.expired:
        state = "swept, lost" if w.swept else "claimable only until someone sweeps the epoch"
        echo(f"epoch {w.epoch}: {_format(w.amount, native)} expired {_when(w.at)} ({state})")


def _still_open(vault: Any, account: str, items: list[Item]) -> list[Item]:
    """Only what the vault would pay now: claimable root, not swept, not yet claimed."""
    kept = []
    for item in items:
        if item.amount <= 0:
            continue
        if not vault.functions.isClaimable(item.epoch).call():
            click.echo(f"epoch {item.epoch}: not claimable on chain now, skipped", err=True)
        elif vault.functions.isClaimed(item.epoch, account).call():
            click.echo(f"epoch {item.epoch}: already claimed on chain, skipped", err=True)
        else:
            kept.append(item)
    return kept


def _balance(w3: Any, asset: str, native: bool, account: str) -> int:
    if native:
        return int(w3.eth.get_balance(account))
    token = w3.eth.contract(address=to_checksum_address(asset), abi=_ERC20_ABI)
    return int(token.functions.balanceOf(account).call())
