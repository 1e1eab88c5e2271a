"""Merkle trees built by OpenZeppelin's reference package, ``@openzeppelin/merkle-tree``.

The vault must accept exactly the proofs that package makes, so tests get their trees from it
(through ``tools/merkle/oz_tree.mjs``, run with node) instead of from code of our own.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import keccak, to_checksum_address

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_ROOT / "tools" / "merkle" / "oz_tree.mjs"


def address_of(account: Any) -> str:
    """Checksum address of an ape account, a contract or a plain address string."""
    return to_checksum_address(str(getattr(account, "address", account)))


@dataclass(frozen=True)
class OzTree:
    """A StandardMerkleTree of ``(address, uint256)`` leaves, as the package built it."""

    root: bytes
    amounts: dict[str, int]
    proofs: dict[str, list[bytes]]
    dump: dict

    def amount(self, account: Any) -> int:
        return self.amounts[address_of(account)]

    def proof(self, account: Any) -> list[bytes]:
        return self.proofs[address_of(account)]

    def file_hash(self) -> bytes:
        """keccak256 of the dump as it would be published (canonical JSON)."""
        return keccak(json.dumps(self.dump, sort_keys=True, separators=(",", ":")).encode())

    def leaf_hashes(self) -> dict[str, bytes]:
        """Each account's leaf hash, read from the package's own tree array."""
        tree = self.dump["tree"]
        return {
            to_checksum_address(v["value"][0]): bytes.fromhex(tree[v["treeIndex"]][2:])
            for v in self.dump["values"]
        }


def build_tree(leaves: Iterable[tuple[Any, int]]) -> OzTree:
    """Builds the tree with node; an account may appear once (as in a Planet distribution)."""
    pairs = [(address_of(account), int(amount)) for account, amount in leaves]
    if len({account for account, _ in pairs}) != len(pairs):
        raise ValueError("an account may appear at most once per distribution")
    payload = json.dumps({"leaves": [[account, str(amount)] for account, amount in pairs]})
    done = subprocess.run(
        ["node", str(SCRIPT)],
        input=payload,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{SCRIPT.name} failed ({done.returncode}): {done.stderr.strip()}")
    out = json.loads(done.stdout)
    return OzTree(
        root=bytes.fromhex(out["root"][2:]),
        amounts={to_checksum_address(p["account"]): int(p["amount"]) for p in out["proofs"]},
        proofs={
            to_checksum_address(p["account"]): [bytes.fromhex(h[2:]) for h in p["proof"]]
            for p in out["proofs"]
        },
        dump=out["dump"],
    )
