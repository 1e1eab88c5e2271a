"""Derived-state handlers, one module per contract (see :mod:`indexer.registry`)."""

from __future__ import annotations

from indexer.handlers import identity, points
from indexer.registry import Registry


def default_registry() -> Registry:
    """Every contract Planet indexes today; add a contract's HandlerSet here."""
    return Registry([identity.handlers, points.handlers])


__all__ = ["default_registry"]
