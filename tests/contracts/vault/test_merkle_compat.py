"""Proofs made by OpenZeppelin's @openzeppelin/merkle-tree verify in the vault, whatever the
tree's shape; the vault's leaf is the package's leaf."""

import pytest

from tests.support.oz_merkle import build_tree

from .conftest import USDT


def test_vault_leaf_is_the_standard_merkle_tree_leaf(vault, accounts):
    amounts = [0, 1, 7 * USDT, 2**96 - 1, 2**256 - 1]
    tree = build_tree(zip(accounts[:5], amounts, strict=True))
    for account, leaf_hash in tree.leaf_hashes().items():
        assert vault.leaf(account, tree.amount(account)) == leaf_hash


def test_one_leaf_tree_root_is_its_leaf_and_claims_with_an_empty_proof(usdt_vault, alice):
    epoch, tree = usdt_vault.ready_epoch({alice: 42 * USDT})
    assert tree.proof(alice) == []
    assert tree.root == usdt_vault.vault.leaf(alice, 42 * USDT)
    usdt_vault.claim(epoch, tree, alice)
    assert usdt_vault.balance(alice) == 42 * USDT


def test_two_leaf_tree_claims_both_leaves(usdt_vault, alice, bob):
    epoch, tree = usdt_vault.ready_epoch({alice: 3 * USDT, bob: 5 * USDT})
    assert len(tree.proof(alice)) == len(tree.proof(bob)) == 1
    usdt_vault.claim(epoch, tree, alice)
    usdt_vault.claim(epoch, tree, bob)
    assert (usdt_vault.balance(alice), usdt_vault.balance(bob)) == (3 * USDT, 5 * USDT)


@pytest.mark.parametrize("size", [3, 7, 10])
def test_unbalanced_trees_claim_every_leaf(usdt_vault, accounts, size):
    rewards = {accounts[i]: (i + 1) * USDT + i for i in range(size)}
    epoch, tree = usdt_vault.ready_epoch(rewards)
    for account, amount in rewards.items():
        usdt_vault.claim(epoch, tree, account, sender=accounts[0])
        assert usdt_vault.balance(account) == amount
    assert usdt_vault.vault.epochInfo(epoch).payout.paid == sum(rewards.values())
