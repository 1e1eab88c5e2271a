"""Whether a contract wallet signed a hash, asked of the chain: ERC-1271 for a deployed wallet,
ERC-6492 for one not deployed yet. OKX Wallet and most new wallets on X Layer are smart
accounts: their "signature" is whatever their contract accepts, so only the chain can say.

* ERC-1271: ``eth_call`` of ``isValidSignature(hash, signature)`` on the wallet; valid when it
  answers the magic value ``0x1626ba7e``. A revert, an empty answer (no code there) or any
  other value means no.
* ERC-6492: a signature ending in the 32-byte suffix ``0x6492...6492`` wraps
  ``(factory, factoryCalldata, innerSignature)``. Such a wallet may not exist yet, so the check
  is an ``eth_call`` with no ``to`` that runs the creation code of our ``SignatureValidator``
  contract (``contracts/signatures/SignatureValidator.sol``): its constructor deploys the
  wallet through the factory if needed, asks it through ERC-1271 and returns one byte, the
  verdict; nothing persists. This is how viem's ``verifyMessage`` does it.

The creation code is the compiled contract's, kept in :data:`VALIDATOR_CREATION_CODE`
(tests/api/test_wallet_signatures.py checks it still equals what the project compiles).
"""

from __future__ import annotations

from pathlib import Path

import httpx
from eth_abi import encode

ERC1271_MAGIC = bytes.fromhex("1626ba7e")
"""``isValidSignature(bytes32,bytes)``'s selector, which is also the answer meaning "valid"."""
ERC6492_SUFFIX = bytes.fromhex("6492" * 16)
_TIMEOUT = 5.0
_CODE_FILE = Path(__file__).with_name("SignatureValidator.bin")
VALIDATOR_CREATION_CODE = bytes.fromhex(_CODE_FILE.read_text().strip().removeprefix("0x"))
"""Creation code of ``SignatureValidator`` (hex in SignatureValidator.bin beside this module)."""


class ChainUnreachable(Exception):
    """The RPC endpoint did not answer, or answered something that is not JSON-RPC."""


def is_wrapped(signature: bytes) -> bool:
    """Whether ``signature`` is an ERC-6492 wrapper (of a wallet perhaps not deployed yet)."""
    return len(signature) >= 32 and signature.endswith(ERC6492_SUFFIX)


def contract_signed(rpc_url: str, signer: str, digest: bytes, signature: bytes) -> bool:
    """Whether the contract wallet at ``signer`` (deployed, or deployable per ERC-6492) accepts
    ``signature`` over ``digest``. False for an address without code and an unwrapped
    signature; :class:`ChainUnreachable` when the chain cannot be asked."""
    if is_wrapped(signature):
        data = VALIDATOR_CREATION_CODE + encode(
            ["address", "bytes32", "bytes"], [signer, digest, signature]
        )
        answer = _call(rpc_url, {"data": "0x" + data.hex()})
        return answer == b"\x01"
    data = ERC1271_MAGIC + encode(["bytes32", "bytes"], [digest, signature])
    answer = _call(rpc_url, {"to": signer, "data": "0x" + data.hex()})
    return answer is not None and len(answer) >= 32 and answer[:4] == ERC1271_MAGIC


def _call(rpc_url: str, call: dict[str, str]) -> bytes | None:
    """The ``eth_call`` answer at the latest block; None when it reverted (a refusal)."""
    try:
        reply = httpx.post(
            rpc_url,
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [call, "latest"]},
            timeout=_TIMEOUT,
        )
        body = reply.json()
    except (httpx.HTTPError, ValueError) as err:
        raise ChainUnreachable(f"{type(err).__name__} from {rpc_url}") from None
    if not isinstance(body, dict) or ("result" not in body and "error" not in body):
        raise ChainUnreachable(f"{rpc_url} did not answer JSON-RPC")
    if "error" in body:
        if _reverted(body["error"]):
            return None  # the wallet refused, or the wrapper was garbage
        raise ChainUnreachable(f"{rpc_url} refused eth_call: {body['error']!r}")
    result = body["result"]
    if not isinstance(result, str) or not result.startswith("0x"):
        raise ChainUnreachable(f"{rpc_url} answered eth_call with {result!r}")
    try:
        return bytes.fromhex(result[2:])
    except ValueError:
        raise ChainUnreachable(f"{rpc_url} answered eth_call with {result!r}") from None


def _reverted(error: object) -> bool:
    """Whether a JSON-RPC error reports a revert (code 3, or a node's -32000 "execution
    reverted"), as opposed to the node failing (rate limit, unknown method, overload)."""
    if not isinstance(error, dict):
        return False
    message = str(error.get("message", "")).lower()
    return error.get("code") == 3 or "revert" in message or "invalid opcode" in message
