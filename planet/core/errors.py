"""The one base of every failure Planet reports to a user.

Each layer names its own failures (:class:`~planet.core.manifest.ManifestError`,
:class:`~indexer.errors.IndexerError`, :class:`~api.errors.ApiError`...), all deriving from
:class:`PlanetError`, so a command can turn any of them into one ``Error:`` line while anything
else (a bug) keeps its traceback.
"""

from __future__ import annotations


class PlanetError(Exception):
    """A failure with a message the user can act on; never a bug."""
