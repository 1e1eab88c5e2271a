"""Rewards test fixtures: a database per backend with the indexer's and the API's tables."""

# Fixtures imported from the indexer tests are parameters here by design (pytest injects them).
# ruff: noqa: F811

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from api.db import migrate as migrate_api
from indexer.db import make_engine
from indexer.db import migrate as migrate_indexer
from tests.indexer.conftest import (  # noqa: F401
    backend,
    database_url,
    new_database,
    postgres_admin,
)


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate_indexer(engine)
    migrate_api(engine)
    yield engine
    engine.dispose()
