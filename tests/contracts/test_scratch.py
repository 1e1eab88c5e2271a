import ape
from tests.conftest import registration

def test_custom_error(identity, alice, bob, register):
    register(alice, "Alice_1")
    assert identity.profile(1).handle == "alice_1"
    with ape.reverts(identity.IdentityHandleTaken, handle="alice_1"):
        identity.register(registration("ALICE_1").as_tuple(), sender=bob)
    with ape.reverts(identity.IdentityHandleCharacter):
        identity.register(registration("bo-b").as_tuple(), sender=bob)
