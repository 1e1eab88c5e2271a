"""Where a vault claim's gas goes, beside the minimal distributor's, opcode by opcode.

``make gas`` says how much a claim costs; this says why, so a proposal to make it cheaper can be
weighed against what cannot move. It replays the gas benchmark's scenario
(``benchmarks.gas.prize_vault``) on a fresh anvil, traces the measured claims with
``debug_traceTransaction`` and splits each into:

- ``intrinsic``: the 21,000 every transaction pays plus its calldata (the same 20-deep proof in
  both contracts, so nearly equal);
- ``storage``: the contract's own SLOAD/SSTORE (cold access included), with the count of cold
  slots it touched;
- ``token``: the whole call into the token (its balance slots and Transfer event), which no
  distributor design avoids;
- ``log``: the contract's own event;
- ``transient``: the reentrancy lock (TLOAD/TSTORE);
- ``compute``: everything else the contract runs (dispatch, ABI decoding, the proof loop).

Run with anvil on PATH: ``python -m benchmarks.claim_gas``. The last line compares what the
vault spends on storage with the baseline's, which is the part a claim's rules fix.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from benchmarks.gas import prize_vault

_CALLS = {"CALL", "STATICCALL", "DELEGATECALL"}
_STORAGE = {"SLOAD", "SSTORE"}
_COLD_SLOAD = 2100


def calldata_gas(data: bytes) -> int:
    """EIP-2028 pricing: 4 gas a zero byte, 16 a non-zero one."""
    zeros = data.count(0)
    return 4 * zeros + 16 * (len(data) - zeros)


def breakdown(trace: list[dict[str, Any]]) -> tuple[Counter[str], int]:
    """Gas by category at the contract's own depth, and how many storage reads were cold."""
    parts: Counter[str] = Counter()
    cold = 0
    for i, step in enumerate(trace):
        if step["depth"] != 1:
            continue
        op, cost = step["op"], step["gasCost"]
        if op in _CALLS:
            after = next((s for s in trace[i + 1 :] if s["depth"] == 1), None)
            parts["token"] += step["gas"] - after["gas"] if after else cost
        elif op in _STORAGE:
            parts["storage"] += cost
            cold += op == "SLOAD" and cost >= _COLD_SLOAD
        elif op.startswith("LOG"):
            parts["log"] += cost
        elif op in ("TLOAD", "TSTORE"):
            parts["transient"] += cost
        else:
            parts["compute"] += cost
    return parts, cold


def main() -> None:
    import ape.contracts.base as base
    from ape import accounts, chain, networks, project

    receipts: list[Any] = []
    call = base.ContractTransactionHandler.__call__

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        receipt = call(self, *args, **kwargs)
        if self.abis[0].name == "claim":
            receipts.append(receipt)
        return receipt

    with networks.parse_network_choice("ethereum:local:foundry"):
        base.ContractTransactionHandler.__call__ = recording  # type: ignore[method-assign]
        try:
            gas = prize_vault.measure(project, accounts, chain)
        finally:
            base.ContractTransactionHandler.__call__ = call  # type: ignore[method-assign]
        # The scenario's claims, in order: two on week 0, then week 1's first, returning,
        # newcomer and fresh winner, four on later weeks, then the baseline's two.
        measured = {
            "vault_claim_depth20": receipts[3],
            "vault_claim_depth20_first_claim": receipts[4],
            "baseline_claim_depth20": receipts[-1],
        }
        columns = ["intrinsic", "storage", "token", "log", "transient", "compute"]
        print(f"{'claim':<34}{'total':>8}" + "".join(f"{c:>11}" for c in columns) + "  cold")
        storage = {}
        for name, receipt in measured.items():
            assert receipt.gas_used == gas[name], f"{name}: replay differs from the benchmark"
            web3 = chain.provider.web3
            trace = web3.manager.request_blocking(
                "debug_traceTransaction", [receipt.txn_hash, {"enableMemory": False}]
            )["structLogs"]
            parts, cold = breakdown(trace)
            tx = web3.eth.get_transaction(receipt.txn_hash)
            parts["intrinsic"] = 21_000 + calldata_gas(bytes(tx["input"]))
            # What the trace cannot attribute (the refund, rounding of call costs) is shown
            # under compute, so each row adds up to the receipt.
            parts["compute"] += receipt.gas_used - sum(parts.values())
            storage[name] = parts["storage"]
            print(
                f"{name:<34}{receipt.gas_used:>8}"
                + "".join(f"{parts[c]:>11}" for c in columns)
                + f"{cold:>6}"
            )
        extra = storage["vault_claim_depth20"] - storage["baseline_claim_depth20"]
        over = gas["vault_claim_depth20"] - gas["baseline_claim_depth20"]
        print(f"claim_gas: vault_over_baseline={over} storage_over_baseline={extra}")


if __name__ == "__main__":
    main()
