"""Adapters to the chain: deploying with Ape, reading and writing the contracts through
web3.py, and the wallets that sign for a user."""
