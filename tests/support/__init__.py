"""What every test folder shares, loaded once through ``pytest_plugins`` in ``tests/conftest.py``.

Fixture modules: :mod:`~tests.support.databases` (throw-away SQLite and PostgreSQL databases,
migrated from a per-session template), :mod:`~tests.support.deployment` (the four contracts
deployed once per session on ape's anvil, and the actors who use them),
:mod:`~tests.support.api` (an app with a settable clock, and wallets that sign in).
Plain helpers, imported by tests: :mod:`~tests.support.ports`, :mod:`~tests.support.rows`,
:mod:`~tests.support.protocol` (the protocol driven through web3 as wallets drive it),
:mod:`~tests.support.indexing`, :mod:`~tests.support.siwe`.
"""
