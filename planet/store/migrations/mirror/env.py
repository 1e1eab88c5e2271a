"""Alembic environment for the chain mirror; configured by
:func:`planet.store.migrate.alembic_config`."""

from __future__ import annotations

from alembic import context

from planet.store.mirror import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=context.config.attributes["version_table"],
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
