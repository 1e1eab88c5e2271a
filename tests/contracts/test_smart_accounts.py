"""Smart-contract wallets wherever Planet's contracts check a signature: a relayed identity
registration signed by a multisig owner (ERC-1271 through OpenZeppelin's SignatureChecker),
and contribution attestations signed by a multisig holding ATTESTER_ROLE. The wallet is a real
M-of-N ``MultisigAccount``; the ERC-6492 path is the API's (tests/api/test_smart_wallets.py),
checked here at the ``SignatureValidator`` contract it runs."""

from __future__ import annotations

import ape
import pytest
from eth_abi import encode
from eth_utils import keccak

from planet.core.typed_data import KIND_POST, Contribution, new_uid
from tests.support.protocol import registration
from tests.support.smart_accounts import (
    contract_attestation,
    deploy_multisig,
    owner_keys,
    owners_sign,
    wrap_6492,
)

ZERO = "0x" + "00" * 20
MAGIC = bytes.fromhex("1626ba7e")
REFUSED = bytes.fromhex("ffffffff")
DIGEST = keccak(text="a hash to sign")


@pytest.fixture
def wallet(project, admin):
    return deploy_multisig(project, admin, "wallet")


@pytest.fixture
def factory(project, admin):
    return admin.deploy(project.MultisigAccountFactory)


# ---------------------------------------------------------------- the account itself


def test_threshold_owners_make_a_valid_signature(wallet):
    assert bytes(wallet.contract.isValidSignature(DIGEST, wallet.sign(DIGEST))) == MAGIC
    assert bytes(wallet.contract.isValidSignature(DIGEST, wallet.sign(DIGEST, 3))) == MAGIC


@pytest.mark.parametrize(
    "case", ["below threshold", "stranger", "same owner twice", "unordered", "other hash", "ragged"]
)
def test_anything_short_of_threshold_owners_is_refused(wallet, case):
    owners = wallet.owners
    stranger = owner_keys("stranger", 1)[0]
    signature = {
        "below threshold": owners_sign(DIGEST, owners[:1]),
        "stranger": owners_sign(DIGEST, [owners[0], stranger]),
        "same owner twice": owners_sign(DIGEST, [owners[0], owners[0]]),
        "unordered": owners_sign(
            DIGEST, sorted(owners[:2], key=lambda k: -int(k.address, 16)), order=False
        ),
        "other hash": owners_sign(keccak(text="something else"), owners[:2]),
        "ragged": wallet.sign(DIGEST) + b"\x00",
    }[case]
    assert bytes(wallet.contract.isValidSignature(DIGEST, signature)) == REFUSED


def test_the_owners_make_calls_only_together(wallet, project, admin, alice):
    token = admin.deploy(project.MockERC20, "Token", "TOK", 18)
    token.mint(wallet.address, 100, sender=admin)
    wallet.execute(token, "transfer", alice.address, 40, sender=alice)
    assert token.balanceOf(alice) == 40
    assert wallet.contract.nextNonce() == 1
    data = token.transfer.encode_input(alice.address, 1)
    one_owner = owners_sign(
        bytes(wallet.contract.executeHash(token.address, 0, data, 1)), wallet.owners[:1]
    )
    with ape.reverts(wallet.contract.MultisigNotApproved):
        wallet.contract.execute(token.address, 0, data, one_owner, sender=alice)


def test_the_factory_deploys_at_the_address_it_predicts(factory, admin):
    owners = [k.address for k in owner_keys("counterfactual", 2)]
    salt = keccak(text="salt")
    predicted = factory.accountAddress(owners, 2, salt)
    assert len(ape.chain.provider.get_code(predicted)) == 0
    tx = factory.createAccount(owners, 2, salt, sender=admin)
    assert tx.events[-1].account == predicted
    assert len(ape.chain.provider.get_code(predicted)) > 0


# ---------------------------------------------------------------- relayed registration


def _register_digest(identity, owner, reg, relayer, deadline, nonce=None):
    nonce = identity.nonces(owner) if nonce is None else nonce
    return bytes(identity.registerDigest(owner, reg.as_tuple(), relayer, nonce, deadline))


