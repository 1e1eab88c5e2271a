"""Hypothesis profiles: ``ci`` (what ``make test`` and CI run: every property at its full
example count) and ``dev`` (a quarter of the examples, for a quick local run of one property).

A property names its full count once, through :func:`examples`, instead of a number that
only one profile would honour. ``HYPOTHESIS_PROFILE`` picks the profile (default ``dev``; the
Makefile's ``test`` target sets ``ci``; ``tools/mutants.py`` sets ``mutants``, the dev counts
without shrinking).
"""

from __future__ import annotations

import os

from hypothesis import Phase, settings

settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
# tools/mutants.py: a run only has to tell killed from survived, so no shrinking (a failing
# machine would otherwise spend minutes minimising on anvil) and no example database.
settings.register_profile(
    "mutants",
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """How many examples a property runs: ``full`` under ``ci``, a quarter (at least 2) in
    ``dev``."""
    return full if PROFILE == "ci" else max(2, full // 4)
