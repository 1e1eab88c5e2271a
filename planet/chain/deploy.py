"""Deploys and wires the Planet contracts through ape, recording them in the manifest.

Contracts deploy in dependency order. A contract already in the manifest is reused when its
recorded deployment is still on this chain (code at the address, same block hash: a restarted
anvil fails this) and it was built with the same constructor arguments; otherwise it is deployed
again, and so is everything that depends on it, since their arguments change with its address.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from planet.chain.deploy_config import NATIVE, NetworkSettings
from planet.chain.reverts import Reverts
from planet.chain.transactions import Sent, TransactionError, Transactor
from planet.chain.wallets import (
    ENV_KEY,
    ApeWallet,
    KeyWallet,
    Wallet,
    WalletError,
    open_wallet,
)
from planet.core import logs
from planet.core.epochs import week_start
from planet.core.errors import PlanetError
from planet.core.manifest import (
    PROTOCOL_VERSION,
    CompilerRecord,
    DeployedContract,
    Manifest,
    load_for_chain,
    save,
)
from planet.core.networks import Network, network

log = logs.get("planet.chain.deploy")


class DeployError(PlanetError):
    """Deployment cannot go on (no account, a failed transaction); says what to do."""


@dataclass(frozen=True)
class Step:
    """One contract: its name in the ape project and how to build its constructor arguments."""

    name: str
    args: Callable[[dict[str, str], dict[str, str], NetworkSettings, int], list[Any]]


# (deployed addresses so far, role holders, settings, genesis) -> constructor arguments
STEPS: tuple[Step, ...] = (
    Step("Identity", lambda d, r, s, g: [r["admin"], r["verifier"]]),
    Step(
        "ContributionPoints",
        lambda d, r, s, g: [d["Identity"], g, r["admin"], r["attester"], r["risk"]],
    ),
    Step(
        "CommunityPass",
        lambda d, r, s, g: [
            d["Identity"],
            d["ContributionPoints"],  # what a pass's contribution requirements count
            r["admin"],
            r["treasury"],
            s.platform_fee_bps,
        ],
    ),
    Step(
        "PrizeVault",
        lambda d, r, s, g: [
            d["ContributionPoints"],  # epoch source: the vault's weeks are the points' weeks
            s.vault_asset,
            s.challenge_period,
            s.claim_window_weeks,
            r["admin"],
            r["distributor"],
            r["guardian"],
        ],
    ),
)


def pick_account(alias: str | None, network_name: str) -> Any:
    """The named ape account, or on a local chain the first funded test account. For the ape
    scripts that sign through ape (publish_epoch)."""
    import click
    from ape import accounts  # here: importing ape is slow and only the scripts need it

    if alias:
        try:
            return accounts.load(alias)
        except Exception as err:  # ape raises several kinds for unknown or locked accounts
            raise click.UsageError(f"cannot load ape account {alias!r}: {err}") from None
    if network_name == "local":
        return accounts.test_accounts[0]
    raise click.UsageError(
        "--account is required on a live network (import one with `ape accounts import NAME`)"
    )


def deployer_wallet(
    key_file: Path | None,
    keystore: Path | None,
    alias: str | None,
    password_file: Path | None,
    *,
    local: bool,
    environ: Mapping[str, str] = os.environ,
) -> Wallet:
    """The wallet that deploys: any of the shared wallet layer's (``--key-file``,
    ``--keystore``, ``--account``, ``PLANET_PRIVATE_KEY``), or on a local chain with none named
    the first funded test account (who holds every role unless deploy-config.yaml names
    others)."""
    named = any(o is not None for o in (key_file, keystore, alias, password_file))
    if named or environ.get(ENV_KEY):
        return open_wallet(key_file, keystore, alias, password_file, environ)
    if not local:
        raise WalletError(
            "a live network needs a wallet: --key-file, --keystore (with --password-file), "
            f"--account or {ENV_KEY}"
        )
    from ape import accounts  # here: importing ape is slow and only the scripts need it

    return KeyWallet(Account.from_key(accounts.test_accounts[0].private_key))


def deploy_transactor(
    project: Any, w3: Any, wallet: Wallet, chain_id: int, max_fee_per_gas: int | None = None
) -> Transactor:
    """The shared :class:`Transactor` for deployments: fees from the node under the cap, a
    legacy gas price where blocks carry no base fee, constructor reverts in words."""
    return Transactor(w3, wallet, _project_reverts(project), network(chain_id), max_fee_per_gas)


def as_transactor(project: Any, chain: Any, deployer: Transactor | Any) -> Transactor:
    """A Transactor as given, or one for an ape account (a test account's key, or the alias
    of an ape keyfile account), for the callers that hold ape accounts (demo, benchmarks)."""
    if isinstance(deployer, Transactor):
        return deployer
    key = getattr(deployer, "private_key", None)
    wallet: Wallet = (
        KeyWallet(Account.from_key(key)) if key is not None else ApeWallet(deployer.alias)
    )
    return deploy_transactor(project, chain.provider.web3, wallet, chain.chain_id)


def _project_reverts(project: Any) -> Reverts:
    """The custom errors of the contracts being deployed, for a constructor that reverts."""
    contracts = []
    for step in STEPS:
        dumped = getattr(project, step.name).contract_type.model_dump(mode="json", by_alias=True)
        record = DeployedContract(
            address=NATIVE,
            block_number=0,
            block_hash="",
            tx_hash="",
            constructor_args=[],
            abi=dumped["abi"],
            userdoc=dumped.get("userdoc") or {},
        )
        contracts.append((step.name, record))
    return Reverts(contracts)


def manifest_lines(manifest: Manifest, fresh: list[str] | None = None) -> list[str]:
    """The deployment as the deploy (and verify) prints it: each contract's address and block,
    whether it was ``deployed`` now or ``reused`` (when ``fresh`` is given), and on a chain
    with an explorer (X Layer) the pages of the contract and of the transaction creating it."""
    net = network(manifest.chain_id)
    lines = []
    for name, record in manifest.contracts.items():
        state = "" if fresh is None else ("  (deployed)" if name in fresh else "  (reused)")
        lines.append(f"  {name:<20} {record.address}  block {record.block_number}{state}")
        lines.extend(f"  {'':<20} {url}" for url in explorer_links(net, record))
    return lines


def explorer_links(net: Network, record: DeployedContract) -> list[str]:
    """The explorer pages of a deployed contract and its creating transaction (none on a
    chain without an explorer)."""
    links = [net.address_url(record.address)]
    if record.tx_hash:
        links.append(net.tx_url(record.tx_hash))
    return [link for link in links if link]


def _normalise(args: list[Any]) -> list[Any]:
    """Constructor arguments as JSON keeps them, so recorded and wanted compare equal."""
    return [a if isinstance(a, int) else str(a) for a in args]


def _still_deployed(chain: Any, record: DeployedContract) -> bool:
    if chain.blocks.head.number < record.block_number:
        return False
    if _hex(chain.blocks[record.block_number].hash) != record.block_hash:
        return False
    return len(chain.provider.get_code(record.address)) > 0


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


@dataclass(frozen=True)
class Planned:
    """One contract of a deployment plan: reused as recorded, or deployed with ``args``."""

    name: str
    args: list[Any]
    reuse: DeployedContract | None
    address: str  # the recorded one, or where the deployer's next nonce will put it
    gas: int | None = None  # estimated deployment gas (None: reused, or the node cannot say)


@dataclass(frozen=True)
class Plan:
    chain_id: int
    network: str
    deployer: str
    genesis: int
    roles: dict[str, str]
    steps: list[Planned]
    gas_price: int  # wei per gas the node suggests now (at most the fee cap)

    @property
    def to_deploy(self) -> list[Planned]:
        return [p for p in self.steps if p.reuse is None]

    @property
    def estimated_cost(self) -> int | None:
        """Wei for every deployment at today's gas price; None if one could not be estimated."""
        gases = [p.gas for p in self.to_deploy]
        if any(g is None for g in gases):
            return None
        return sum(g or 0 for g in gases) * self.gas_price


