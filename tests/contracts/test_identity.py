"""Identity: one soulbound profile per address, unique normalised handles, relayed sign-up."""

from __future__ import annotations

import ape
import pytest
from eth_utils import keccak

from planet.core.typed_data import (
    IDENTITY_DOMAIN,
    REGISTER_TYPES,
    domain,
    register_message,
    sign_registration,
    typed_digest,
)
from tests.support.protocol import local_key, registration

ZERO = "0x" + "00" * 20
INTERFACE_ERC5192 = bytes.fromhex("b45a3c0e")
INTERFACE_ERC721 = bytes.fromhex("80ac58cd")


def test_register_mints_a_locked_token_with_the_persona(identity, alice):
    reg = registration("alice", recovery=ZERO)
    tx = identity.register(reg.as_tuple(), sender=alice)

    token = identity.identityOf(alice)
    assert token == 1
    assert identity.ownerOf(token) == alice
    assert identity.balanceOf(alice) == 1
    assert identity.hasIdentity(alice)
    assert identity.locked(token)
    assert identity.tokenURI(token) == reg.metadata_uri
    p = identity.profile(token)
    assert (p.handle, p.metadataURI, p.metadataHash) == (
        "alice",
        reg.metadata_uri,
        reg.metadata_hash,
    )
    assert [e.event_name for e in tx.events] == ["Transfer", "Locked", "IdentityRegistered"]
    assert tx.events[-1].relayer == alice


def test_supports_erc721_and_erc5192(identity):
    assert identity.supportsInterface(INTERFACE_ERC721)
    assert identity.supportsInterface(INTERFACE_ERC5192)


def test_one_identity_per_address(identity, alice, register):
    register(alice, "alice")
    with ape.reverts(identity.IdentityAlreadyRegistered, account=alice.address):
        identity.register(registration("alice2").as_tuple(), sender=alice)


@pytest.mark.parametrize("raw, stored", [("Alice_01", "alice_01"), ("BOB", "bob"), ("a_b", "a_b")])
def test_handles_are_stored_lowercase(identity, alice, raw, stored):
    identity.register(registration(raw).as_tuple(), sender=alice)
    assert identity.profile(1).handle == stored
    assert identity.tokenOfHandle(stored.upper()) == 1


def test_a_handle_is_unique_whatever_its_case(identity, alice, bob, register):
    register(alice, "satoshi")
    with ape.reverts(identity.IdentityHandleTaken, handle="satoshi"):
        identity.register(registration("SaToShi").as_tuple(), sender=bob)


@pytest.mark.parametrize("handle", ["ab", "x" * 33, ""])
def test_handle_length_outside_3_to_32_is_rejected(identity, alice, handle):
    with ape.reverts(identity.IdentityHandleLength, length=len(handle)):
        identity.register(registration(handle).as_tuple(), sender=alice)


@pytest.mark.parametrize(
    "handle, position", [("bo-b", 2), ("a b c", 1), ("émile", 0), ("abc.", 3), ("a\x00bc", 1)]
)
def test_handle_characters_outside_a_z_0_9_underscore_are_rejected(
    identity, alice, handle, position
):
    with ape.reverts(identity.IdentityHandleCharacter, position=position):
        identity.register(registration(handle).as_tuple(), sender=alice)


def test_boundary_lengths_are_accepted(identity, alice, bob):
    identity.register(registration("abc").as_tuple(), sender=alice)
    identity.register(registration("z" * 32).as_tuple(), sender=bob)
    assert identity.profile(2).handle == "z" * 32


def test_transfers_and_approvals_revert(identity, alice, bob, register):
    token = register(alice, "alice")
    with ape.reverts(identity.IdentityNonTransferable, tokenId=token):
        identity.transferFrom(alice, bob, token, sender=alice)
    with ape.reverts(identity.IdentityNonTransferable, tokenId=token):
        identity.safeTransferFrom(alice, bob, token, sender=alice)
    with ape.reverts(identity.IdentityNonTransferable, tokenId=token):
        identity.approve(bob, token, sender=alice)
    with ape.reverts(identity.IdentityNonTransferable):
        identity.setApprovalForAll(bob, True, sender=alice)
    assert identity.ownerOf(token) == alice


