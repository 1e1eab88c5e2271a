"""The JSON-RPC client against scripted answers: what it retries, what it refuses to retry,
when it gives up, and how it paces requests."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from indexer.rpc import (
    RangeTooLargeError,
    RpcClient,
    RpcRequestError,
    RpcUnavailableError,
    TokenBucket,
    is_range_error,
)

Answer = Callable[[dict], httpx.Response]


def ok(result: object) -> Answer:
    return lambda req: httpx.Response(
        200, json={"jsonrpc": "2.0", "id": req["id"], "result": result}
    )


def rpc_error(code: int, message: str) -> Answer:
    return lambda req: httpx.Response(
        200, json={"jsonrpc": "2.0", "id": req["id"], "error": {"code": code, "message": message}}
    )


def status(code: int, headers: dict | None = None) -> Answer:
    return lambda req: httpx.Response(code, text="nope", headers=headers or {})


def raises(exc: Exception) -> Answer:
    def answer(req: dict) -> httpx.Response:
        raise exc

    return answer


def body(text: str) -> Answer:
    return lambda req: httpx.Response(200, text=text)


def client(answers: list[Answer], **kwargs) -> tuple[RpcClient, list[float], list[dict]]:
    sleeps: list[float] = []
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        payload = json.loads(request.content)
        seen.append(payload)
        return answers.pop(0)(payload)

    rpc = RpcClient(
        "http://node.test",
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
        rate=1e9,
        **kwargs,
    )
    return rpc, sleeps, seen


@pytest.mark.parametrize(
    "failure",
    [
        status(429),
        status(500),
        status(502),
        status(503),
        raises(httpx.ConnectError("refused")),
        raises(httpx.ReadTimeout("slow")),
        raises(httpx.RemoteProtocolError("peer closed connection without sending complete body")),
        body('{"jsonrpc":"2.0","id":1,"resu'),
        body("<html>gateway</html>"),
        rpc_error(-32005, "rate limit exceeded"),
        rpc_error(-32000, "header not found"),
        lambda req: httpx.Response(
            200, json={"jsonrpc": "2.0", "id": req["id"] + 7, "result": "0x1"}
        ),
    ],
    ids=[
        "429",
        "500",
        "502",
        "503",
        "connect",
        "timeout",
        "cut-body",
        "truncated-json",
        "html",
        "rate-limited",
        "header-not-found",
        "wrong-id",
    ],
)
def test_transient_failures_are_retried(failure):
    rpc, sleeps, _ = client([failure, failure, ok("0x7a69")])
    assert rpc.chain_id() == 31337
    assert rpc.retries == 2 and len(sleeps) == 2


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap():
    rpc, sleeps, _ = client([status(503)] * 6 + [ok("0x1")], backoff_base=1.0, backoff_max=8.0)
    rpc.block_number()
    for attempt, delay in enumerate(sleeps, start=1):
        ceiling = min(8.0, 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling


def test_retry_after_is_honoured():
    rpc, sleeps, _ = client([status(429, {"Retry-After": "3"}), ok("0x1")], backoff_base=0.01)
    rpc.block_number()
    assert sleeps == [3.0]


def test_gives_up_after_max_attempts_with_a_typed_error():
    rpc, sleeps, seen = client([status(502)] * 4, max_attempts=4)
    with pytest.raises(
        RpcUnavailableError, match=r"failed 4 times in a row on eth_blockNumber: HTTP 502"
    ):
        rpc.block_number()
    assert len(seen) == 4 and len(sleeps) == 3


@pytest.mark.parametrize("code", [401, 403, 404])
def test_client_errors_other_than_429_are_fatal_at_once(code):
    rpc, _, seen = client([status(code)])
    with pytest.raises(RpcUnavailableError, match=f"HTTP {code}"):
        rpc.block_number()
    assert len(seen) == 1


def test_invalid_request_errors_are_not_retried():
    rpc, _, seen = client([rpc_error(-32601, "the method eth_foo does not exist")])
    with pytest.raises(RpcRequestError, match="does not exist"):
        rpc.call("eth_foo", [])
    assert len(seen) == 1


@pytest.mark.parametrize(
    "code, message",
    [
        (-32005, "query returned more than 10000 results"),
        (-32602, "block range is too large"),
        (-32000, "exceed maximum block range: 100"),
        (-32600, "eth_getLogs is limited to a 10,000 range"),
        (
            -32000,
            "Log response size exceeded. You can make eth_getLogs requests with up to a 2K "
            "block range",
        ),
        (-32005, "too many results, try a smaller range"),
        (-32602, "query exceeds max block range 1000"),
        (-32000, "block range too large, max is 100 blocks"),
    ],
)
def test_range_errors_are_raised_for_the_caller_to_shrink(code, message):
    assert is_range_error(code, message)
    rpc, _, seen = client([rpc_error(code, message)])
    with pytest.raises(RangeTooLargeError):
        rpc.logs(1, 10_000, ["0x" + "11" * 20])
    assert len(seen) == 1


@pytest.mark.parametrize(
    "code, message",
    [(-32005, "rate limit exceeded"), (-32000, "header not found"), (-32603, "internal error")],
)
def test_other_errors_are_not_range_errors(code, message):
    assert not is_range_error(code, message)


def test_logs_query_names_addresses_and_hex_blocks():
    log = {
        "address": "0x" + "11" * 20,
        "topics": ["0x" + "22" * 32],
        "data": "0x",
        "blockNumber": "0x5",
        "blockHash": "0x" + "33" * 32,
        "transactionHash": "0x" + "44" * 32,
        "transactionIndex": "0x0",
        "logIndex": "0x1",
        "removed": False,
    }
    rpc, _, seen = client([ok([log])])
    [got] = rpc.logs(5, 9, ["0x" + "11" * 20])
    assert seen[0]["params"] == [
        {"fromBlock": "0x5", "toBlock": "0x9", "address": ["0x" + "11" * 20]}
    ]
    assert (got.blockNumber, got.logIndex) == ("0x5", "0x1")


def test_a_log_of_the_wrong_shape_is_retried_as_malformed():
    rpc, _, _ = client([ok([{"address": 5}]), ok([])])
    assert rpc.logs(1, 2, []) == []
    assert rpc.retries == 1


def test_an_answer_that_keeps_its_wrong_shape_ends_naming_where():
    rpc, _, _ = client([ok([{"address": 5}])] * 3, max_attempts=3)
    with pytest.raises(
        RpcUnavailableError, match=r"unexpected answer shape .*result\[0\]\.address"
    ):
        rpc.logs(1, 2, [])


def test_header_of_a_missing_block_is_none():
    rpc, _, _ = client([ok(None)])
    assert rpc.header(10**9) is None


def test_token_bucket_paces_to_the_rate_after_the_burst():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(rate=10, burst=5, clock=lambda: now[0], sleep=sleep)
    for _ in range(25):
        bucket.acquire()
    # 5 from the burst, then 20 more at 10/s: about two seconds of waiting
    assert sum(slept) == pytest.approx(2.0, abs=0.01)
    assert max(slept) == pytest.approx(0.1, abs=0.01)
