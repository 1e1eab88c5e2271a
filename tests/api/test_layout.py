"""How the API package is put together: routers are leaves, and what several of them share
lives below them (``api.schemas``, ``api.deps``, ``api.services``), never in one of them."""

from __future__ import annotations

import ast
from pathlib import Path

import api

API = Path(api.__file__).parent


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every ``from module import name`` in ``path``; (module, "") for
    every ``import module``."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
    return found


def test_no_router_imports_another_router():
    routers = sorted((API / "routes").glob("*.py"))
    assert len(routers) > 5
    for path in routers:
        for module, name in _imports(path):
            assert not module.startswith("api.routes"), f"{path.name} imports {module}"
            assert not (module == "api" and name == "routes"), path.name


def test_no_module_of_the_api_imports_a_private_name_of_another():
    for path in sorted(API.rglob("*.py")):
        for module, name in _imports(path):
            if module.startswith("api.") or module == "api":
                assert not name.startswith("_"), f"{path.relative_to(API)}: {module}.{name}"