def test_owner_updates_metadata(identity, alice, register):
    token = register(alice, "alice")
    new_hash = keccak(text="v2")
    tx = identity.setMetadata("ipfs://v2", new_hash, sender=alice)
    assert identity.tokenURI(token) == "ipfs://v2"
    assert identity.profile(token).metadataHash == new_hash
    assert tx.events[0].event_name == "MetadataUpdated"


def test_metadata_of_an_address_without_identity_is_rejected(identity, bob):
    with ape.reverts(identity.IdentityNotRegistered, account=bob.address):
        identity.setMetadata("ipfs://x", keccak(text="x"), sender=bob)


def test_recovery_address_moves_the_identity_to_a_new_wallet(identity, alice, bob, carol, register):
    token = register(alice, "alice", recovery=carol.address)
    tx = identity.recover(alice, bob, sender=carol)

    assert identity.ownerOf(token) == bob
    assert identity.identityOf(bob) == token
    assert identity.identityOf(alice) == 0
    assert not identity.hasIdentity(alice)
    assert identity.profile(token).handle == "alice"
    assert tx.events.filter(identity.IdentityRecovered)[0].to == bob
    # the old wallet can register afresh; the handle stays with the moved identity
    with ape.reverts(identity.IdentityHandleTaken):
        identity.register(registration("alice").as_tuple(), sender=alice)


def test_only_the_recovery_address_can_recover(identity, alice, bob, carol, register):
    token = register(alice, "alice", recovery=carol.address)
    with ape.reverts(identity.IdentityNotRecovery, caller=bob.address, tokenId=token):
        identity.recover(alice, bob, sender=bob)


def test_recovery_into_a_wallet_with_an_identity_is_rejected(identity, alice, bob, carol, register):
    register(alice, "alice", recovery=carol.address)
    register(bob, "bob")
    with ape.reverts(identity.IdentityAlreadyRegistered, account=bob.address):
        identity.recover(alice, bob, sender=carol)
    with ape.reverts(identity.IdentityZeroAddress):
        identity.recover(alice, ZERO, sender=carol)


def test_owner_sets_a_first_recovery_at_once_and_changes_it_only_after_the_delay(
    identity, alice, bob, carol, chain, register
):
    token = register(alice, "alice")
    identity.setRecovery(carol.address, sender=alice)  # none set yet: at once
    assert identity.profile(token).recovery == carol
    tx = identity.setRecovery(ZERO, sender=alice)
    [scheduled] = tx.events.filter(identity.RecoveryChangeScheduled)
    assert scheduled.effectiveAt == chain.blocks.head.timestamp + identity.RECOVERY_DELAY()
    assert identity.pendingRecovery(token) == (ZERO, scheduled.effectiveAt)
    assert identity.profile(token).recovery == carol  # still in force
    with ape.reverts(identity.IdentityRecoveryChangeNotReady, effectiveAt=scheduled.effectiveAt):
        identity.applyRecoveryChange(token, sender=bob)
    chain.pending_timestamp = scheduled.effectiveAt
    identity.applyRecoveryChange(token, sender=bob)
    assert identity.profile(token).recovery == ZERO
    with ape.reverts(identity.IdentityNotRecovery):
        identity.recover(alice, bob, sender=carol)
    with ape.reverts(identity.IdentityNoRecoveryChange, tokenId=token):
        identity.applyRecoveryChange(token, sender=bob)


def test_a_thief_with_the_owners_key_cannot_lock_the_rescuer_out(
    identity, alice, bob, carol, accounts, register
):
    """Finding: the thief called setRecovery(self) before the rescuer acted, whose recover
    then reverted IdentityNotRecovery. Now the change waits RECOVERY_DELAY, meanwhile the
    rescuer recovers (or cancels it)."""
    thief = accounts[9]
    token = register(alice, "alice", recovery=carol.address)
    identity.setRecovery(thief.address, sender=alice)  # the thief, holding alice's key
    identity.cancelRecoveryChange(token, sender=carol)
    assert identity.pendingRecovery(token).effectiveAt == 0
    identity.setRecovery(thief.address, sender=alice)
    identity.recover(alice, bob, sender=carol)
    assert identity.ownerOf(token) == bob
    assert identity.pendingRecovery(token).effectiveAt == 0  # the thief's change died with it
    with ape.reverts(identity.IdentityNotRecovery):
        identity.recover(bob, thief, sender=thief)


