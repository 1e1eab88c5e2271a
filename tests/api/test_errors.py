"""Error codes are API contract: each is declared once, in ``api.errors.ErrorCode``, and every
answer, frame and close reason takes its code from there, never from a string typed at the
call site (where a typo would quietly become a new code clients do not know)."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from pathlib import Path

import api
from api.errors import ApiError, ErrorCode, error_response
from api.services.chat import error_frame

API = Path(api.__file__).parent
SNAKE = re.compile(r"^[a-z]+(_[a-z]+)*$")


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_codes_are_unique_snake_case_and_named_as_they_read():
    values = [code.value for code in ErrorCode]
    assert len(values) == len(set(values))
    for code in ErrorCode:
        assert SNAKE.match(code.value), code
        assert code.name == code.value.upper(), code


def test_every_error_class_answers_with_a_declared_code():
    for module in pkgutil.walk_packages(api.__path__, "api."):
        if module.name != "api.__main__":
            importlib.import_module(module.name)
    classes = _subclasses(ApiError) | {ApiError}
    assert len(classes) > 10
    for cls in classes:
        assert isinstance(cls.code, ErrorCode), cls


def _literal_codes(path: Path) -> list[str]:
    """Places in ``path`` where a code is spelt as a string: a ``code=`` argument given a
    literal, or any literal equal to a declared code outside the declarations themselves."""
    declared = {code.value for code in ErrorCode}
    tree = ast.parse(path.read_text(), str(path))
    declarations = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "ErrorCode"
        for child in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in declarations:
            continue
        if isinstance(node, ast.keyword) and node.arg == "code":
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                found.append(f"{path.name}:{node.value.lineno} code={node.value.value!r}")
                declarations.add(id(node.value))  # reported once
        elif isinstance(node, ast.Constant) and node.value in declared:
            found.append(f"{path.name}:{node.lineno} {node.value!r}")
    return found


def test_no_code_is_spelt_out_of_the_enum():
    found = [hit for path in sorted(API.rglob("*.py")) for hit in _literal_codes(path)]
    assert found == []


def test_codes_serialise_as_their_plain_strings():
    """What clients read is byte for byte what the strings were before the enum."""
    answer = error_response(404, ErrorCode.NOT_FOUND, "no post 7")
    assert answer.body == b'{"error":{"code":"not_found","message":"no post 7"}}'
    frame = json.dumps(error_frame(ErrorCode.INVALID_FRAME, "m"))
    assert frame == '{"type": "error", "error": {"code": "invalid_frame", "message": "m"}}'
    assert json.dumps({"code": ErrorCode.INVALID_TOKEN}) == '{"code": "invalid_token"}'
