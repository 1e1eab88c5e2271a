"""Which block a moment falls in, for counting mirrored events by week.

The indexer mirrors events by block number, not time; a week's events are those between the
first block at or after the week's start and the first at or after its end. That block is found
by a binary search over block timestamps on the API's RPC (``PLANET_API_RPC_URL``), about
log2(height) header reads. A boundary at least :data:`SETTLED` blocks below the head is kept
for the life of the process (a reorg that deep is not expected), so a week already past is
searched once; a boundary near the head is searched again each time.
"""

from __future__ import annotations

import threading

from web3 import Web3
from web3.exceptions import Web3Exception

from api.errors import ErrorCode, Unavailable

SETTLED = 64
_TIMEOUT = 5.0


class BlockTimes:
    """First blocks at given times, on one chain."""

    def __init__(self, rpc_url: str) -> None:
        self._w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": _TIMEOUT}))
        self._lock = threading.Lock()
        self._known: dict[int, int] = {}  # unix time -> first block at or after it

    def _time(self, number: int) -> int:
        return int(self._w3.eth.get_block(number)["timestamp"])

    def first_blocks(self, moments: list[int]) -> list[int]:
        """For each unix time, the first block whose timestamp is at or after it (the head's
        number plus one when none is yet); 503 ``chain_unavailable`` when the RPC fails."""
        try:
            head = self._w3.eth.get_block("latest")
            return [self._first(t, int(head["number"]), int(head["timestamp"])) for t in moments]
        except (Web3Exception, OSError, ValueError) as err:
            raise Unavailable(
                f"the chain's RPC did not answer a block read ({type(err).__name__})",
                code=ErrorCode.CHAIN_UNAVAILABLE,
            ) from err

    def _first(self, moment: int, head: int, head_time: int) -> int:
        with self._lock:
            known = self._known.get(moment)
        if known is not None:
            return known
        if head_time < moment:
            return head + 1
        low, high = 0, head  # the answer lies in [low, high]
        while low < high:
            middle = (low + high) // 2
            if self._time(middle) >= moment:
                high = middle
            else:
                low = middle + 1
        if low + SETTLED <= head:
            with self._lock:
                self._known[moment] = low
        return low
