"""Refreshes api/services/SignatureValidator.bin, the creation code of
contracts/signatures/SignatureValidator.sol that the API runs in an ``eth_call`` to check
ERC-6492 signatures, from the project's build: ``ape compile && python -m
tools.signature_validator``. tests/api/test_smart_wallets.py fails while the two differ."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".build" / "__local__.json"
TARGET = ROOT / "api" / "services" / "SignatureValidator.bin"


def main() -> None:
    manifest = json.loads(BUILD.read_text())
    code = manifest["contractTypes"]["SignatureValidator"]["deploymentBytecode"]["bytecode"]
    TARGET.write_text(code + "\n")
    print(f"{TARGET.relative_to(ROOT)}: {(len(code) - 2) // 2} bytes")


if __name__ == "__main__":
    main()
