"""The shared database: one engine factory, one migration helper, and every table.

The indexer is the only writer of the chain mirror (:mod:`planet.store.mirror`); the API owns
the off-chain tables (:mod:`planet.store.offchain`). Each set has its own Alembic history and
version table (:data:`MIRROR`, :data:`OFFCHAIN`), so either program can migrate one database
without the other's code.
"""

from planet.store.engine import DatabaseError, make_engine
from planet.store.migrate import ALL, MIRROR, OFFCHAIN, Schema, migrate, schema_is_current

__all__ = [
    "ALL",
    "MIRROR",
    "OFFCHAIN",
    "DatabaseError",
    "Schema",
    "make_engine",
    "migrate",
    "schema_is_current",
]
