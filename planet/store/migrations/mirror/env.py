"""Alembic environment for the chain mirror: :func:`planet.store.migrate.run_environment`."""

from planet.store.migrate import run_environment

run_environment()
