"""The product in one story: a small community's week on a local chain, from sign-up to claims.

``scripts/demo.py`` (``make demo``) tells it on a fresh anvil; ``tests/demo`` tells it smaller and
checks the money. :mod:`planet.demo.story` holds the steps, :mod:`planet.demo.runtime` the parts it
runs (the API server, the indexer, the chain's clock), :mod:`planet.demo.client` the HTTP client a
wallet app would be.
"""