def test_a_multisig_registers_through_a_relayer(identity, wallet, bob, chain):
    reg = registration("multisig_owner")
    deadline = chain.pending_timestamp + 3600
    signature = wallet.sign(_register_digest(identity, wallet.address, reg, bob.address, deadline))
    tx = identity.registerFor(wallet.address, reg.as_tuple(), deadline, signature, sender=bob)
    assert identity.identityOf(wallet.address) == 1
    assert identity.nonces(wallet.address) == 1
    event = tx.events.filter(identity.IdentityRegistered)[0]
    assert (event.owner, event.relayer) == (wallet.address, bob.address)


def test_a_multisig_registration_below_threshold_is_refused(identity, wallet, bob, chain):
    reg = registration("too_few")
    deadline = chain.pending_timestamp + 3600
    signature = wallet.sign(_register_digest(identity, wallet.address, reg, ZERO, deadline), 1)
    with ape.reverts(identity.IdentityInvalidSignature, owner=wallet.address):
        identity.registerFor(wallet.address, reg.as_tuple(), deadline, signature, sender=bob)
    assert identity.nonces(wallet.address) == 0


def test_a_multisig_cancels_a_signed_registration_by_using_its_nonce(identity, wallet, bob, chain):
    reg = registration("changed_mind")
    deadline = chain.pending_timestamp + 3600
    signature = wallet.sign(_register_digest(identity, wallet.address, reg, ZERO, deadline))
    wallet.execute(identity, "invalidateNonce", sender=bob)
    with ape.reverts(identity.IdentityInvalidSignature, owner=wallet.address):
        identity.registerFor(wallet.address, reg.as_tuple(), deadline, signature, sender=bob)


def test_a_6492_wrapped_signature_does_not_register_an_undeployed_wallet(
    identity, factory, bob, chain
):
    """The contracts take ERC-1271 only: an account that does not exist yet cannot own an
    identity by signature (it registers once deployed)."""
    keys = owner_keys("not yet", 2)
    owners, salt = [k.address for k in keys], keccak(text="later")
    account = factory.accountAddress(owners, 2, salt)
    reg = registration("not_yet")
    deadline = chain.pending_timestamp + 3600
    inner = owners_sign(_register_digest(identity, account, reg, ZERO, deadline), keys)
    wrapped = wrap_6492(factory.address, factory.createAccount.encode_input(owners, 2, salt), inner)
    with ape.reverts(identity.IdentityInvalidSignature, owner=account):
        identity.registerFor(account, reg.as_tuple(), deadline, wrapped, sender=bob)


# ---------------------------------------------------------------- multisig attester


@pytest.fixture
def attester_wallet(project, admin, points):
    multisig = deploy_multisig(project, admin, "attester desk")
    points.grantRole(points.ATTESTER_ROLE(), multisig.address, sender=admin)
    return multisig


def _contribution(points, account, chain, label="c"):
    return Contribution(
        account=account.address,
        kind=KIND_POST,
        amount=7,
        epoch=points.currentEpoch(),
        uid=new_uid("smart", label),
        deadline=chain.pending_timestamp + 3600,
    )


def test_an_attestation_signed_by_a_multisig_attester_is_recorded(
    points, attester_wallet, alice, register, chain
):
    register(alice, "alice")
    c = _contribution(points, alice, chain)
    inner = attester_wallet.sign(bytes(points.contributionDigest(c.as_tuple())))
    tx = points.attest(
        c.as_tuple(), contract_attestation(attester_wallet.address, inner), sender=alice
    )
    assert points.balanceOf(alice) == 7
    event = tx.events.filter(points.ContributionRecorded)[0]
    assert (event.attester, event.submitter) == (attester_wallet.address, alice.address)
    with ape.reverts(points.PointsUidUsed, uid=c.uid):
        points.attest(
            c.as_tuple(), contract_attestation(attester_wallet.address, inner), sender=alice
        )


