"""Alembic environment for the off-chain tables: :func:`planet.store.migrate.run_environment`."""

from planet.store.migrate import run_environment

run_environment()
