"""Defining a pass: who may, what is recorded, which terms are rejected."""

import ape


def test_a_wallet_without_identity_cannot_create_a_pass(community_pass, terms, bob):
    with ape.reverts(community_pass.PassNoIdentity, creator=bob.address):
        community_pass.createPass(terms().as_tuple(), sender=bob)


def test_pass_ids_are_sequential_from_one(community_pass, create):
    assert community_pass.lastPassId() == 0
    assert [create(), create(), create()] == [1, 2, 3]


def test_a_pass_records_its_terms_its_creator_and_the_fee_current_at_creation(
    community_pass, create, terms, creator, token
):
    pass_id = create(
        terms(currency=token.address, price=7, max_supply=9, wallet_limit=3, transferable=True)
    )
    stored = community_pass.passes(pass_id)
    assert stored.creator == creator.address
    assert stored.currency == token.address
    assert (stored.price, stored.maxSupply, stored.walletLimit) == (7, 9, 3)
    assert stored.transferable and not stored.paused
    assert stored.feeBps == community_pass.platformFeeBps() == 500
    assert stored.minted == 0


def test_creation_emits_the_full_terms_and_the_fee(community_pass, terms, creator):
    tx = community_pass.createPass(
        terms(royalty_bps=250, transferable=True).as_tuple(), sender=creator
    )
    [log] = community_pass.PassCreated.from_receipt(tx)
    assert log.passId == 1 and log.creator == creator.address
    assert (log.royaltyBps, log.feeBps, log.transferable) == (250, 500, True)
    assert log.uri == "ipfs://pass/meta.json"
    [uri_log] = community_pass.URI.from_receipt(tx)
    assert uri_log.id == 1 and uri_log.value == "ipfs://pass/meta.json"


def test_the_erc1155_uri_is_the_pass_metadata_uri(community_pass, create, terms):
    pass_id = create(terms(uri="ipfs://other.json"))
    assert community_pass.uri(pass_id) == "ipfs://other.json"


def test_reading_an_unknown_pass_reverts(community_pass):
    with ape.reverts(community_pass.PassUnknown, passId=1):
        community_pass.passes(1)


def test_a_transferable_subscription_is_rejected(community_pass, subscription, creator):
    with ape.reverts(community_pass.PassTransferableSubscription):
        community_pass.createPass(subscription(transferable=True).as_tuple(), sender=creator)


def test_a_zero_supply_cap_is_rejected(community_pass, terms, creator):
    with ape.reverts(community_pass.PassZeroSupplyCap):
        community_pass.createPass(terms(max_supply=0).as_tuple(), sender=creator)


def test_a_zero_wallet_limit_is_rejected(community_pass, terms, creator):
    with ape.reverts(community_pass.PassInvalidWalletLimit, walletLimit=0):
        community_pass.createPass(terms(wallet_limit=0).as_tuple(), sender=creator)


def test_a_subscription_wallet_limit_other_than_one_is_rejected(
    community_pass, subscription, creator
):
    with ape.reverts(community_pass.PassInvalidWalletLimit, walletLimit=2):
        community_pass.createPass(subscription(wallet_limit=2).as_tuple(), sender=creator)


def test_a_royalty_above_ten_percent_is_rejected(community_pass, terms, creator):
    with ape.reverts(community_pass.PassRoyaltyTooHigh, royaltyBps=1001, maxRoyaltyBps=1000):
        community_pass.createPass(
            terms(transferable=True, royalty_bps=1001).as_tuple(), sender=creator
        )


def test_a_royalty_on_a_soulbound_pass_is_rejected(community_pass, terms, creator):
    with ape.reverts(community_pass.PassRoyaltyOnSoulbound, royaltyBps=100):
        community_pass.createPass(terms(royalty_bps=100).as_tuple(), sender=creator)


def test_an_erc20_currency_must_be_a_contract(community_pass, terms, creator, carol):
    with ape.reverts(community_pass.PassCurrencyNotContract, currency=carol.address):
        community_pass.createPass(terms(currency=carol.address).as_tuple(), sender=creator)
