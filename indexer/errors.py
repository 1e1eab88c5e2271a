"""The indexer's failures, one class per way it can stop, each with a message a user can act on.

The command line prints any :class:`IndexerError` as one line and exits non-zero; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

from planet.core.errors import PlanetError


class IndexerError(PlanetError):
    """Base of every failure the indexer reports to its user."""


class ChainMismatchError(IndexerError):
    """The RPC, the manifest and the database do not describe the same chain or deployment."""


class ReorgTooDeepError(IndexerError):
    """A block the indexer treated as final was replaced: the finality setting is too shallow."""


class DecodeError(IndexerError):
    """A log from a Planet contract does not match its ABI in the manifest."""


class DatabaseStateError(IndexerError):
    """The database contradicts what the chain says (a row the events never created, another
    writer moved the cursor); re-index into a fresh database."""
