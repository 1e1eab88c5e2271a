"""Source verification on OKLink, X Layer's block explorer: each deployed contract's sources,
compiler and constructor arguments, so the explorer shows the code behind the address.

Ape has no OKLink plugin, so the compiler's standard-JSON input is posted here. It is rebuilt
from the manifest (the compiler version and settings recorded at deploy time) and the sources
on disk: the contract's file and every file it imports, under the same source unit names the
compiler saw (remappings applied), since the metadata hash inside the bytecode covers those
names and contents. Before anything is sent, the creation transaction on chain is checked to be
the creation code built from these sources followed by the recorded constructor arguments, so
a source edited since the deploy is caught here rather than as an explorer's refusal.

The explorer API (``POST {url}/verify-source-code``, then ``{url}/check-verify-result`` until
it says Success or Fail) answers ``{"code": "0", "msg": "", "data": [...]}``; any other code is
a refusal whose ``msg`` is shown as the explorer wrote it. Settings come from the environment:
``PLANET_VERIFY_URL``, ``PLANET_VERIFY_API_KEY`` (sent as ``Ok-Access-Key``),
``PLANET_VERIFY_POLL_SECONDS`` and ``PLANET_VERIFY_TIMEOUT``.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from planet.core.errors import PlanetError
from planet.core.manifest import DeployedContract, Manifest
from planet.core.networks import Network

DEFAULT_URL = "https://www.oklink.com/api/v5/explorer/contract"
CODE_FORMAT = "solidity-standard-json-input"


class VerifyError(PlanetError):
    """Verification cannot go on or was refused; the message says which contract and why."""


@dataclass(frozen=True)
class VerifySettings:
    url: str
    api_key: str
    poll_seconds: float = 5.0
    timeout: float = 300.0


def settings_from_env(environ: Mapping[str, str] = os.environ) -> VerifySettings:
    """The explorer API's address and key; each bad value named as the user sets it."""
    url = environ.get("PLANET_VERIFY_URL", DEFAULT_URL).strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+", url):
        raise VerifyError(f"PLANET_VERIFY_URL: {url!r} is not an http(s) URL")
    key = environ.get("PLANET_VERIFY_API_KEY", "").strip()
    if not key:
        raise VerifyError(
            "PLANET_VERIFY_API_KEY is not set: the explorer API needs a key (OKLink: "
            "Developer > API keys)"
        )
    numbers = {}
    for name, default in (("PLANET_VERIFY_POLL_SECONDS", 5.0), ("PLANET_VERIFY_TIMEOUT", 300.0)):
        raw = environ.get(name)
        try:
            value = default if raw is None else float(raw)
        except ValueError:
            value = -1.0
        if not value > 0:
            raise VerifyError(f"{name}: {raw!r} is not a positive number of seconds")
        numbers[name] = value
    return VerifySettings(
        url, key, numbers["PLANET_VERIFY_POLL_SECONDS"], numbers["PLANET_VERIFY_TIMEOUT"]
    )


# ------------------------------------------------------------------ the standard-JSON input

_IMPORT = re.compile(r"""^\s*import\s+(?:[^;"']*?\s+from\s+)?["']([^"']+)["']""", re.MULTILINE)


def source_unit_name(importer: str, path: str, remappings: list[str]) -> str:
    """The source unit name the compiler gives ``path`` imported from ``importer``: relative
    to the importer's directory when it starts with ``./`` or ``../``, then the longest
    matching remapping prefix replaced."""
    if path.startswith(("./", "../")):
        parts = importer.split("/")[:-1]
        for segment in path.split("/"):
            if segment == "..":
                if parts:
                    parts.pop()
            elif segment not in (".", ""):
                parts.append(segment)
        path = "/".join(parts)
    best = ("", "")
    for remapping in remappings:
        prefix, _, target = remapping.partition("=")
        prefix = prefix.rpartition(":")[2]  # a context (``ctx:prefix=target``) is not used here
        if prefix and path.startswith(prefix) and len(prefix) > len(best[0]):
            best = (prefix, target)
    if best[0]:
        path = best[1] + path[len(best[0]) :]
    return path


