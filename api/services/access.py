"""Seam for pass-gated private communities (not implemented yet).

Private content will be readable by holders of a creator's community pass, decided from the
indexer's mirrored pass tables (``hasAccess(holder, passId)`` on chain). Routes that gate content
will depend on an :class:`AccessPolicy`; the implementation arrives with those tables.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection


class AccessPolicy(Protocol):
    def has_access(self, conn: Connection, chain_id: int, holder: str, pass_id: int) -> bool:
        """Whether ``holder`` may read content gated by ``pass_id`` at this moment (a lifetime
        pass held, or a subscription not yet expired)."""
        ...
