"""Config and manifest errors in one line that names the file, the key and what is expected.

YAML parsers read a string and say ``in "<unicode string>", line 3``; pydantic says ``4
validation errors for Manifest`` over a dozen lines. An operator needs ``deploy-config.yaml,
line 3, column 5: expected ':'`` or ``deployments/1952.json: contracts.PrizeVault.address:
Field required``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError


def yaml_problem(path: Path | str, err: Any) -> str:
    """``path, line L, column C: problem`` for a ``yaml.YAMLError``."""
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    if mark is None:
        return f"{path}: not valid YAML: {problem}"
    return f"{path}, line {mark.line + 1}, column {mark.column + 1}: not valid YAML: {problem}"


def toml_problem(path: Path | str, err: Any) -> str:
    """``path: problem (at line L, column C)`` for a ``tomllib.TOMLDecodeError``."""
    return f"{path}: not valid TOML: {err}"


def validation_problems(path: Path | str, err: ValidationError) -> str:
    """``path: key: what is expected`` for the first problem, and how many more there are."""
    errors = err.errors()
    first = errors[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return f"{path}: {key}: {message}" + (more if len(errors) > 1 else "")
