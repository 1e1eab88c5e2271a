"""Fails unless the virtualenv holds everything planet needs, its dev extra included.

`make setup` installs the hashed lock (constraints.txt) as requirements and then the project
with --no-deps, so a dependency added to pyproject.toml without `make lock` would go missing
without a word. This walks planet[dev]'s requirements, and theirs, with the extras asked for.
"""

import sys
from importlib.metadata import PackageNotFoundError, distribution

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def check(root: str, root_extras: frozenset[str]) -> list[str]:
    problems: list[str] = []
    todo = [(root, root_extras)]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for line in distribution(name).requires or []:
            req = Requirement(line)
            if req.marker is not None and not any(
                req.marker.evaluate({"extra": extra}) for extra in {"", *extras}
            ):
                continue
            try:
                installed = distribution(req.name).version
            except PackageNotFoundError:
                problems.append(f"{name} needs {req}: not installed")
                continue
            if not req.specifier.contains(installed, prereleases=True):
                problems.append(f"{name} needs {req}: {installed} installed")
                continue
            todo.append((canonicalize_name(req.name), frozenset(req.extras)))
    return problems


def main() -> int:
    problems = check("planet", frozenset({"dev"}))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("constraints.txt does not match pyproject.toml: run `make lock`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
