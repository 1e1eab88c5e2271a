"""Reverts in words: every custom error of the deployment by selector, with its notice."""

from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak

from planet.chain.reverts import Reverts


def data(signature: str, types: list[str], values: list[object]) -> bytes:
    return keccak(text=signature)[:4] + encode(types, values)


def test_a_custom_error_reads_with_its_arguments_and_natspec_notice(manifest):
    reverts = Reverts.of(manifest)
    said = str(reverts.explain_data(data("PassInvalidWalletLimit(uint256)", ["uint256"], [5])))
    assert said.startswith("PassInvalidWalletLimit(walletLimit=5): ")
    assert "exactly 1 for a subscription" in said


def test_addresses_are_checksummed_and_every_contract_is_known(manifest):
    reverts = Reverts.of(manifest)
    account = "0x" + "ab" * 20
    said = reverts.explain_data(
        data("VaultAlreadyClaimed(uint256,address)", ["uint256", "address"], [3, account])
    )
    assert said.name == "VaultAlreadyClaimed"
    assert said.args == {"epoch": 3, "account": "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"}
    assert reverts.explain_data(data("IdentityZeroAddress()", [], [])).name == "IdentityZeroAddress"


def test_standard_errors_panics_and_unknown_data():
    reverts = Reverts()
    assert (
        str(reverts.explain_data(data("Error(string)", ["string"], ["nope"])))
        == "Error(reason=nope)"
    )
    panic = reverts.explain_data(data("Panic(uint256)", ["uint256"], [0x11]))
    assert str(panic) == "Panic(code=0x11): arithmetic overflow or underflow"
    short = data(
        "ERC20InsufficientBalance(address,uint256,uint256)",
        ["address", "uint256", "uint256"],
        ["0x" + "00" * 20, 1, 2],
    )
    assert reverts.explain_data(short).notice == "The token balance is too low."
    assert "unknown error data 0xdeadbeef" in str(reverts.explain_data("0xdeadbeef"))
    assert str(reverts.explain_data(b"")) == "reverted without a reason"


def test_an_exception_without_revert_data_keeps_its_own_first_line():
    reverts = Reverts()
    assert reverts.explain(ValueError("first line\nsecond")) == "first line"
    funds = ValueError({"code": -32003, "message": "insufficient funds for gas * price + value"})
    assert "insufficient funds" in reverts.explain(funds)
