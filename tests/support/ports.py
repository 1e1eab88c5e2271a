"""Free TCP ports on loopback, for servers a test starts (or, unused, for a port that refuses
connections)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nobody listens on right now: bound, then released (a race is possible but rare)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
