"""Gas of the prize vault's operations, beside a minimal index-keyed Merkle distributor.

Scenario (ERC-20 with 6 decimals, every measured call a transaction of its own, so every slot
and the token are cold):

- ``vault_fund``: first funding of an epoch by a funder who holds the token and an allowance,
  into a vault that already holds the token.
- ``vault_propose``: first root of an epoch, with a 66-character ``ipfs://`` URI (a CIDv1).
- ``vault_claim_depth20``: one claim with a 20-deep proof (the depth of a 1,000,000-leaf tree)
  paying an account that already holds the token and claimed an earlier week; claimed flags are
  keyed by account, so that earlier claim is what makes its flag word non-zero. Another account
  claimed the same epoch first.
- ``vault_claim_depth20_first_claim``: the same for an account that never claimed before (its
  flag word goes from zero to non-zero), also holding the token.
- ``vault_claim_depth20_first_claim_fresh_winner``: the same for an account that never claimed
  and holds none of the token yet, so the token's balance slot for it goes from zero to
  non-zero too (a cost of the token, 17,100 gas, that no vault design avoids).
- ``vault_claim_many_4_epochs``: the returning account above claims four more epochs, each with
  a 20-deep proof, in one transaction and one transfer.
- ``baseline_claim_depth20``: ``VaultBaselineDistributor`` (leaf-index bitmap, one immutable
  root, plain IERC20 transfer, OpenZeppelin's MerkleProof, leaves double-hashed like the vault's),
  same proof depth, flag word non-zero (the neighbouring index claimed first), receiver holding
  the token.

A 20-deep proof does not need a million leaves: a few real leaves hashed into a small perfect
subtree, then random siblings up to depth 20 with the same sorted-pair keccak the vault uses,
give a root whose proofs cost exactly what a 20-deep proof costs to verify.

Run with anvil on PATH: ``python -m benchmarks.gas.prize_vault`` prints ``gas <name> <value>``.
"""

from __future__ import annotations

import random
from typing import Any

from eth_abi import encode
from eth_utils import keccak

from planet.core.epochs import week_start

DEPTH = 20
CHALLENGE = 24 * 60 * 60
WINDOW_WEEKS = 4
URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
_SEED = 20


def _node(a: bytes, b: bytes) -> bytes:
    """OpenZeppelin's commutative keccak: the pair is sorted before hashing."""
    return keccak(a + b) if a < b else keccak(b + a)


def vault_leaf(account: str, amount: int) -> bytes:
    return keccak(keccak(encode(["address", "uint256"], [account, amount])))


def baseline_leaf(index: int, account: str, amount: int) -> bytes:
    return keccak(keccak(encode(["uint256", "address", "uint256"], [index, account, amount])))


def deep_tree(
    leaves: list[bytes], depth: int, rng: random.Random
) -> tuple[bytes, list[list[bytes]]]:
    """Root and proofs of ``leaves`` placed in a perfect subtree (padded with random leaves)
    that sits under ``depth - height`` random siblings: each proof has exactly ``depth`` items."""
    height = max(1, (len(leaves) - 1).bit_length())
    level = leaves + [rng.randbytes(32) for _ in range(2**height - len(leaves))]
    proofs: list[list[bytes]] = [[] for _ in leaves]
    positions = list(range(len(leaves)))
    while len(level) > 1:
        for i, pos in enumerate(positions):
            proofs[i].append(level[pos ^ 1])
            positions[i] = pos // 2
        level = [_node(level[j], level[j + 1]) for j in range(0, len(level), 2)]
    node = level[0]
    for _ in range(depth - height):
        sibling = rng.randbytes(32)
        for proof in proofs:
            proof.append(sibling)
        node = _node(node, sibling)
    return node, proofs


def measure(project: Any, accounts: Any, chain: Any) -> dict[str, int]:
    """Deploys a fresh identity, points calendar, token, vault and baseline; returns gas used."""
    rng = random.Random(_SEED)
    people = accounts.test_accounts[:8]
    admin, distributor, guardian, funder, first, regular, newcomer, fresh = people
    genesis = week_start(chain.pending_timestamp)
    identity = admin.deploy(project.Identity, admin, admin)
    points = admin.deploy(project.ContributionPoints, identity, genesis, admin, admin, admin)
    token = admin.deploy(project.MockERC20, "Tether USD", "USDT", 6)
    vault = admin.deploy(
        project.PrizeVault, points, token, CHALLENGE, WINDOW_WEEKS, admin, distributor, guardian
    )
    gas: dict[str, int] = {}

    token.mint(funder, 10**15, sender=admin)
    token.approve(vault, 10**14, sender=funder)
    token.mint(newcomer, 1, sender=admin)
    pool = 1_000 * 10**6
    base = vault.currentEpoch()
    epochs = list(range(base, base + 6))
    vault.fund(epochs[0], pool, sender=funder)
    gas["vault_fund"] = vault.fund(epochs[1], pool, sender=funder).gas_used
    for epoch in epochs[2:]:
        vault.fund(epoch, pool, sender=funder)
    chain.pending_timestamp = vault.epochStart(epochs[-1] + 1)
    chain.mine()

    amount = 123_456_789
    claimants = [first.address, regular.address, newcomer.address, fresh.address]
    trees = {}
    for epoch in epochs:
        root, proofs = deep_tree([vault_leaf(a, amount) for a in claimants], DEPTH, rng)
        trees[epoch] = dict(zip(claimants, proofs, strict=True))
        receipt = vault.proposeRoot(epoch, root, pool, URI, keccak(root), sender=distributor)
        if epoch == epochs[1]:
            gas["vault_propose"] = receipt.gas_used
    chain.pending_timestamp = chain.blocks.head.timestamp + CHALLENGE
    chain.mine()

    def claim(epoch: int, account: Any) -> Any:
        proof = trees[epoch][account.address]
        return vault.claim(epoch, account, amount, proof, sender=account)

    # Week 0: both regulars claim, so they hold the token and their flag words are non-zero.
    claim(epochs[0], first)
    claim(epochs[0], regular)
    # Week 1: someone else claims first, then the measured claims.
    claim(epochs[1], first)
    gas["vault_claim_depth20"] = claim(epochs[1], regular).gas_used
    gas["vault_claim_depth20_first_claim"] = claim(epochs[1], newcomer).gas_used
    assert token.balanceOf(fresh) == 0, "the fresh winner must hold none of the token"
    gas["vault_claim_depth20_first_claim_fresh_winner"] = claim(epochs[1], fresh).gas_used
    # Weeks 2-5 in one transaction.
    many = epochs[2:]
    for epoch in many:
        claim(epoch, first)
    gas["vault_claim_many_4_epochs"] = vault.claimMany(
        many,
        regular,
        [amount] * len(many),
        [trees[e][regular.address] for e in many],
        sender=regular,
    ).gas_used

    root, proofs = deep_tree(
        [baseline_leaf(i, a, amount) for i, a in enumerate(claimants)], DEPTH, rng
    )
    baseline = admin.deploy(project.VaultBaselineDistributor, token, root)
    token.mint(baseline, 10 * amount, sender=admin)
    baseline.claim(0, first, amount, proofs[0], sender=first)
    gas["baseline_claim_depth20"] = baseline.claim(
        1, regular, amount, proofs[1], sender=regular
    ).gas_used
    return gas


def main() -> None:
    from ape import accounts, chain, networks, project

    with networks.parse_network_choice("ethereum:local:foundry"):
        for name, value in measure(project, accounts, chain).items():
            print(f"gas {name} {value}")


if __name__ == "__main__":
    main()
