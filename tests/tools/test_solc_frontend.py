"""The offline solc front end answers py-solc-x as a native solc would, and fails loudly
otherwise."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import solcx

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "tools" / "solc" / "bin"
HEADER = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n"


def _frontend() -> Path:
    (exe,) = BIN.glob("solc-v*")
    return exe


def test_file_name_matches_the_locked_solc_js():
    lock = json.loads((ROOT / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/solc"]["version"]
    assert _frontend().name == f"solc-v{locked}"


def test_py_solc_x_recognises_it_as_installed():
    assert str(solcx.wrapper.get_solc_version(_frontend())) == _frontend().name.removeprefix(
        "solc-v"
    )


def test_compiles_standard_json_with_imports_from_base_path(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "A.sol").write_text(HEADER + "contract A { function f() external {} }\n")
    src = HEADER + 'import "lib/A.sol";\ncontract B is A {}\n'
    out = solcx.compile_standard(
        {
            "language": "Solidity",
            "sources": {"B.sol": {"content": src}},
            "settings": {
                "evmVersion": "cancun",
                "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
            },
        },
        base_path=tmp_path,
        solc_binary=_frontend(),
    )
    assert out["contracts"]["B.sol"]["B"]["evm"]["bytecode"]["object"]


def test_imports_outside_the_allowed_roots_are_refused(tmp_path):
    src = '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nimport "../../etc/passwd";\n'
    payload = json.dumps({"language": "Solidity", "sources": {"X.sol": {"content": src}}})
    result = subprocess.run(
        [_frontend(), "--standard-json", "--base-path", tmp_path],
        input=payload,
        capture_output=True,
        text=True,
    )
    errors = json.loads(result.stdout)["errors"]
    assert any("not found inside the allowed paths" in e["message"] for e in errors)


def test_unknown_options_exit_non_zero_with_a_message():
    result = subprocess.run([_frontend(), "--combined-json", "abi"], capture_output=True, text=True)
    assert result.returncode != 0
    assert "unsupported option --combined-json" in result.stderr
