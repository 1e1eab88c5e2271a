"""Runs the demo N times in a row (``ape run demo --once``, as ``make demo ARGS=--once`` does)
and counts how many pass: the main job must never flake.

    python -m benchmarks.demo_runs --runs 10

Each run uses the default work folder and manifest folder of this checkout, as a user's
repeated ``make demo`` would, on free ports. The last line is ``demo_runs: passed=N of M``;
a failed run's last lines are printed above it.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
APE = str(Path(sys.executable).with_name("ape"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="how many runs (10)")
    args = parser.parse_args()
    passed = 0
    seconds: list[float] = []
    for run in tqdm(range(1, args.runs + 1), desc="demo runs", unit="run", file=sys.stderr):
        ports = ["--port", str(_free_port()), "--api-port", str(_free_port())]
        began = time.monotonic()
        done = subprocess.run(
            [APE, "run", "demo", "--once", *ports],
            cwd=ROOT,
            env={**os.environ, "PLANET_LOG_FORMAT": "json"},
            capture_output=True,
            text=True,
            timeout=600,
        )
        seconds.append(time.monotonic() - began)
        if done.returncode == 0:
            passed += 1
        else:
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            print(f"run {run} failed (exit {done.returncode}):", *tail, sep="\n  ")
    print(f"demo_runs: passed={passed} of {args.runs} slowest_s={max(seconds):.1f}")


if __name__ == "__main__":
    main()