def test_after_a_recovery_the_old_recovery_address_cannot_move_it_again(
    identity, alice, bob, carol, accounts, register
):
    """Finding: after a normal recovery the recovery address could move the identity again
    without the new owner's consent. A recovery now clears it; the new owner sets one."""
    token = register(alice, "alice", recovery=carol.address)
    tx = identity.recover(alice, bob, sender=carol)
    assert [e.event_name for e in tx.events][-2:] == ["IdentityRecovered", "RecoveryChanged"]
    assert identity.profile(token).recovery == ZERO
    with ape.reverts(identity.IdentityNotRecovery, caller=carol.address, tokenId=token):
        identity.recover(bob, accounts[9], sender=carol)
    identity.setRecovery(alice.address, sender=bob)
    assert identity.profile(token).recovery == alice


def test_recovery_is_not_a_sale(identity, verifier, alice, bob, carol, register):
    """Finding: the owner set itself as recovery and called recover(self, buyer): the token
    moved, verified and labelled, while locked() said true. The owner can no longer be its own
    recovery, and a recovery leaves verification behind."""
    with ape.reverts(identity.IdentityRecoveryIsOwner, account=alice.address):
        identity.register(registration("alice", recovery=alice.address).as_tuple(), sender=alice)
    token = register(alice, "alice")
    with ape.reverts(identity.IdentityRecoveryIsOwner, account=alice.address):
        identity.setRecovery(alice.address, sender=alice)
    identity.setVerified(token, True, sender=verifier)
    identity.setLabels(token, 0b10, sender=verifier)
    identity.setRecovery(carol.address, sender=alice)
    with ape.reverts(identity.IdentityRecoveryIsOwner, account=alice.address):
        identity.changeRecovery(token, alice.address, sender=carol)
    identity.recover(alice, bob, sender=carol)
    moved = identity.profile(token)
    assert identity.locked(token)
    assert (moved.verified, moved.labels, moved.recovery) == (False, 0b10, ZERO)


def test_the_recovery_address_hands_its_role_on_at_once(identity, alice, bob, carol, register):
    token = register(alice, "alice", recovery=carol.address)
    identity.setRecovery(ZERO, sender=alice)  # pending, dropped by the hand-over
    with ape.reverts(identity.IdentityNotRecovery, caller=bob.address, tokenId=token):
        identity.changeRecovery(token, bob.address, sender=bob)
    tx = identity.changeRecovery(token, bob.address, sender=carol)
    assert tx.events.filter(identity.RecoveryChanged)[0].recovery == bob
    assert identity.profile(token).recovery == bob
    assert identity.pendingRecovery(token).effectiveAt == 0
    with ape.reverts(identity.IdentityNotRecovery, caller=carol.address, tokenId=token):
        identity.recover(alice, carol, sender=carol)


def test_verifier_sets_verification_and_labels(identity, verifier, alice, register):
    token = register(alice, "alice")
    tx = identity.setVerified(token, True, sender=verifier)
    assert tx.events[0].event_name == "VerificationChanged"
    identity.setLabels(token, 0b101, sender=verifier)
    p = identity.profile(token)
    assert p.verified and p.labels == 0b101


def test_only_verifiers_set_verification_and_labels(identity, alice, register):
    token = register(alice, "alice")
    with ape.reverts(identity.AccessControlUnauthorizedAccount):
        identity.setVerified(token, True, sender=alice)
    with ape.reverts(identity.AccessControlUnauthorizedAccount):
        identity.setLabels(token, 1, sender=alice)


def test_verifier_cannot_touch_unknown_tokens(identity, verifier):
    with ape.reverts(identity.IdentityUnknownToken, tokenId=7):
        identity.setVerified(7, True, sender=verifier)
    with ape.reverts(identity.IdentityUnknownToken, tokenId=7):
        identity.profile(7)


# ---------------------------------------------------------------- relayed registration


def _signed(identity, owner, reg, chain_id, *, nonce=None, deadline=None, chain=None, relayer=ZERO):
    nonce = identity.nonces(owner) if nonce is None else nonce
    deadline = deadline if deadline is not None else chain.pending_timestamp + 3600
    sig = sign_registration(
        local_key(owner), reg, nonce, deadline, chain_id, identity.address, relayer
    )
    return deadline, sig


def test_wallet_digest_equals_contract_digest(identity, alice, chain_id):
    reg = registration("alice")
    for relayer in (ZERO, "0x" + "ab" * 20):
        message = register_message(alice.address, reg, 0, 123, relayer)
        wallet = typed_digest(
            domain(IDENTITY_DOMAIN, chain_id, identity.address), REGISTER_TYPES, message
        )
        assert wallet == identity.registerDigest(alice, reg.as_tuple(), relayer, 0, 123)


