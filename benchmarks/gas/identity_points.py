"""Gas of the onboarding and contribution paths: register, relayed register, attest, batch."""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_utils import keccak

from planet.core.epochs import week_start
from planet.core.typed_data import (
    Contribution,
    Registration,
    new_uid,
    sign_contribution,
    sign_registration,
)

BATCH = 20
ZERO = "0x" + "00" * 20


def _registration(handle: str) -> Registration:
    uri = f"ipfs://bafy-persona-{handle}"
    return Registration(handle, uri, keccak(text=uri), ZERO)


def measure(project: Any, accounts: Any, chain: Any) -> dict[str, int]:
    admin, relayer, *users = accounts.test_accounts[:10]
    attester = Account.from_key(admin.private_key)
    identity = admin.deploy(project.Identity, admin, admin)
    points = admin.deploy(
        project.ContributionPoints,
        identity,
        week_start(chain.blocks.head.timestamp),
        admin,
        admin,
        admin,
    )
    gas: dict[str, int] = {}

    # register from the user's own wallet (a 9-character handle, typical of real ones)
    gas["identity_register"] = identity.register(
        _registration("satoshi_1").as_tuple(), sender=users[0]
    ).gas_used

    # relayed: the user signs, a relayer pays
    owner = users[1]
    deadline = chain.pending_timestamp + 3600
    reg = _registration("satoshi_2")
    sig = sign_registration(
        Account.from_key(owner.private_key), reg, 0, deadline, chain.chain_id, identity.address
    )
    gas["identity_register_relayed"] = identity.registerFor(
        owner, reg.as_tuple(), deadline, sig, sender=relayer
    ).gas_used

    for i, user in enumerate(users[2:], start=3):
        identity.register(_registration(f"satoshi_{i}").as_tuple(), sender=user)

    epoch = points.currentEpoch()
    counter = iter(range(10**6))

    def signed(account: Any) -> tuple[tuple, bytes]:
        c = Contribution(account.address, 0, 10, epoch, new_uid("gas", next(counter)), deadline)
        return c.as_tuple(), sign_contribution(attester, c, chain.chain_id, points.address)

    # an account's first points (fresh balance slots), then a later attestation
    gas["points_attest_first"] = points.attest(*signed(users[0]), sender=users[0]).gas_used
    gas["points_attest"] = points.attest(*signed(users[0]), sender=users[0]).gas_used

    items = [signed(users[i % len(users)]) for i in range(BATCH)]
    receipt = points.attestBatch([c for c, _ in items], [s for _, s in items], sender=admin)
    gas["points_batch_per_item"] = receipt.gas_used // BATCH
    return gas
