"""The pure core: what contracts, indexer, API and commands must agree on, with no I/O.

Epoch arithmetic, the EIP-712 typed data the contracts verify, StandardMerkleTree, the
deployment manifest, pass terms, shared names and the one error base live here once.
"""
