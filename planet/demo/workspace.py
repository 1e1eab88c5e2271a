"""One demo per work folder and manifest folder, and a free API port, checked before anything
starts.

Two demos sharing a folder destroy each other: the second deletes the first one's database while
the first still serves from it (its open connections keep the deleted file, new ones open the
new file, so a nonce written by one request is missing for the next: ``invalid_nonce``), and
overwrites its manifest. Each demo therefore holds an exclusive lock on its work folder and on
its manifest folder for as long as it runs (released by the OS if the process dies), and a
second one is refused at once, naming the first, before it touches a file or the chain.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from planet.demo.client import DemoError

LOCK_NAME = ".planet-demo.lock"


@contextmanager
def _locked(folder: Path, what: str) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    handle: IO[str] = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise DemoError(
                f"another demo (pid {holder}) is using {what} {folder}: stop it, or give this "
                "one its own --workdir and --manifest-dir (and --port, --api-port)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@contextmanager
def workspace(
    workdir: Path, manifest_dir: Path, api_host: str, api_port: int
) -> Iterator[tuple[Path, Path]]:
    """Holds ``workdir`` and ``manifest_dir`` for this demo and checks the API's port; yields
    both folders as absolute paths, so nothing depends on the working directory later."""
    workdir, manifest_dir = workdir.resolve(), manifest_dir.resolve()
    with ExitStack() as held:
        held.enter_context(_locked(workdir, "the work folder"))
        if manifest_dir != workdir:
            held.enter_context(_locked(manifest_dir, "the manifest folder"))
        if not _port_is_free(api_host, api_port):
            raise DemoError(
                f"port {api_port} on {api_host} is taken (another demo or API?): stop it, or "
                "pass --api-port"
            )
        yield workdir, manifest_dir
