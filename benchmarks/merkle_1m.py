"""Builds one 1,000,000-leaf ``(address, uint256)`` tree with Planet's Python builder and with
``@openzeppelin/merkle-tree`` (node) in the same run, checks the roots agree, and prints

    merkle_1m: python_s=N oz_s=N ratio=R roots_equal=true|false

Both timings cover building the tree from the leaf list (hashing, sorting, inner nodes), not
generating the leaves or moving them between processes.

    python -m benchmarks.merkle_1m [--leaves N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

from planet.core.merkle import StandardMerkleTree

ROOT = Path(__file__).resolve().parents[1]
OZ_SCRIPT = ROOT / "tools" / "merkle" / "oz_tree.mjs"


def make_leaves(count: int, seed: int) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    seen: set[str] = set()
    leaves: list[tuple[str, int]] = []
    while len(leaves) < count:
        account = "0x" + rng.randbytes(20).hex()
        if account not in seen:
            seen.add(account)
            leaves.append((account, rng.randrange(1, 10**12)))
    return leaves


def build_with_oz(leaves: list[tuple[str, int]]) -> tuple[str, float]:
    payload = json.dumps({"leaves": [[a, str(v)] for a, v in leaves]})
    done = subprocess.run(
        ["node", "--max-old-space-size=8192", str(OZ_SCRIPT), "--root-only"],
        input=payload,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"merkle_1m: the reference build failed: {done.stderr.strip()}")
    out = json.loads(done.stdout)
    return out["root"], float(out["build_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.leaves < 1:
        parser.error("--leaves must be at least 1")

    leaves = make_leaves(args.leaves, args.seed)
    print(f"leaves: {len(leaves):,}", file=sys.stderr)
    started = time.perf_counter()
    ours = StandardMerkleTree.of(leaves)
    python_s = time.perf_counter() - started
    print(f"python builder: {python_s:.2f} s, root {ours.root_hex}", file=sys.stderr)
    oz_root, oz_s = build_with_oz(leaves)
    print(f"@openzeppelin/merkle-tree: {oz_s:.2f} s, root {oz_root}", file=sys.stderr)
    equal = "true" if oz_root == ours.root_hex else "false"
    ratio = oz_s / python_s
    print(
        f"merkle_1m: python_s={python_s:.2f} oz_s={oz_s:.2f} ratio={ratio:.1f} roots_equal={equal}"
    )


if __name__ == "__main__":
    main()
