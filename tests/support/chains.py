"""A local chain the test owns, as `make chain` runs it: an anvil process whose state (accounts,
contracts, blocks) is kept in a file, so the test can stop it and start it again on the same
port and find the same chain."""

from __future__ import annotations

import gzip
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
ANVIL = ROOT / "node_modules/.bin/anvil"


def rpc(url: str, method: str, *params: object) -> object:
    """One JSON-RPC call; raises on an error answer."""
    reply = httpx.post(
        url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=30
    ).json()
    if "error" in reply:
        raise RuntimeError(f"{method}: {reply['error']}")
    return reply["result"]


def copy_state(url: str, state: Path) -> None:
    """Writes the chain at ``url`` (blocks and all) into ``state``, in the form anvil's
    ``--state`` loads: anvil_dumpState answers gzip, the file holds the JSON inside."""
    dumped = str(rpc(url, "anvil_dumpState"))
    state.write_bytes(gzip.decompress(bytes.fromhex(dumped.removeprefix("0x"))))


@contextmanager
def local_chain(*options: str, port: int | None = None) -> Iterator[str]:
    """An anvil of the test's own with ``options`` (e.g. ``--hardfork berlin``); its URL once it
    answers. Stopped with Ctrl-C (SIGINT), as `make chain` is, so a ``--state`` file is written
    out. ``port`` lets a restart answer on the old URL."""
    port = port or free_port()
    anvil = subprocess.Popen([str(ANVIL), "--port", str(port), *options, "--silent"])
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"})
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        anvil.send_signal(signal.SIGINT)
        anvil.wait(30)


def persistent_chain(state: Path, port: int | None = None) -> AbstractContextManager[str]:
    """anvil keeping its state in ``state`` (loaded when the file exists)."""
    return local_chain("--state", str(state), "--state-interval", "1", port=port)