# Roles a hot key must not share: the attester signs on the API server, so whoever steals it
# must not also hold the contracts (admin), propose payouts (distributor) or veto them
# (guardian); the treasury receives fees and should not be the key that deploys.
HOT_ROLE = "attester"
GUARDED_ROLES = ("admin", "distributor", "guardian")


def role_problems(roles: dict[str, str], deployer: str) -> list[str]:
    """What is unsafe about a role assignment on a live network, one sentence each."""
    problems = []
    hot = roles[HOT_ROLE].lower()
    for role in GUARDED_ROLES:
        if roles[role].lower() == hot:
            problems.append(f"the attester (a hot key on the API server) is also {role}")
    if roles["treasury"].lower() == deployer.lower():
        problems.append("the treasury is the deployer")
    return problems


def role_table(roles: dict[str, str], deployer: str) -> list[str]:
    """Lines of who holds which role, the deployer marked."""
    return [
        f"  {role:<12} {holder}" + ("  (deployer)" if holder.lower() == deployer.lower() else "")
        for role, holder in roles.items()
    ]


def plan_deployment(
    project: Any,
    chain: Any,
    deployer: Any,
    network: str,
    settings: NetworkSettings,
    manifest_dir: Path,
    redeploy: bool = False,
    max_fee_per_gas: int | None = None,
) -> Plan:
    """What :func:`deploy_all` would do, without sending anything: which contracts are
    reused, the constructor arguments of the others (with the addresses the deployer's next
    nonces give them) and their estimated gas."""
    chain_id = chain.chain_id
    previous = None if redeploy else load_for_chain(chain_id, manifest_dir)
    roles = settings.roles_for(str(deployer.address))
    genesis = settings.genesis
    if genesis is None:
        genesis = previous.genesis if previous else week_start(chain.blocks.head.timestamp)
    if genesis > chain.blocks.head.timestamp:
        raise DeployError(f"genesis {genesis} lies after the latest block; pick a past timestamp")
    w3 = chain.provider.web3
    nonce = int(w3.eth.get_transaction_count(str(deployer.address)))
    head = int(chain.blocks.head.timestamp)
    addresses: dict[str, str] = {}
    overrides: dict[str, dict[str, str]] = {}  # planned address -> its simulated code
    steps: list[Planned] = []
    for step in STEPS:
        args = _normalise(step.args(addresses, roles, settings, genesis))
        old = previous.contracts.get(step.name) if previous else None
        if old and old.constructor_args == args and _still_deployed(chain, old):
            steps.append(Planned(step.name, args, old, old.address))
        else:
            address = _create_address(str(deployer.address), nonce)
            container = getattr(project, step.name)
            # the sender at the nonce this step will use, so CREATE lands where planned
            state = {**overrides, str(deployer.address): {"nonce": hex(nonce)}}
            gas, runtime = _simulate(w3, container, args, str(deployer.address), state, head)
            nonce += 1
            if runtime:
                overrides[address] = {"code": runtime}
            steps.append(Planned(step.name, args, None, address, gas))
        addresses[step.name] = steps[-1].address
    try:
        gas_price = int(w3.eth.gas_price)
    except Exception:  # a node without eth_gasPrice: the cost is then unknown
        gas_price = 0
    if max_fee_per_gas is not None:
        gas_price = min(gas_price, max_fee_per_gas)
    return Plan(chain_id, network, str(deployer.address), genesis, roles, steps, gas_price)