def test_relayer_registers_with_the_owners_signature(identity, alice, bob, chain, chain_id):
    reg = registration("gasless")
    deadline, sig = _signed(identity, alice, reg, chain_id, chain=chain)
    tx = identity.registerFor(alice, reg.as_tuple(), deadline, sig, sender=bob)
    assert identity.identityOf(alice) == 1
    assert identity.identityOf(bob) == 0
    assert identity.nonces(alice) == 1
    assert tx.events[-1].relayer == bob


def test_relayed_signature_cannot_be_replayed(identity, alice, bob, carol, chain, chain_id):
    reg = registration("gasless", recovery=carol.address)
    deadline, sig = _signed(identity, alice, reg, chain_id, chain=chain)
    identity.registerFor(alice, reg.as_tuple(), deadline, sig, sender=bob)
    identity.recover(alice, carol, sender=carol)  # alice is free to register again
    with ape.reverts(identity.IdentityInvalidSignature, owner=alice.address):
        identity.registerFor(alice, reg.as_tuple(), deadline, sig, sender=bob)


def test_relayed_registration_after_deadline_is_rejected(identity, alice, bob, chain, chain_id):
    reg = registration("late")
    deadline, sig = _signed(
        identity, alice, reg, chain_id, chain=chain, deadline=chain.pending_timestamp - 1
    )
    with ape.reverts(identity.IdentitySignatureExpired):
        identity.registerFor(alice, reg.as_tuple(), deadline, sig, sender=bob)


def test_signature_by_someone_else_is_rejected(identity, alice, bob, chain, chain_id):
    reg = registration("forged")
    deadline = chain.pending_timestamp + 3600
    sig = sign_registration(local_key(bob), reg, 0, deadline, chain_id, identity.address)
    with ape.reverts(identity.IdentityInvalidSignature, owner=alice.address):
        identity.registerFor(alice, reg.as_tuple(), deadline, sig, sender=bob)


@pytest.mark.parametrize("wrong", ["chain", "contract", "field"])
def test_signature_for_another_chain_contract_or_content_is_rejected(
    identity, alice, bob, chain, chain_id, wrong
):
    reg = registration("elsewhere")
    deadline = chain.pending_timestamp + 3600
    target_chain = chain_id + 1 if wrong == "chain" else chain_id
    target = bob.address if wrong == "contract" else identity.address
    sig = sign_registration(local_key(alice), reg, 0, deadline, target_chain, target)
    sent = registration("tampered") if wrong == "field" else reg
    with ape.reverts(identity.IdentityInvalidSignature):
        identity.registerFor(alice, sent.as_tuple(), deadline, sig, sender=bob)


def test_malformed_signature_is_rejected(identity, alice, bob, chain):
    with ape.reverts(identity.IdentityInvalidSignature):
        identity.registerFor(
            alice,
            registration("junk").as_tuple(),
            chain.pending_timestamp + 60,
            b"\x01" * 10,
            sender=bob,
        )


def test_a_signature_bound_to_a_relayer_is_sent_by_that_relayer_only(
    identity, alice, bob, carol, chain, chain_id
):
    reg = registration("bound")
    deadline, sig = _signed(identity, alice, reg, chain_id, chain=chain, relayer=bob.address)
    with ape.reverts(identity.IdentityInvalidSignature, owner=alice.address):
        identity.registerFor(alice, reg.as_tuple(), deadline, sig, sender=carol)
    identity.registerFor(alice, reg.as_tuple(), deadline, sig, sender=bob)
    assert identity.identityOf(alice) == 1


def test_an_owner_cancels_a_signed_registration_by_using_its_nonce(
    identity, alice, bob, chain, chain_id
):
    """Finding: signed registrations could not be cancelled."""
    reg = registration("changed_mind")
    deadline, sig = _signed(identity, alice, reg, chain_id, chain=chain)
    tx = identity.invalidateNonce(sender=alice)
    [event] = tx.events.filter(identity.NonceInvalidated)
    assert (event.owner, event.nonce) == (alice, 0)
    assert identity.nonces(alice) == 1
    with ape.reverts(identity.IdentityInvalidSignature, owner=alice.address):
        identity.registerFor(alice, reg.as_tuple(), deadline, sig, sender=bob)
