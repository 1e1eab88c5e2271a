"""Gas measurements, one module per contract family.

Each module exposes ``measure(project, accounts, chain) -> dict[str, int]``: it deploys what it
needs on the connected local chain and returns the gas used by whole transactions, keyed by a
stable name. ``ape run gas_report`` runs them all and compares with ``gas-snapshot.json``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

Measure = Callable[[Any, Any, Any], dict[str, int]]


def measures() -> dict[str, Measure]:
    """Every measuring module in this package, by module name, in a stable order."""
    found: dict[str, Measure] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[info.name] = module.measure
    return found
