"""A local stand-in for OKLink's contract verification API (X Layer's explorer), served over
real HTTP: ``POST /verify-source-code`` and ``POST /check-verify-result``, answering in
OKLink's shape ``{"code": "0", "msg": "", "data": [...]}``.

It checks each submission as the explorer would have to: the API key (``Ok-Access-Key``), every
field present and of the expected form, the standard-JSON input naming the contract's file and
carrying the settings the other fields claim, the constructor arguments being the tail of the
contract's creation transaction on the chain, and (``compile=True``) that the input compiled by
solc-js alone (no file access: every import must be in the input) gives exactly the creation
code that transaction sent. A submission that fails a check is refused with a message naming
the problem (code ``"1"``), recorded in :attr:`problems`.

Test controls: :attr:`outcomes` (address -> the results ``check-verify-result`` gives in turn,
the last repeating; default ``["Success"]``) and :attr:`refuse_with` (address -> a message the
submission is refused with, as the explorer refuses).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import threading
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[2]
FIELDS = (
    "chainShortName",
    "contractAddress",
    "contractName",
    "sourceCode",
    "codeFormat",
    "compilerVersion",
    "optimization",
    "optimizationRuns",
    "evmVersion",
    "viaIr",
    "constructorArguments",
)

_COMPILED: dict[str, dict[str, Any]] = {}  # sha256 of a standard-JSON input -> solc's output
_COMPILE_LOCK = threading.Lock()

# solc-js without an import callback: a source missing from the input cannot be read from disk
_SOLC = (
    "const solc=require('solc');"
    "process.stdout.write(solc.compile(require('fs').readFileSync(0,'utf8')));"
)


def compile_standard_json(source: str) -> dict[str, Any]:
    """solc's output for a standard-JSON input, compiled once per distinct input."""
    digest = hashlib.sha256(source.encode()).hexdigest()
    with _COMPILE_LOCK:
        if digest not in _COMPILED:
            done = subprocess.run(
                ["node", "-e", _SOLC],
                input=source,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
                check=True,
            )
            _COMPILED[digest] = json.loads(done.stdout)
        return _COMPILED[digest]


def _ok(data: list[Any]) -> JSONResponse:
    return JSONResponse({"code": "0", "msg": "", "data": data})


class OklinkStandIn:
    def __init__(
        self,
        api_key: str,
        creations: dict[str, str],
        chain_short_name: str = "XLAYER_TESTNET",
        compile: bool = False,
    ) -> None:
        self.api_key = api_key
        self.creations = {a.lower(): d.lower().removeprefix("0x") for a, d in creations.items()}
        self.chain_short_name = chain_short_name
        self.compile = compile
        self.outcomes: dict[str, list[str]] = {}
        self.refuse_with: dict[str, str] = {}
        self.submissions: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self.polls: dict[str, int] = {}
        self._jobs: dict[str, str] = {}  # guid -> address
        self.app = Starlette(
            routes=[
                Route("/verify-source-code", self.verify, methods=["POST"]),
                Route("/check-verify-result", self.check, methods=["POST"]),
            ]
        )

    def _refuse(self, message: str, problem: bool = True) -> JSONResponse:
        if problem:
            self.problems.append(message)
        return JSONResponse({"code": "1", "msg": message, "data": []})

    async def verify(self, request: Request) -> JSONResponse:
        if request.headers.get("Ok-Access-Key") != self.api_key:
            return JSONResponse(
                {"code": "50103", "msg": "Invalid OK-ACCESS-KEY", "data": []}, status_code=401
            )
        body = await request.json()
        self.submissions.append(body)
        problem = self._check(body)
        if problem:
            return self._refuse(problem)
        address = body["contractAddress"].lower()
        refusals = {a.lower(): m for a, m in self.refuse_with.items()}
        if address in refusals:
            return self._refuse(refusals[address], problem=False)
        guid = hashlib.md5(f"{address}{len(self.submissions)}".encode()).hexdigest()
        self._jobs[guid] = address
        return _ok([guid])

    async def check(self, request: Request) -> JSONResponse:
        if request.headers.get("Ok-Access-Key") != self.api_key:
            return JSONResponse(
                {"code": "50103", "msg": "Invalid OK-ACCESS-KEY", "data": []}, status_code=401
            )
        body = await request.json()
        guid = body.get("guid")
        if body.get("chainShortName") != self.chain_short_name or guid not in self._jobs:
            return self._refuse(f"unknown job {guid!r} on {body.get('chainShortName')!r}")
        address = self._jobs[guid]
        turn = self.polls.get(guid, 0)
        self.polls[guid] = turn + 1
        outcomes = {a.lower(): o for a, o in self.outcomes.items()}.get(address) or ["Success"]
        return _ok([outcomes[min(turn, len(outcomes) - 1)]])

    # -- what a submission must be -------------------------------------------------------

    def _check(self, body: dict[str, Any]) -> str | None:
        missing = [f for f in FIELDS if f not in body]
        if missing:
            return f"missing fields {missing}"
        if body["chainShortName"] != self.chain_short_name:
            return f"chainShortName {body['chainShortName']!r} is not {self.chain_short_name!r}"
        if body["codeFormat"] != "solidity-standard-json-input":
            return f"codeFormat {body['codeFormat']!r}"
        if not re.fullmatch(r"v\d+\.\d+\.\d+\+commit\.[0-9a-f]{8}", body["compilerVersion"]):
            return f"compilerVersion {body['compilerVersion']!r} is not vX.Y.Z+commit.HASH"
        address = body["contractAddress"].lower()
        creation = self.creations.get(address)
        if creation is None:
            return f"no contract at {address}"
        path, _, name = body["contractName"].rpartition(":")
        try:
            source = json.loads(body["sourceCode"])
        except ValueError:
            return "sourceCode is not JSON"
        sources = source.get("sources") or {}
        if path not in sources or not re.search(
            rf"\bcontract\s+{re.escape(name)}\b", sources[path].get("content", "")
        ):
            return f"contractName {body['contractName']!r} is not a contract of the input"
        settings = source.get("settings") or {}
        optimizer = settings.get("optimizer") or {}
        claimed = (
            body["optimization"],
            body["optimizationRuns"],
            body["evmVersion"],
            body["viaIr"],
        )
        actual = (
            "1" if optimizer.get("enabled") else "0",
            str(optimizer.get("runs")),
            settings.get("evmVersion"),
            bool(settings.get("viaIR")),
        )
        if claimed != actual:
            return f"settings {claimed} do not match the input's {actual}"
        args = body["constructorArguments"].lower()
        if args.startswith("0x") or not re.fullmatch(r"[0-9a-f]*", args):
            return "constructorArguments must be hex without 0x"
        if not creation.endswith(args):
            return "constructorArguments are not those of the creation transaction"
        if self.compile:
            output = compile_standard_json(body["sourceCode"])
            errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
            if errors:
                return f"compilation failed: {errors[0].get('message')}"
            built = output["contracts"][path][name]["evm"]["bytecode"]["object"].lower()
            if built + args != creation:
                return "the input does not compile to the deployed creation code"
        return None
