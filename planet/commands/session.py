"""What every wallet command shares: the chain, the deployment, the wallet, and how it talks.

One set of options for every role's commands, so ``planet pass buy`` and ``planet vault veto``
open a chain and a wallet the same way:

- the chain: ``--rpc`` (``PLANET_RPC_URL``, default the local anvil) and ``--manifest``
  (``PLANET_MANIFEST``, default ``deployments/<chain id>.json``; without that file, the API's
  ``GET /chain`` at ``PLANET_API_URL``), checked to be the same chain;
- the wallet: ``--key-file``, ``--keystore`` with ``--password-file`` or a prompt, an ape
  ``--account``, or ``PLANET_PRIVATE_KEY``; the password is asked before any summary, so
  the summary is the last thing read before saying yes;
- ``--yes`` sends without asking; without it and without a terminal to ask on, nothing is sent;
- ``--json`` prints one JSON object on stdout for scripts (the human lines go to stderr).

Every failure is one ``Error:`` line and exit status 1; nothing is sent after a failed check.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click
from eth_utils import is_address, to_checksum_address

from planet.chain.reverts import Reverts
from planet.chain.transactions import Quote, Sent, TransactionError, Transactor
from planet.chain.wallets import Wallet, open_wallet
from planet.core import manifest as manifests
from planet.core.errors import PlanetError
from planet.core.networks import Network, network
from planet.core.units import format_units, to_base_units

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_RPC = "http://127.0.0.1:8545"
DEFAULT_API = "http://127.0.0.1:8000"
CONTRACTS = ("Identity", "ContributionPoints", "CommunityPass", "PrizeVault")


class CommandError(PlanetError):
    """A check of a command failed; the message is the whole ``Error:`` line."""


@dataclass
class Session:
    """One command's view of the chain, the deployment and (when it sends) the wallet."""

    w3: Any
    manifest: manifests.Manifest
    network: Network
    reverts: Reverts
    as_json: bool = False
    yes: bool = False
    wallet_options: tuple[Path | None, Path | None, str | None, Path | None] = (
        None,
        None,
        None,
        None,
    )
    api: str = DEFAULT_API
    max_fee_per_gas: int | None = None
    _wallet: Wallet | None = field(default=None, repr=False)
    _contracts: dict[str, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ reading

    def contract(self, name: str) -> Any:
        """A web3 contract of the deployment, by its name in the manifest."""
        if name not in self._contracts:
            try:
                deployed = self.manifest.contract(name)
            except manifests.ManifestError as err:
                raise CommandError(str(err)) from None
            self._contracts[name] = self.w3.eth.contract(
                address=to_checksum_address(deployed.address), abi=deployed.abi
            )
        return self._contracts[name]

    def read(self, what: str, fn: Callable[[], Any]) -> Any:
        """A view call; its failure (reverted, RPC down) is one line naming what was read."""
        try:
            return fn()
        except Exception as err:
            raise CommandError(f"cannot read {what}: {self.reverts.explain(err)}") from None

    def now(self) -> int:
        """The chain's latest block time: what the contracts compare deadlines with."""
        return int(
            self.read("the latest block", lambda: self.w3.eth.get_block("latest"))["timestamp"]
        )

    def native(self, wei: int) -> str:
        return format_units(wei, self.network.native_decimals, self.network.native_symbol)

    # ------------------------------------------------------------------ the wallet

    @property
    def wallet(self) -> Wallet:
        if self._wallet is None:
            key_file, keystore, alias, password_file = self.wallet_options
            self._wallet = open_wallet(key_file, keystore, alias, password_file)
        return self._wallet

    @property
    def address(self) -> str:
        return to_checksum_address(self.wallet.address)

    # ------------------------------------------------------------------ talking

    def say(self, text: str = "") -> None:
        """A human line: stdout, or stderr under ``--json`` so stdout stays one JSON object."""
        click.echo(text, err=self.as_json)

    def result(self, data: dict[str, Any]) -> None:
        """The command's answer for scripts (``--json``); nothing in human mode."""
        if self.as_json:
            click.echo(json.dumps(data, default=str, indent=2))

    def transact(
        self, action: str, call: Any, value: int = 0, details: list[str] | None = None
    ) -> Sent:
        """Quotes ``call``, shows the summary, asks (unless ``--yes``), sends and reports."""
        transactor = Transactor(
            self.w3, self.wallet, self.reverts, self.network, self.max_fee_per_gas
        )
        try:
            quote = transactor.quote(call, value)
        except TransactionError as err:
            raise CommandError(f"{action} would fail: {err}") from None
        self._summary(action, quote, details or [])
        self.confirm()
        try:
            sent = transactor.send(quote)
        except TransactionError as err:
            raise CommandError(f"{action}: {err}") from None
        link = f" {sent.url}" if sent.url else ""
        self.say(f"Sent {sent.tx_hash} (block {sent.block}, fee {self.native(sent.fee)}){link}")
        return sent

    def _summary(self, action: str, quote: Quote, details: list[str]) -> None:
        self.say(f"{action} on {self.network.name} (chain {self.network.chain_id})")
        self.say(f"  from       {self.address}")
        to = quote.call.address
        self.say(f"  to         {to}")
        for line in details:
            self.say(f"  {line}")
        if quote.value:
            self.say(f"  value      {self.native(quote.value)}")
        self.say(
            f"  gas        {quote.gas:,}; fee about {self.native(quote.fee)} "
            f"(at most {self.native(quote.max_fee)})"
        )

    def confirm(self) -> None:
        confirm(self.yes)


def confirm(yes: bool, question: str = "Send?") -> None:
    """Asks before anything is signed; ``--yes`` skips the question, and without it and
    without a terminal to ask on nothing is sent."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise CommandError("not sent: no terminal to confirm on; pass --yes to send")
    if not click.confirm(question, default=False, err=True):
        raise CommandError("not sent")


def address_argument(value: str | None, what: str = "address") -> str | None:
    """A checksummed address, or a clear error naming what was expected."""
    if value is None:
        return None
    if not is_address(value):
        raise CommandError(f"{value!r} is not an {what} (0x and 40 hex digits)")
    return to_checksum_address(value)


def manifest_from_api(api: str, chain_id: int, missing: Path) -> manifests.Manifest:
    """The deployment as the API's ``GET /chain`` describes it, for a user without a manifest
    file (a fan has the API's address, not the operator's ``deployments/`` folder)."""
    import httpx

    url = f"{api.rstrip('/')}/chain"
    try:
        reply = httpx.get(url, timeout=30)
        body = reply.json()
        if reply.status_code != 200:
            raise ValueError(f"it answered {reply.status_code}")
        contracts = {
            name: manifests.DeployedContract(
                address=c["address"],
                block_number=c["deployment_block"],
                block_hash="",
                tx_hash="",
                constructor_args=[],
                abi=c["abi"],
                userdoc=c.get("userdoc") or {},
            )
            for name, c in body["contracts"].items()
        }
        return manifests.Manifest(
            chain_id=body["chain_id"],
            version=body.get("version", 1),  # an API older than versions serves version 1
            network=body["name"],
            deployer="",
            genesis=body["epochs"]["genesis"],
            roles={},
            contracts=contracts,
        )
    except Exception as err:  # unreachable, not JSON, not the shape of GET /chain
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CommandError(
            f"no deployment manifest at {missing}, and {url} did not describe chain {chain_id} "
            f"({reason}): give --manifest FILE or --api URL"
        ) from None


def own_address(session: Session, what: str) -> str:
    """The address of ``PLANET_PRIVATE_KEY``, for a read command given no ``what``."""
    from planet.chain.wallets import WalletError

    try:
        return session.address
    except WalletError:
        raise CommandError(f"name a {what} (or set PLANET_PRIVATE_KEY)") from None


def open_session(
    rpc: str,
    manifest_path: Path | None,
    *,
    as_json: bool = False,
    yes: bool = False,
    wallet_options: tuple[Path | None, Path | None, str | None, Path | None] = (
        None,
        None,
        None,
        None,
    ),
    api: str = DEFAULT_API,
) -> Session:
    """Connects to ``rpc`` and loads the manifest of its chain, checking they agree."""
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(rpc, request_kwargs={"timeout": 30}))
    try:
        chain_id = int(w3.eth.chain_id)
    except Exception as err:  # any transport failure: one line
        raise CommandError(f"cannot reach the RPC at {rpc}: {type(err).__name__}") from None
    path = manifest_path or manifests.manifest_path(chain_id)
    if manifest_path is None and not path.exists():
        manifest = manifest_from_api(api, chain_id, path)
        source = f"the API at {api}"
    else:
        try:
            manifest = manifests.load(path)
        except manifests.ManifestError as err:
            raise CommandError(str(err).splitlines()[0]) from None
        source = f"the manifest {path}"
    if manifest.chain_id != chain_id:
        raise CommandError(
            f"wrong chain: the RPC at {rpc} is chain {chain_id}, {source} is for "
            f"chain {manifest.chain_id}"
        )
    return Session(
        w3=w3,
        manifest=manifest,
        network=network(chain_id),
        reverts=Reverts.of(manifest),
        as_json=as_json,
        yes=yes,
        wallet_options=wallet_options,
        api=api.rstrip("/"),
    )


_CHAIN_OPTIONS = [
    click.option(
        "--rpc",
        envvar="PLANET_RPC_URL",
        default=DEFAULT_RPC,
        show_default=True,
        metavar="URL",
        help="JSON-RPC endpoint of the chain (PLANET_RPC_URL).",
    ),
    click.option(
        "--manifest",
        "manifest_path",
        envvar="PLANET_MANIFEST",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Deployment manifest (default: deployments/<chain id>.json).",
    ),
    click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts."),
]
_WALLET_OPTIONS = [
    click.option(
        "--key-file", type=click.Path(path_type=Path, dir_okay=False), help="Hex key file."
    ),
    click.option(
        "--keystore",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Encrypted JSON keystore (geth, cast wallet).",
    ),
    click.option(
        "--password-file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="The keystore's password (otherwise asked).",
    ),
    click.option("--account", "alias", metavar="ALIAS", help="An ape account."),
    click.option("--yes", "-y", is_flag=True, help="Send without asking."),
    click.option(
        "--max-fee-gwei",
        envvar="PLANET_MAX_FEE_GWEI",
        type=click.FloatRange(min=0, min_open=True),
        help="Pay at most this per gas, in gwei (PLANET_MAX_FEE_GWEI; X Layer runs near 0.1).",
    ),
]


def wallet_choice_options(command: F) -> F:
    """The wallet options alone (``--key-file``, ``--keystore``, ``--password-file``,
    ``--account``, ``--yes``, ``--max-fee-gwei``), for a command that opens its chain itself
    (``ape run deploy``); the command receives them as keyword arguments."""
    decorated: Any = command
    for option in reversed(_WALLET_OPTIONS):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


def max_fee_per_gas(max_fee_gwei: float | None) -> int | None:
    """``--max-fee-gwei`` in wei per gas."""
    if max_fee_gwei is None:
        return None
    return to_base_units(str(max_fee_gwei), 9, "gwei")


def chain_options(command: F) -> F:
    """``--rpc``, ``--manifest`` and ``--json``; the command receives ``session``."""
    return _session_command(command, sends=False)


def wallet_options(command: F) -> F:
    """:func:`chain_options` plus the wallet and ``--yes``; for commands that send.

    Also ``PLANET_PRIVATE_KEY`` when no wallet option is given."""
    return _session_command(command, sends=True)


def api_option(command: F) -> F:
    return click.option(
        "--api",
        envvar="PLANET_API_URL",
        default=DEFAULT_API,
        show_default=True,
        metavar="URL",
        help="The Planet API (PLANET_API_URL).",
    )(command)


def _session_command(command: F, *, sends: bool) -> F:
    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        wallet = (
            kwargs.pop("key_file", None),
            kwargs.pop("keystore", None),
            kwargs.pop("alias", None),
            kwargs.pop("password_file", None),
        )
        try:
            session = open_session(
                kwargs.pop("rpc"),
                kwargs.pop("manifest_path"),
                as_json=kwargs.pop("as_json"),
                yes=kwargs.pop("yes", False),
                wallet_options=wallet,
                api=kwargs.get("api") or os.environ.get("PLANET_API_URL") or DEFAULT_API,
            )
            session.max_fee_per_gas = max_fee_per_gas(kwargs.pop("max_fee_gwei", None))
            if sends:
                session.wallet  # noqa: B018 - open (and ask the password) before any summary
            return command(session=session, **kwargs)
        except PlanetError as err:
            raise click.ClickException(str(err).strip().splitlines()[0]) from None

    decorated: Any = wrapper
    for option in reversed(_CHAIN_OPTIONS + (_WALLET_OPTIONS if sends else [])):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]
