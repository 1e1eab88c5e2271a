"""Planet's shared Python core: what contracts, scripts, indexer and API must agree on.

Epoch arithmetic, the EIP-712 typed data the contracts verify, and the deployment manifest
live here once, so every program speaks of the chain the same way.
"""
