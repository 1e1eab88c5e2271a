"""The moving parts the story runs beside the chain: the chain's clock, wallets that sign their own
transactions, the indexer, and the API server on a background thread.

The local chain's clock is moved forward to close a week and to pass the challenge period; the
API must agree with it (epochs, attestation deadlines, claimable times), so it reads
:class:`ChainClock`: wall time plus however far the chain has been moved ahead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from eth_account.signers.local import LocalAccount
from web3 import Web3

from api.app import create_app
from api.serving import uvicorn_options
from api.settings import ApiSettings
from indexer.config import IndexerSettings
from indexer.rpc import RpcClient
from indexer.sync import Indexer
from planet.core.manifest import Manifest
from planet.demo.client import DemoError
from planet.store import MIRROR, make_engine, migrate


class ChainClock:
    """Unix seconds as the chain sees them: the wall clock plus the offset time travel added."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        self.offset = 0.0
        self.sync()

    def __call__(self) -> float:
        return time.time() + self.offset

    def sync(self) -> None:
        """Takes the offset from the newest block (never runs the clock backwards)."""
        latest = int(self.w3.eth.get_block("latest")["timestamp"])
        self.offset = max(self.offset, latest - time.time())

    def travel_to(self, timestamp: int) -> None:
        """Mines the next block at ``timestamp`` (anvil; later blocks follow on from it)."""
        latest = int(self.w3.eth.get_block("latest")["timestamp"])
        rpc = self.w3.provider.make_request  # type: ignore[union-attr]
        rpc("evm_setNextBlockTimestamp", [max(timestamp, latest + 1)])  # type: ignore[arg-type]
        rpc("evm_mine", [])  # type: ignore[arg-type]
        self.sync()


class Wallets:
    """Sends contract calls signed by the users' own keys, as their wallets would."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3

    def send(self, account: LocalAccount, call: Any, value: int = 0, what: str = "") -> str:
        """Signs and sends ``call`` from ``account``; the transaction hash once mined (status 1)."""
        try:
            tx = call.build_transaction(
                {
                    "from": account.address,
                    "value": value,
                    "nonce": self.w3.eth.get_transaction_count(account.address, "pending"),
                    "chainId": self.w3.eth.chain_id,
                }
            )
        except Exception as err:  # a revert found by the gas estimate: name the step
            raise DemoError(f"{what or 'transaction'} would revert: {err}") from None
        signed = account.sign_transaction(tx)
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60, poll_latency=0.05)
        if receipt["status"] != 1:
            raise DemoError(f"{what or 'transaction'} reverted in {tx_hash.hex()}")
        return "0x" + bytes(tx_hash).hex()


class LocalIndexer:
    """The indexer, run in this process to catch up between the story's steps."""

    def __init__(self, rpc_url: str, database_url: str, manifest: Manifest) -> None:
        self.settings = IndexerSettings(
            rpc_url=rpc_url, database_url=database_url, finality=0, progress=False
        )
        self.rpc = RpcClient(rpc_url, rate=1_000)
        self.engine = make_engine(database_url)
        migrate(self.engine, MIRROR)
        self.indexer = Indexer(self.settings, self.rpc, self.engine, manifest)

    def catch_up(self) -> int:
        """Indexes every block so far; the number of new events."""
        return self.indexer.catch_up().events

    def follow(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.indexer.follow, args=(stop,), daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self.indexer.close()
        self.rpc.close()
        self.engine.dispose()


class ApiServer:
    """uvicorn serving the API on a background thread, stopped by :meth:`stop`."""

    def __init__(
        self, settings: ApiSettings, clock: Callable[[], float], host: str, port: int
    ) -> None:
        self.app = create_app(settings, clock=clock)
        config = uvicorn.Config(
            self.app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="on",
            **uvicorn_options(settings),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://{host}:{port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise DemoError(f"the API did not start at {self.url} (port taken?)")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.app.state.engine.dispose()
