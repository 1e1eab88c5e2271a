"""Soulbound and transferable passes, ERC-2981 royalties and ERC-165."""

import ape

IERC1155 = bytes.fromhex("d9b67a26")
IERC1155_METADATA_URI = bytes.fromhex("0e89341c")
IERC2981 = bytes.fromhex("2a55205a")
IACCESS_CONTROL = bytes.fromhex("7965db0b")


def test_a_soulbound_pass_cannot_be_transferred(community_pass, create, buy, bob, carol):
    pass_id = create()
    buy(bob, pass_id)
    with ape.reverts(community_pass.PassSoulbound, passId=pass_id):
        community_pass.safeTransferFrom(bob, carol, pass_id, 1, b"", sender=bob)


def test_a_soulbound_pass_cannot_be_batch_transferred(
    community_pass, create, terms, buy, bob, carol
):
    movable = create(terms(transferable=True))
    bound = create()
    buy(bob, movable)
    buy(bob, bound)
    with ape.reverts(community_pass.PassSoulbound, passId=bound):
        community_pass.safeBatchTransferFrom(bob, carol, [movable, bound], [1, 1], b"", sender=bob)


def test_an_approved_operator_cannot_move_a_soulbound_pass(community_pass, create, buy, bob, carol):
    pass_id = create()
    buy(bob, pass_id)
    community_pass.setApprovalForAll(carol, True, sender=bob)
    with ape.reverts(community_pass.PassSoulbound, passId=pass_id):
        community_pass.safeTransferFrom(bob, carol, pass_id, 1, b"", sender=carol)


def test_an_expired_subscription_stays_soulbound(
    community_pass, create, subscription, buy, chain, bob, carol
):
    pass_id = create(subscription())
    buy(bob, pass_id)
    chain.mine(timestamp=community_pass.expiryOf(pass_id, bob) + 1)
    with ape.reverts(community_pass.PassSoulbound, passId=pass_id):
        community_pass.safeTransferFrom(bob, carol, pass_id, 1, b"", sender=bob)


def test_access_to_a_transferable_pass_moves_with_the_token(
    community_pass, create, terms, buy, bob, carol
):
    pass_id = create(terms(transferable=True))
    buy(bob, pass_id)
    community_pass.safeTransferFrom(bob, carol, pass_id, 1, b"", sender=bob)
    assert not community_pass.hasAccess(bob, pass_id)
    assert community_pass.hasAccess(carol, pass_id)


def test_a_transferable_pass_pays_the_creator_its_royalty(community_pass, create, terms, creator):
    pass_id = create(terms(transferable=True, royalty_bps=750))
    assert community_pass.royaltyInfo(pass_id, 10_000) == (creator.address, 750)


def test_a_soulbound_pass_reports_no_royalty(community_pass, create):
    pass_id = create()
    assert community_pass.royaltyInfo(pass_id, 10_000) == (ape.utils.ZERO_ADDRESS, 0)


def test_the_contract_declares_erc1155_erc2981_and_access_control(community_pass):
    for interface_id in (IERC1155, IERC1155_METADATA_URI, IERC2981, IACCESS_CONTROL):
        assert community_pass.supportsInterface(interface_id)
    assert not community_pass.supportsInterface(bytes.fromhex("ffffffff"))