def import_closure(entry: str, remappings: list[str], root: Path) -> dict[str, str]:
    """``entry`` and every source it imports, transitively, by source unit name, read from
    files under ``root`` (the project, whose node_modules holds OpenZeppelin)."""
    found: dict[str, str] = {}
    pending = [entry]
    while pending:
        unit = pending.pop()
        if unit in found:
            continue
        try:
            text = (root / unit).read_text(encoding="utf-8")
        except OSError:
            raise VerifyError(f"source {unit} is missing under {root}") from None
        found[unit] = text
        pending.extend(source_unit_name(unit, p, remappings) for p in _IMPORT.findall(text))
    return found


def standard_input(record: DeployedContract, root: Path) -> dict[str, Any]:
    """The compiler's standard-JSON input that rebuilds ``record``'s bytecode."""
    if record.compiler is None or not record.source_id:
        raise VerifyError(
            "the manifest does not record how it was compiled (deployed before deploys wrote "
            "compiler settings): deploy again with --redeploy"
        )
    settings = dict(record.compiler.settings)
    sources = import_closure(record.source_id, list(settings.get("remappings") or []), root)
    settings["outputSelection"] = {"*": {"*": ["abi", "evm.bytecode.object"]}}
    return {
        "language": "Solidity",
        "sources": {name: {"content": sources[name]} for name in sorted(sources)},
        "settings": settings,
    }


def submission(
    name: str, record: DeployedContract, chain_short_name: str, root: Path
) -> dict[str, Any]:
    """The body of ``verify-source-code`` for one contract."""
    source = standard_input(record, root)
    assert record.compiler is not None  # standard_input refused otherwise
    settings = record.compiler.settings
    optimizer = settings.get("optimizer") or {}
    return {
        "chainShortName": chain_short_name,
        "contractAddress": record.address,
        "contractName": f"{record.source_id}:{name}",
        "sourceCode": json.dumps(source, separators=(",", ":")),
        "codeFormat": CODE_FORMAT,
        "compilerVersion": "v" + record.compiler.version.removeprefix("v"),
        "optimization": "1" if optimizer.get("enabled") else "0",
        "optimizationRuns": str(optimizer.get("runs", 200)),
        "evmVersion": str(settings.get("evmVersion") or ""),
        "viaIr": bool(settings.get("viaIR")),
        "constructorArguments": record.constructor_data.removeprefix("0x"),
        "contractAbi": json.dumps(record.abi, separators=(",", ":")),
    }


# ------------------------------------------------------------------ checks against the chain


def check_creation(w3: Any, name: str, record: DeployedContract, creation_code: str | None) -> None:
    """The creation transaction on chain is ``creation_code`` (the build of today's sources)
    followed by the recorded constructor arguments; otherwise verification would fail."""
    try:
        tx = w3.eth.get_transaction(record.tx_hash)
    except Exception as err:
        raise VerifyError(
            f"{name}: cannot read its creation transaction {record.tx_hash}: "
            f"{str(err).splitlines()[0] if str(err) else type(err).__name__}"
        ) from None
    data = tx["input"]
    sent = (data.hex() if isinstance(data, bytes) else str(data)).removeprefix("0x").lower()
    args = record.constructor_data.removeprefix("0x").lower()
    if not sent.endswith(args):
        raise VerifyError(
            f"{name}: the manifest's constructor arguments are not those of transaction "
            f"{record.tx_hash}"
        )
    if creation_code is not None and sent != creation_code.removeprefix("0x").lower() + args:
        raise VerifyError(
            f"{name}: the sources no longer build the code deployed at {record.address} "
            "(sources or compiler settings changed since the deploy): check out the deployed "
            "commit and run verify again"
        )


# ------------------------------------------------------------------ the explorer API


Progress = Callable[[str, str, float], None]  # (contract, status, seconds waited)


@dataclass(frozen=True)
class Verified:
    name: str
    address: str
    status: str  # "verified" or "already verified"
    url: str | None


