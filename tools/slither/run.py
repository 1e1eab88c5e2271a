"""Slither's command line, with crytic-compile's Foundry detection turned off.

`foundry.toml` at the project root only configures `forge fmt`; there is no Foundry build
(and no `forge` binary that builds). crytic-compile walks up from the working folder, finds
that file and insists on `forge config`, even with `--compile-force-framework solc`. Switched
off, it compiles `tools/slither/Planet.sol` through `--solc-standard-json` with our solc-js
front end (tools/solc). Arguments are Slither's own.

The config file also carries `accepted_findings`: why each excluded detector's findings are
accepted. Slither does not know that key (it would print a warning on every run), so it is taken
out here, after checking that every excluded detector is explained and nothing else is.
"""

from __future__ import annotations

import atexit
import json
import sys
import tempfile
from pathlib import Path

from crytic_compile.platform.foundry import Foundry


def _no_foundry(target: str, **kwargs: str) -> bool:
    return False


Foundry.is_supported = staticmethod(_no_foundry)  # type: ignore[method-assign]

from slither.__main__ import main  # noqa: E402  (after the patch, which it must see)


def _checked_config(argv: list[str]) -> list[str]:
    """``argv`` with ``--config-file`` pointing at the config minus ``accepted_findings``."""
    if "--config-file" not in argv:
        return argv
    at = argv.index("--config-file") + 1
    config = json.loads(Path(argv[at]).read_text())
    accepted = config.pop("accepted_findings", {})
    excluded = {d for d in config.get("detectors_to_exclude", "").split(",") if d}
    if excluded != set(accepted):
        unexplained = sorted(excluded - set(accepted))
        stale = sorted(set(accepted) - excluded)
        sys.exit(
            f"{argv[at]}: accepted_findings must explain exactly the excluded detectors "
            f"(unexplained: {unexplained}, not excluded: {stale})"
        )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
        json.dump(config, out)
    atexit.register(Path(out.name).unlink, missing_ok=True)
    return [*argv[:at], out.name, *argv[at + 1 :]]


if __name__ == "__main__":
    sys.argv = _checked_config(sys.argv)
    sys.exit(main())