def _create_address(sender: str, nonce: int) -> str:
    """Where a contract created by ``sender`` at ``nonce`` lands (CREATE)."""
    import rlp  # type: ignore[import-untyped]  # eth-account's dependency

    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def _typed(abi: list[dict[str, Any]], args: list[Any]) -> tuple[list[str], list[Any]]:
    """The constructor's argument types, and ``args`` as web3 and eth-abi take them."""
    inputs: list[dict[str, Any]] = next(
        (e["inputs"] for e in abi if e.get("type") == "constructor"), []
    )
    types = [i["type"] for i in inputs]
    values = [
        to_checksum_address(a) if t == "address" else a for t, a in zip(types, args, strict=True)
    ]
    return types, values


def _simulate(
    w3: Any,
    container: Any,
    args: list[Any],
    sender: str,
    state: dict[str, dict[str, str]],
    now: int,
) -> tuple[int | None, str | None]:
    """Deployment gas (``eth_estimateGas``) and the runtime code the constructor returns
    (``eth_call`` of the creation, immutables filled in). Contracts planned but not deployed
    yet are stood in for by their simulated code (a state override), since constructors call
    them. None where the node refuses (no state overrides, or a constructor reverts)."""
    abi: list[dict[str, Any]] = container.contract_type.model_dump(mode="json", by_alias=True)[
        "abi"
    ]
    types, values = _typed(abi, args)
    bytecode = container.contract_type.deployment_bytecode.bytecode
    tx = {"from": sender, "data": bytecode + encode(types, values).hex()}
    # the block's time pinned to the head's: with overrides, a node may simulate at time 0
    params: list[Any] = [tx, "latest", state, {"time": hex(now)}]
    results: list[Any] = []
    for method in ("eth_estimateGas", "eth_call"):
        try:
            reply = w3.provider.make_request(method, params)
        except Exception as err:  # a transport failure or a refusal raised as such
            reply = {"error": {"message": str(err)}}
        if "result" not in reply:
            log.warning("cannot simulate", method=method, error=reply.get("error"))
        results.append(reply.get("result"))
    gas = int(results[0], 16) if isinstance(results[0], str) else None
    runtime = results[1] if isinstance(results[1], str) and len(results[1]) > 2 else None
    return gas, runtime


