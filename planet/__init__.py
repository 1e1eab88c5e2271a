"""Planet's Python code below and above the indexer and the API, in layers.

From the bottom: :mod:`planet.core` (pure: epochs, typed data, Merkle trees, manifests, names,
errors); :mod:`planet.store` (the database) and :mod:`planet.chain` (contracts and wallets);
:mod:`planet.rewards` (the weekly close), beside the :mod:`indexer`; then the :mod:`api`; then
:mod:`planet.commands` and :mod:`planet.demo` on top. Nothing imports upward; ``lint-imports``
checks it.
"""
