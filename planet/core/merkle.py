"""OpenZeppelin StandardMerkleTree for ``(address, uint256)`` leaves, in Python.

Yields the same root, leaf order, tree layout, proofs and JSON dump (``standard-v1``) as the
npm package ``@openzeppelin/merkle-tree``, so a wallet or tool that speaks that format can claim
from the prize vault with what this module builds. The vault checks
``keccak256(bytes.concat(keccak256(abi.encode(account, amount))))``.

Layout, as the reference package lays it out: leaf hashes sorted ascending; the tree is an array
of ``2n - 1`` nodes with the sorted leaves stored from the end backwards, node ``i`` having
children ``2i + 1`` and ``2i + 2``; inner nodes hash their children as a sorted pair.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sha3  # safe-pysha3: C keccak, about 4x faster than the alternatives here

from planet.core.errors import PlanetError

LEAF_ENCODING = ["address", "uint256"]
_MAX_UINT256 = 2**256 - 1
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


class MerkleError(PlanetError, ValueError):
    """Leaves the tree cannot hold (none, duplicates, bad address or amount) or a bad dump."""


def _keccak(data: bytes) -> bytes:
    return sha3.keccak_256(data).digest()


def leaf_hash(account: str, amount: int) -> bytes:
    """``keccak256(keccak256(abi.encode(address, uint256)))``."""
    encoded = bytes(12) + bytes.fromhex(account[2:]) + amount.to_bytes(32, "big")
    return _keccak(_keccak(encoded))


def hash_pair(a: bytes, b: bytes) -> bytes:
    return _keccak(a + b if a < b else b + a)


def _check_leaf(account: Any, amount: Any) -> tuple[str, int]:
    # Kept as given (the reference package dumps values as given); checked by shape only, since
    # checksumming a million addresses would cost more than building the tree.
    if not isinstance(account, str) or not _ADDRESS.fullmatch(account):
        raise MerkleError(f"leaf account {account!r} is not an address")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= _MAX_UINT256:
        raise MerkleError(f"leaf amount {amount!r} for {account} is not a uint256")
    return account, amount


@dataclass(frozen=True)
class Leaf:
    account: str
    amount: int
    tree_index: int


class StandardMerkleTree:
    """A built tree; build with :meth:`of`, reload a published dump with :meth:`load`."""

    def __init__(self, tree: list[bytes], values: list[tuple[str, int, int]]) -> None:
        self._tree = tree
        self._values = values  # (account, amount, tree index), in insertion order
        self._index_of = {account.lower(): i for i, (account, _, _) in enumerate(values)}

    @classmethod
    def of(cls, leaves: Iterable[tuple[str, int]]) -> StandardMerkleTree:
        """Builds the tree. An account may appear once: the vault keeps one claimed flag per
        (epoch, account), so a second leaf for it could never be claimed."""
        checked = [_check_leaf(a, v) for a, v in leaves]
        if not checked:
            raise MerkleError("a tree needs at least one leaf")
        seen: set[str] = set()
        for account, _ in checked:
            key = account.lower()
            if key in seen:
                raise MerkleError(f"account {account} appears twice")
            seen.add(key)

        hashes = [leaf_hash(a, v) for a, v in checked]
        order = sorted(range(len(hashes)), key=hashes.__getitem__)
        n = len(hashes)
        tree: list[bytes] = [b""] * (2 * n - 1)
        tree_index = [0] * n
        for position, value_index in enumerate(order):
            slot = len(tree) - 1 - position
            tree[slot] = hashes[value_index]
            tree_index[value_index] = slot
        for i in range(len(tree) - 1 - n, -1, -1):
            tree[i] = hash_pair(tree[2 * i + 1], tree[2 * i + 2])
        values = [(a, v, tree_index[i]) for i, (a, v) in enumerate(checked)]
        return cls(tree, values)

    @property
    def root(self) -> bytes:
        return self._tree[0]

    @property
    def root_hex(self) -> str:
        return "0x" + self.root.hex()

    def __len__(self) -> int:
        return len(self._values)

    def leaves(self) -> list[Leaf]:
        return [Leaf(a, v, t) for a, v, t in self._values]

    def proof(self, account: str) -> list[bytes]:
        """Sibling hashes from the account's leaf up to (not including) the root."""
        try:
            index = self._values[self._index_of[account.lower()]][2]
        except KeyError:
            raise MerkleError(f"account {account} has no leaf in this tree") from None
        proof = []
        while index > 0:
            sibling = index + 1 if index % 2 == 1 else index - 1
            proof.append(self._tree[sibling])
            index = (index - 1) // 2
        return proof

    def amount_of(self, account: str) -> int | None:
        i = self._index_of.get(account.lower())
        return None if i is None else self._values[i][1]

    def dump(self) -> dict[str, Any]:
        """The reference package's ``standard-v1`` JSON form."""
        return {
            "format": "standard-v1",
            "leafEncoding": LEAF_ENCODING,
            "tree": ["0x" + node.hex() for node in self._tree],
            "values": [{"value": [a, str(v)], "treeIndex": t} for a, v, t in self._values],
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> StandardMerkleTree:
        """Rebuilds from a dump, recomputing every hash: a dump whose tree does not follow from
        its values is rejected, naming the first value that disagrees."""
        if data.get("format") != "standard-v1":
            raise MerkleError(f"unknown tree format {data.get('format')!r}")
        if data.get("leafEncoding") != LEAF_ENCODING:
            raise MerkleError(
                f"leaf encoding must be {LEAF_ENCODING}, got {data.get('leafEncoding')}"
            )
        try:
            leaves = [(v["value"][0], int(v["value"][1])) for v in data["values"]]
        except (KeyError, IndexError, TypeError, ValueError) as err:
            raise MerkleError(f"malformed values in tree dump: {err}") from None
        published = data.get("tree") or []
        for i, ((account, amount), value) in enumerate(zip(leaves, data["values"], strict=True)):
            _check_leaf(account, amount)
            if _node(published, value.get("treeIndex")) != leaf_hash(account, amount):
                raise MerkleError(f"leaf {i} ({account}, {amount}) does not match the tree")
        rebuilt = cls.of(leaves)
        if [_node(published, i) for i in range(len(published))] != rebuilt._tree:
            raise MerkleError("tree nodes do not follow from the values")
        return rebuilt


def _node(tree: Sequence[str], index: Any) -> bytes | None:
    """The published node at ``index``, or None where the dump has no such node."""
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        return None
    try:
        return bytes.fromhex(tree[index].removeprefix("0x"))
    except (IndexError, ValueError, AttributeError):
        return None


def verify(root: bytes, account: str, amount: int, proof: Sequence[bytes]) -> bool:
    """What OpenZeppelin's MerkleProof.verify does on-chain, for off-chain checks."""
    node = leaf_hash(account, amount)
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node == root
