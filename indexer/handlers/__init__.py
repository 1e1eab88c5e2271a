"""Derived-state handlers, one module per contract (see :mod:`indexer.registry`)."""

from __future__ import annotations

from indexer.handlers import community_pass, identity, points, prize_vault
from indexer.registry import Registry


def default_registry() -> Registry:
    """Every contract Planet indexes today; add a contract's HandlerSet here."""
    return Registry(
        [identity.handlers, points.handlers, community_pass.handlers, prize_vault.handlers]
    )


__all__ = ["default_registry"]
