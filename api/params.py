"""Row ids as the API accepts them, in paths and bodies.

Ids are 64-bit integers in both databases; a larger number can name no row, and SQLite's
driver cannot even bind one (it raised OverflowError, a 500). Bounding ids where they enter
answers such input with 422 ``validation_error`` and says the range in the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

MAX_ID = 2**63 - 1

PostId = Annotated[int, Path(ge=1, le=MAX_ID, description="The post's id")]
SessionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The live session's id")]
OrderId = Annotated[int, Path(ge=1, le=MAX_ID, description="The order's id")]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
