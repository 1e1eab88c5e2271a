"""Sign-In with Ethereum from smart-contract wallets, on a real anvil: a deployed M-of-N
multisig signs in through ERC-1271, a counterfactual one (not deployed yet) through ERC-6492,
and anything short of its owners' threshold is refused with 401 ``invalid_signature`` and the
reason. EOAs sign in as before, without asking the chain."""

from __future__ import annotations

import pytest
from eth_account.messages import defunct_hash_message
from eth_utils import keccak

from api.services import wallet_signatures
from tests.support.api import error, sign, siwe_text
from tests.support.servers import serving
from tests.support.smart_accounts import (
    ERC6492_SUFFIX,
    deploy_multisig,
    owner_keys,
    owners_sign,
    wrap_6492,
)

DEAD_RPC = "http://127.0.0.1:9"  # discard port: nothing answers


@pytest.fixture
def chain_client(make_client, rpc_url):
    """The API on the test chain's RPC (ape's anvil)."""
    return make_client(rpc_url=rpc_url)


@pytest.fixture
def wallet(project, accounts):
    return deploy_multisig(project, accounts[0], "api wallet")


@pytest.fixture
def factory(project, accounts):
    return accounts[0].deploy(project.MultisigAccountFactory)


def _verify(client, address: str, signer) -> tuple[object, str]:
    """Signs in as ``address`` with ``signer(digest) -> signature bytes``."""
    nonce = client.post("/auth/nonce").json()["nonce"]
    text = siwe_text(address, nonce, int(client.app.state.clock()))
    signature = signer(bytes(defunct_hash_message(text=text)))
    body = {"message": text, "signature": "0x" + signature.hex()}
    return client.post("/auth/verify", json=body), text


def test_a_multisig_signs_in_with_its_owners_signatures(chain_client, wallet):
    reply, _ = _verify(chain_client, wallet.address, wallet.sign)
    assert reply.status_code == 200, reply.text
    assert reply.json()["address"] == wallet.address.lower()
    me = chain_client.get("/auth/me", headers={"Authorization": f"Bearer {reply.json()['token']}"})
    assert me.json()["address"] == wallet.address.lower()


def test_a_multisig_with_fewer_owners_than_its_threshold_is_refused(chain_client, wallet):
    reply, _ = _verify(chain_client, wallet.address, lambda d: wallet.sign(d, 1))
    assert error(reply) == (401, "invalid_signature")
    assert "contract" in reply.json()["error"]["message"]


def test_an_owner_cannot_sign_in_as_the_multisig_alone_even_with_65_bytes(chain_client, wallet):
    """One owner's signature is 65 bytes, the shape of an EOA's: it recovers to the owner,
    not the wallet, and the wallet (threshold 2) refuses it."""
    reply, _ = _verify(chain_client, wallet.address, lambda d: owners_sign(d, wallet.owners[:1]))
    assert error(reply) == (401, "invalid_signature")


def test_a_counterfactual_multisig_signs_in_through_erc6492(chain_client, factory, chain):
    keys = owner_keys("counterfactual member", 3)
    owners, salt = [k.address for k in keys], keccak(text="member")
    account = factory.accountAddress(owners, 2, salt)
    calldata = factory.createAccount.encode_input(owners, 2, salt)
    reply, _ = _verify(
        chain_client,
        account,
        lambda d: wrap_6492(factory.address, calldata, owners_sign(d, keys[1:])),
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["address"] == account.lower()
    assert len(chain.provider.get_code(account)) == 0  # checked in an eth_call, not deployed


@pytest.mark.parametrize("case", ["too few owners", "another account's factory call", "garbage"])
def test_a_bad_erc6492_signature_is_refused(chain_client, factory, case):
    """Refused whether the validator answers no or reverts (a wrapper that does not decode)."""
    keys = owner_keys("counterfactual member", 3)
    owners, salt = [k.address for k in keys], keccak(text="member")
    account = factory.accountAddress(owners, 2, salt)
    calldata = factory.createAccount.encode_input(
        owners, 2, keccak(text="other") if case.startswith("another") else salt
    )
    count = 1 if case == "too few owners" else 2

    def signer(digest: bytes) -> bytes:
        if case == "garbage":
            return b"\x07" * 40 + ERC6492_SUFFIX
        return wrap_6492(factory.address, calldata, owners_sign(digest, keys[:count]))

    reply, _ = _verify(chain_client, account, signer)
    assert error(reply) == (401, "invalid_signature")
    assert "chain could not be asked" not in reply.json()["error"]["message"]


def test_an_eoa_signs_in_without_asking_the_chain(make_client, alice):
    from tests.support.protocol import local_key

    client = make_client(rpc_url=DEAD_RPC)
    key = local_key(alice)
    nonce = client.post("/auth/nonce").json()["nonce"]
    text = siwe_text(key.address, nonce, int(client.app.state.clock()))
    reply = client.post("/auth/verify", json={"message": text, "signature": sign(key, text)})
    assert reply.status_code == 200, reply.text


def test_a_contract_signature_when_the_chain_is_down_is_refused_saying_so(make_client, wallet):
    reply, _ = _verify(make_client(rpc_url=DEAD_RPC), wallet.address, wallet.sign)
    assert error(reply) == (401, "invalid_signature")
    assert "chain could not be asked" in reply.json()["error"]["message"]


async def _rate_limited_node(scope, receive, send) -> None:
    """A JSON-RPC node that answers every call with a rate-limit error (not a revert)."""
    while (await receive()).get("more_body"):
        pass
    body = b'{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"rate limit exceeded"}}'
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def test_a_node_error_is_not_taken_for_the_wallets_refusal(make_client, wallet):
    """Only a revert means the wallet said no; a failing node is named as such."""
    with serving(_rate_limited_node) as rpc:
        reply, _ = _verify(make_client(rpc_url=rpc), wallet.address, wallet.sign)
    assert error(reply) == (401, "invalid_signature")
    assert "chain could not be asked" in reply.json()["error"]["message"]


def test_a_signature_over_the_size_limit_is_refused(chain_client, wallet):
    nonce = chain_client.post("/auth/nonce").json()["nonce"]
    text = siwe_text(wallet.address, nonce, int(chain_client.app.state.clock()))
    too_long = "0x" + "00" * 4097
    reply = chain_client.post("/auth/verify", json={"message": text, "signature": too_long})
    assert error(reply) == (422, "validation_error")


def test_the_validator_the_api_runs_is_the_one_the_project_compiles(project):
    compiled = project.SignatureValidator.contract_type.deployment_bytecode.to_bytes()
    assert wallet_signatures.VALIDATOR_CREATION_CODE == bytes(compiled), (
        "contracts/signatures/SignatureValidator.sol changed: run "
        "`python -m tools.signature_validator` to refresh api/services/SignatureValidator.bin"
    )
