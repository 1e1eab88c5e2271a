"""The Python StandardMerkleTree is @openzeppelin/merkle-tree's, leaf for leaf, proof for proof."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planet.core.merkle import MerkleError, StandardMerkleTree, verify
from tests.support.oz_merkle import build_tree
from tests.support.profiles import examples

ADDRESSES = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
AMOUNTS = st.integers(min_value=0, max_value=2**256 - 1)
LEAVES = st.lists(st.tuples(ADDRESSES, AMOUNTS), min_size=1, max_size=40, unique_by=lambda t: t[0])


def _same_as_reference(leaves: list[tuple[str, int]]) -> None:
    ours = StandardMerkleTree.of(leaves)
    theirs = build_tree(leaves)
    assert ours.root == theirs.root
    dump = ours.dump()
    assert dump["tree"] == theirs.dump["tree"]
    assert [v["treeIndex"] for v in dump["values"]] == [
        v["treeIndex"] for v in theirs.dump["values"]
    ]
    assert (
        dump["format"] == theirs.dump["format"]
        and dump["leafEncoding"] == theirs.dump["leafEncoding"]
    )
    for account, amount in leaves:
        assert ours.proof(account) == theirs.proof(account)
        assert verify(ours.root, account, amount, ours.proof(account))


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_fixed_sizes_match_the_reference(size):
    _same_as_reference([("0x" + os.urandom(20).hex(), i * 10**6) for i in range(size)])


@pytest.mark.slow
@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LEAVES)
def test_random_trees_match_the_reference(leaves):
    _same_as_reference(leaves)


def test_a_single_leaf_is_its_own_root_with_an_empty_proof():
    tree = StandardMerkleTree.of([("0x" + "11" * 20, 5)])
    assert tree.proof("0x" + "11" * 20) == []
    assert verify(tree.root, "0x" + "11" * 20, 5, [])


def test_duplicate_accounts_are_rejected_whatever_their_case():
    account = "0x" + "ab" * 20
    with pytest.raises(MerkleError, match="appears twice"):
        StandardMerkleTree.of([(account, 1), (account.upper().replace("0X", "0x"), 2)])


@pytest.mark.parametrize(
    "leaf, message",
    [
        (("0x1234", 1), "not an address"),
        (("0x" + "zz" * 20, 1), "not an address"),
        (("0x" + "11" * 20, -1), "not a uint256"),
        (("0x" + "11" * 20, 2**256), "not a uint256"),
        (("0x" + "11" * 20, True), "not a uint256"),
    ],
)
def test_bad_leaves_are_named(leaf, message):
    with pytest.raises(MerkleError, match=message):
        StandardMerkleTree.of([leaf])


def test_empty_tree_is_rejected():
    with pytest.raises(MerkleError, match="at least one leaf"):
        StandardMerkleTree.of([])


def test_wrong_amount_or_proof_does_not_verify():
    leaves = [("0x" + os.urandom(20).hex(), i) for i in range(1, 9)]
    tree = StandardMerkleTree.of(leaves)
    account, amount = leaves[3]
    assert not verify(tree.root, account, amount + 1, tree.proof(account))
    assert not verify(tree.root, account, amount, tree.proof(leaves[4][0]))


def test_a_published_dump_reloads_to_the_same_tree():
    leaves = [("0x" + os.urandom(20).hex(), i) for i in range(1, 20)]
    tree = StandardMerkleTree.of(leaves)
    assert StandardMerkleTree.load(tree.dump()).root == tree.root
    assert StandardMerkleTree.load(build_tree(leaves).dump).root == tree.root


def test_an_edited_dump_is_rejected_naming_the_leaf():
    leaves = [("0x" + os.urandom(20).hex(), i) for i in range(1, 6)]
    dump = StandardMerkleTree.of(leaves).dump()
    dump["values"][2]["value"][1] = "999999"
    with pytest.raises(MerkleError, match=r"leaf 2 \("):
        StandardMerkleTree.load(dump)


def test_unknown_format_is_rejected():
    with pytest.raises(MerkleError, match="format"):
        StandardMerkleTree.load({"format": "simple-v1"})


@pytest.mark.parametrize("tree_index", [-1, "3", None, 10**6])
def test_a_dump_pointing_a_leaf_elsewhere_is_rejected(tree_index):
    dump = StandardMerkleTree.of([("0x" + os.urandom(20).hex(), i) for i in range(1, 4)]).dump()
    dump["values"][1]["treeIndex"] = tree_index
    with pytest.raises(MerkleError, match="leaf 1"):
        StandardMerkleTree.load(dump)
