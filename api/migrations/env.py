"""Alembic environment for the API's tables; configured by :func:`api.db.alembic_config`."""

from __future__ import annotations

from alembic import context

from api.db import VERSION_TABLE
from api.models import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
