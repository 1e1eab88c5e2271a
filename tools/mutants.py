"""Shows that the contract property machines kill the mutants a review found surviving.

Each named mutant is one textual change to a contract. For each, the sources are copied to a
temporary folder (the checkout is never touched), the mutant applied, the contracts compiled
there, and the machine that guards that code run ``--runs`` times, each with a fresh example
database (so every run draws new examples). A mutant is killed in a run when the machine fails;
the line per mutant reads ``killed k/n`` or ``SURVIVED``. Exit status 1 if any mutant survived
any run. A control run of the unmutated sources comes first: a machine that fails without a
mutant proves nothing.

    .venv/bin/python tools/mutants.py                 # every mutant, 3 runs each
    .venv/bin/python tools/mutants.py --runs 5 sweep_moves_funded

Needs `make setup` (the virtualenv and node_modules are shared with the copy by symlink).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAULT_MACHINE = "tests/contracts/vault/test_invariants.py"
PASS_MACHINE = "tests/contracts/pass/test_invariants.py"


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str  # the contract changed
    before: str  # text that must occur exactly once
    after: str
    machine: str  # the test (file or node id) that must kill it


MUTANTS = [
    Mutant(
        "sweep_moves_funded",
        "contracts/vault/PrizeVault.sol",
        "uint256 amount = from.pool.funded - from.payout.paid;",
        "uint256 amount = from.pool.funded;",
        VAULT_MACHINE,
    ),
    Mutant(
        "supply_exceeds_cap_by_one",
        "contracts/pass/CommunityPass.sol",
        "uint256 available = p.maxSupply - p.minted;",
        "uint256 available = p.maxSupply + 1 - p.minted;",
        PASS_MACHINE,
    ),
    Mutant(
        "pause_time_counts_against_claimants",
        "contracts/vault/PrizeVault.sol",
        "return p.claimableAt + CLAIM_WINDOW + (_pauseClock() - _pauseClockAtRoot[epoch]);",
        "return p.claimableAt + CLAIM_WINDOW;",
        VAULT_MACHINE,
    ),
    Mutant(
        "claim_many_reverts_on_claimed_item",
        "contracts/vault/PrizeVault.sol",
        "if (_isClaimed(account, epochs[i])) continue;",
        "",
        VAULT_MACHINE,
    ),
]

# What the copy needs besides contracts and tests; large or generated folders are linked.
COPIED = ("contracts", "tests", "ape-config.yaml", "pyproject.toml", "deploy-config.yaml")
LINKED = ("node_modules", "tools", "config")


def _env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{folder / 'node_modules' / '.bin'}:{ROOT / '.venv' / 'bin'}:{env['PATH']}"
    env["SOLCX_BINARY_PATH"] = str(folder / "tools" / "solc" / "bin")
    env["HYPOTHESIS_PROFILE"] = "mutants"  # dev example counts, no shrinking
    return env


def _copy(folder: Path) -> None:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, folder / name)
    for name in LINKED:
        (folder / name).symlink_to(ROOT / name)


def _compile(folder: Path) -> None:
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "ape"), "compile", "--force"],
        cwd=folder,
        env=_env(folder),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"compile failed in {folder}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def _machine_fails(folder: Path, machine: str) -> bool:
    """One run of the machine with a fresh example database; True when it failed."""
    shutil.rmtree(folder / ".hypothesis", ignore_errors=True)
    done = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "pytest"),
            "-n",
            "0",
            "-q",
            "-x",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:logging",
            machine,
        ],
        cwd=folder,
        env=_env(folder),
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 1):  # 1: tests failed; anything else: pytest itself failed
        raise SystemExit(f"pytest could not run {machine}:\n{done.stdout[-3000:]}")
    return done.returncode == 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--runs", type=int, default=3, help="machine runs per mutant")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if not args.names or m.name in args.names]
    if unknown := set(args.names) - {m.name for m in MUTANTS}:
        parser.error(f"unknown mutant(s): {', '.join(sorted(unknown))}")

    survived = False
    with tempfile.TemporaryDirectory(prefix="planet-mutants-") as tmp:
        folder = Path(tmp)
        _copy(folder)
        _compile(folder)
        for machine in sorted({m.machine for m in chosen}):
            if _machine_fails(folder, machine):
                print(f"control: {machine} fails without a mutant; fix that first")
                return 2
        print("control: unmutated sources pass", flush=True)
        for mutant in chosen:
            target = folder / mutant.path
            original = target.read_text()
            if original.count(mutant.before) != 1:
                raise SystemExit(f"{mutant.name}: its text is not found once in {mutant.path}")
            target.write_text(original.replace(mutant.before, mutant.after))
            try:
                _compile(folder)
                kills = sum(_machine_fails(folder, mutant.machine) for _ in range(args.runs))
            finally:
                target.write_text(original)
            verdict = f"killed {kills}/{args.runs}" if kills == args.runs else "SURVIVED"
            survived |= kills < args.runs
            print(f"{mutant.name}: {verdict} ({mutant.machine})", flush=True)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