class Explorer:
    """OKLink's contract verification endpoints."""

    def __init__(self, settings: VerifySettings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.Client(timeout=30)

    def _post(self, name: str, endpoint: str, body: dict[str, Any]) -> list[Any]:
        url = f"{self.settings.url}/{endpoint}"
        try:
            reply = self.client.post(
                url, json=body, headers={"Ok-Access-Key": self.settings.api_key}
            )
        except httpx.HTTPError as err:
            raise VerifyError(
                f"{name}: cannot reach the verification API at {url} ({type(err).__name__}): "
                "check PLANET_VERIFY_URL and the network"
            ) from None
        try:
            answer = reply.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise VerifyError(
                f"{name}: the verification API at {url} answered HTTP {reply.status_code} "
                "without a JSON body"
            )
        if str(answer.get("code")) != "0" or reply.status_code != 200:
            message = " ".join(str(answer.get("msg") or "no message").split())
            raise Refused(message)
        data = answer.get("data")
        return data if isinstance(data, list) else []

    def submit(self, name: str, body: dict[str, Any]) -> str:
        """The GUID the explorer gives the verification job."""
        data = self._post(name, "verify-source-code", body)
        if not data or not isinstance(data[0], str | dict):
            raise VerifyError(f"{name}: the verification API returned no job id")
        first = data[0]
        return str(first.get("guid") if isinstance(first, dict) else first)

    def result(self, name: str, chain_short_name: str, guid: str) -> str:
        data = self._post(
            name, "check-verify-result", {"chainShortName": chain_short_name, "guid": guid}
        )
        first = data[0] if data else "Pending"
        return str(first.get("result") if isinstance(first, dict) else first)


class Refused(VerifyError):
    """The explorer answered with an error code; the message is the explorer's."""


def verify_contract(
    explorer: Explorer,
    name: str,
    body: dict[str, Any],
    network: Network,
    progress: Progress,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Verified:
    """Submits one contract and polls until the explorer decides."""
    chain = body["chainShortName"]
    address = body["contractAddress"]
    url = network.address_url(address)
    try:
        guid = explorer.submit(name, body)
    except Refused as err:
        if "already verified" in str(err).lower():
            return Verified(name, address, "already verified", url)
        raise VerifyError(f"{name}: the explorer refused it: {err}") from None
    started = clock()
    while True:
        waited = clock() - started
        try:
            status = explorer.result(name, chain, guid)
        except Refused as err:
            raise VerifyError(f"{name}: the explorer refused it: {err}") from None
        progress(name, status, waited)
        lowered = status.lower()
        if lowered.startswith(("success", "pass")) or "already verified" in lowered:
            return Verified(name, address, "verified", url)
        if lowered.startswith("fail"):
            detail = " ".join(status.split())
            raise VerifyError(f"{name}: the explorer refused it: {detail}")
        if waited >= explorer.settings.timeout:
            raise VerifyError(
                f"{name}: still {status!r} after {explorer.settings.timeout:g} s (job {guid}): "
                "run verify again later"
            )
        sleep(explorer.settings.poll_seconds)


def verify_deployment(
    w3: Any,
    manifest: Manifest,
    network: Network,
    chain_short_name: str,
    explorer: Explorer,
    root: Path,
    *,
    names: list[str] | None = None,
    creation_code: Callable[[str], str | None] = lambda name: None,
    progress: Progress = lambda name, status, waited: None,
    on_verified: Callable[[Verified], None] = lambda verified: None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Verified]:
    """Verifies the manifest's contracts (or ``names``) one after the other. Every contract is
    checked against the chain before the first is submitted, so a stale manifest or edited
    source stops the run before the explorer hears of it."""
    chosen = names or list(manifest.contracts)
    bodies = {}
    for name in chosen:
        record = manifest.contract(name)
        check_creation(w3, name, record, creation_code(name))
        try:
            bodies[name] = submission(name, record, chain_short_name, root)
        except VerifyError as err:
            raise VerifyError(f"{name}: {err}") from None
    done = []
    for name in chosen:
        verified = verify_contract(explorer, name, bodies[name], network, progress, sleep)
        on_verified(verified)
        done.append(verified)
    return done
