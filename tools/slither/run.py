"""Slither's command line, with crytic-compile's Foundry detection turned off.

`foundry.toml` at the project root only configures `forge fmt`; there is no Foundry build
(and no `forge` binary that builds). crytic-compile walks up from the working folder, finds
that file and insists on `forge config`, even with `--compile-force-framework solc`. Switched
off, it compiles `tools/slither/Planet.sol` through `--solc-standard-json` with our solc-js
front end (tools/solc). Arguments and `--config-file` are Slither's own.
"""

from __future__ import annotations

import sys

from crytic_compile.platform.foundry import Foundry


def _no_foundry(target: str, **kwargs: str) -> bool:
    return False


Foundry.is_supported = staticmethod(_no_foundry)  # type: ignore[method-assign]

from slither.__main__ import main  # noqa: E402  (after the patch, which it must see)

if __name__ == "__main__":
    sys.exit(main())