def deploy_all(
    project: Any,
    chain: Any,
    deployer: Transactor | Any,
    network: str,
    settings: NetworkSettings,
    manifest_dir: Path,
    redeploy: bool = False,
    *,
    live: bool = False,
    allow_shared_roles: bool = False,
    save_manifest: bool = True,
    on_sent: Callable[[str, Sent], None] | None = None,
) -> tuple[Manifest, list[str]]:
    """Deploys what is missing or stale; returns the saved manifest and the names deployed now.

    Every deployment goes through the shared :class:`Transactor` (any wallet, the fee cap,
    legacy fees where the chain has no base fee); ``on_sent`` hears of each one as it is mined.
    On a ``live`` network (anything but a local chain) a role assignment that
    :func:`role_problems` finds unsafe is refused unless ``allow_shared_roles``."""
    transactor = as_transactor(project, chain, deployer)
    plan = plan_deployment(
        project,
        chain,
        transactor.wallet,
        network,
        settings,
        manifest_dir,
        redeploy,
        transactor.max_fee_per_gas,
    )
    problems = role_problems(plan.roles, plan.deployer)
    if live and problems and not allow_shared_roles:
        raise DeployError(
            f"refusing to deploy: {'; '.join(problems)} (deploy-config.yaml names the holders; "
            "--allow-shared-roles deploys anyway)"
        )
    manifest = Manifest(
        chain_id=plan.chain_id,
        version=PROTOCOL_VERSION,
        network=network,
        deployer=plan.deployer,
        genesis=plan.genesis,
        roles=plan.roles,
    )
    addresses: dict[str, str] = {}
    deployed_now: list[str] = []
    for planned in plan.steps:
        args = planned.args
        if planned.reuse is not None:
            log.info("reusing", contract=planned.name, address=planned.address)
            manifest.contracts[planned.name] = planned.reuse
        else:
            # the plan's addresses assumed nothing else sends from the deployer meanwhile
            step = next(s for s in STEPS if s.name == planned.name)
            args = _normalise(step.args(addresses, plan.roles, settings, plan.genesis))
            record, sent = _deploy(project, transactor, planned.name, args)
            manifest.contracts[planned.name] = record
            if on_sent is not None:
                on_sent(planned.name, sent)
            deployed_now.append(planned.name)
        addresses[planned.name] = manifest.contracts[planned.name].address

    if save_manifest:  # never for a chain that is gone when the deploy ends
        path = save(manifest, manifest_dir)
        log.info("manifest written", path=str(path), chain_id=plan.chain_id)
    return manifest, deployed_now


def _deploy(
    project: Any, transactor: Transactor, name: str, args: list[Any]
) -> tuple[DeployedContract, Sent]:
    container = getattr(project, name)
    contract_type = container.contract_type.model_dump(mode="json", by_alias=True)
    types, values = _typed(contract_type["abi"], args)
    w3 = transactor.w3
    factory = w3.eth.contract(
        abi=contract_type["abi"], bytecode=container.contract_type.deployment_bytecode.bytecode
    )
    log.info("deploying", contract=name, args=args)
    try:
        sent = transactor.send(transactor.quote(factory.constructor(*values)))
    except TransactionError as err:
        raise DeployError(f"deploying {name}: {err}") from None
    if not sent.contract_address:
        raise DeployError(f"deploying {name}: transaction {sent.tx_hash} created no contract")
    block = w3.eth.get_block(sent.block)
    log.info("deployed", contract=name, address=sent.contract_address, block=sent.block)
    record = DeployedContract(
        address=to_checksum_address(sent.contract_address),
        block_number=sent.block,
        block_hash=_hex(block["hash"]),
        tx_hash=sent.tx_hash,
        constructor_args=args,
        abi=contract_type["abi"],
        userdoc=contract_type.get("userdoc") or {},
        source_id=str(container.contract_type.source_id or ""),
        constructor_data="0x" + encode(types, values).hex(),
        compiler=_compiler_of(project, name),
    )
    return record, sent


def _compiler_of(project: Any, name: str) -> CompilerRecord | None:
    """The compiler version and settings ape built ``name`` with (its project manifest), for
    source verification; None if ape does not say."""
    manifest = getattr(project, "manifest", None)
    for compiler in getattr(manifest, "compilers", None) or []:
        if name in (compiler.contractTypes or []):
            settings = {
                k: v for k, v in (compiler.settings or {}).items() if k != "outputSelection"
            }
            return CompilerRecord(version=str(compiler.version), settings=settings)
    return None