def test_a_multisig_attester_batch_signature_below_threshold_is_refused(
    points, attester_wallet, alice, register, chain
):
    register(alice, "alice")
    c = _contribution(points, alice, chain)
    inner = attester_wallet.sign(bytes(points.contributionDigest(c.as_tuple())), 1)
    with ape.reverts(
        points.PointsContractSignatureInvalid, uid=c.uid, signer=attester_wallet.address
    ):
        points.attest(
            c.as_tuple(), contract_attestation(attester_wallet.address, inner), sender=alice
        )
    assert points.balanceOf(alice) == 0


def test_a_multisig_without_the_attester_role_is_never_asked(
    project, points, admin, alice, register, chain
):
    outsider = deploy_multisig(project, admin, "outsider")
    register(alice, "alice")
    c = _contribution(points, alice, chain)
    inner = outsider.sign(bytes(points.contributionDigest(c.as_tuple())))
    with ape.reverts(points.PointsSignerNotAttester, uid=c.uid, signer=outsider.address):
        points.attest(c.as_tuple(), contract_attestation(outsider.address, inner), sender=alice)


@pytest.mark.parametrize("case", ["short", "dirty address", "offset", "length", "trailing"])
def test_a_contract_attestation_not_strictly_encoded_is_malformed(
    points, attester_wallet, alice, register, chain, case
):
    register(alice, "alice")
    c = _contribution(points, alice, chain)
    good = contract_attestation(
        attester_wallet.address,
        attester_wallet.sign(bytes(points.contributionDigest(c.as_tuple()))),
    )
    signature = {
        "short": good[:95],
        "dirty address": b"\x01" + good[1:],
        "offset": good[:63] + b"\x60" + good[64:],
        "length": good[:64] + encode(["uint256"], [len(good)]) + good[96:],
        "trailing": good + b"\x00" * 32,
    }[case]
    with ape.reverts(points.PointsMalformedSignature, uid=c.uid):
        points.attest(c.as_tuple(), signature, sender=alice)


def test_a_multisig_attester_submits_a_batch_through_its_owners(
    points, attester_wallet, alice, bob, register, chain
):
    register(alice, "alice")
    register(bob, "bob")
    items = [_contribution(points, who, chain, who.address) for who in (alice, bob)]
    signatures = [
        contract_attestation(
            attester_wallet.address,
            attester_wallet.sign(bytes(points.contributionDigest(c.as_tuple()))),
        )
        for c in items
    ]
    attester_wallet.execute(
        points, "attestBatch", [c.as_tuple() for c in items], signatures, sender=alice
    )
    assert (points.balanceOf(alice), points.balanceOf(bob)) == (7, 7)


# ---------------------------------------------------------------- SignatureValidator


def _validate(project, chain, signer, digest, signature) -> bytes:
    creation = bytes(project.SignatureValidator.contract_type.deployment_bytecode.to_bytes())
    data = creation + encode(["address", "bytes32", "bytes"], [signer, digest, signature])
    return bytes(chain.provider.web3.eth.call({"data": "0x" + data.hex()}))


def test_the_validator_answers_for_every_kind_of_wallet(project, chain, wallet, factory, alice):
    from tests.support.protocol import local_key

    key = local_key(alice)
    eoa = owners_sign(DIGEST, [key])
    assert _validate(project, chain, alice.address, DIGEST, eoa) == b"\x01"
    assert _validate(project, chain, alice.address, keccak(text="x"), eoa) == b"\x00"
    assert _validate(project, chain, wallet.address, DIGEST, wallet.sign(DIGEST)) == b"\x01"
    assert _validate(project, chain, wallet.address, DIGEST, wallet.sign(DIGEST, 1)) == b"\x00"
    keys = owner_keys("counterfactual", 3)
    owners, salt = [k.address for k in keys], keccak(text="v")
    account = factory.accountAddress(owners, 2, salt)
    calldata = factory.createAccount.encode_input(owners, 2, salt)
    good = wrap_6492(factory.address, calldata, owners_sign(DIGEST, keys[:2]))
    few = wrap_6492(factory.address, calldata, owners_sign(DIGEST, keys[:1]))
    assert _validate(project, chain, account, DIGEST, good) == b"\x01"
    assert _validate(project, chain, account, DIGEST, few) == b"\x00"
    # the call deployed nothing for real
    assert len(chain.provider.get_code(account)) == 0
