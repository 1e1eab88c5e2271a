"""Unknown query parameters are refused, not ignored.

A client that writes ``GET /posts?author=grace`` against a server that has no such filter would
otherwise get the whole feed and believe it filtered: a silent wrong answer. Every documented
route therefore answers a parameter it does not declare with 422 ``validation_error`` naming
the parameter and the ones the route takes. The docs pages (not in the schema) are left alone.
"""

from __future__ import annotations

from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.requests import HTTPConnection

_known: dict[int, frozenset[str]] = {}


def _declared(route: APIRoute) -> frozenset[str]:
    """The query parameters ``route`` and its dependencies declare (by their aliases)."""
    names = _known.get(id(route))
    if names is None:
        names = frozenset(_query_names(route.dependant))
        _known[id(route)] = names
    return names


def _query_names(dependant: Dependant) -> set[str]:
    names: set[str] = set()
    for param in dependant.query_params:
        model = param.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # a query model's fields
            names |= {field.alias or name for name, field in model.model_fields.items()}
        else:
            names.add(param.alias)
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def refuse_unknown_query(connection: HTTPConnection) -> None:
    """An app-wide dependency: 422 for a query parameter the matched route does not take
    (WebSocket handshakes are checked by their own routes)."""
    route = connection.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema:
        return
    known = _declared(route)
    unknown = sorted(set(connection.query_params) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "msg": f"unknown query parameter (this route takes: {takes})",
                    "type": "extra_forbidden",
                }
                for name in unknown
            ]
        )
