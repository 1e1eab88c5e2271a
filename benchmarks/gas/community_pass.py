"""Gas of the community pass paths: create, mint (native and ERC-20), renew, withdraw.

Each figure is one whole transaction in the steady state a live pass is in: the pass has sold
before (creator and treasury balances are already non-zero) and the buyer's ERC-20 balance and
allowance exist, so the numbers are what a typical fan or creator pays, not first-ever writes.
"""

from __future__ import annotations

from typing import Any

from eth_utils import keccak

from planet.core.epochs import week_start
from planet.core.passes import NATIVE, PassTerms

FEE_BPS = 500
PRICE = 10**15
USDT = 10**6
MONTH = 30 * 24 * 60 * 60
URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/pass.json"


def _register(identity: Any, account: Any, handle: str) -> None:
    uri = f"ipfs://bafy-persona-{handle}"
    identity.register((handle, uri, keccak(text=uri), NATIVE), sender=account)


def measure(project: Any, accounts: Any, chain: Any) -> dict[str, int]:
    admin, treasury, creator, fan, other = accounts.test_accounts[:5]
    identity = admin.deploy(project.Identity, admin, admin)
    points = admin.deploy(
        project.ContributionPoints,
        identity,
        week_start(chain.pending_timestamp),
        admin,
        admin,
        admin,
    )
    passes = admin.deploy(project.CommunityPass, identity, points, admin, treasury, FEE_BPS)
    usdt = admin.deploy(project.MockERC20, "Tether USD", "USDT", 6)
    _register(identity, creator, "creator_1")
    gas: dict[str, int] = {}

    lifetime = PassTerms(NATIVE, PRICE, 1_000, 5, uri=URI)
    gas["pass_create"] = passes.createPass(lifetime.as_tuple(), sender=creator).gas_used
    native_id = passes.lastPassId()
    passes.mint(native_id, other, 1, PRICE, sender=other, value=PRICE)
    gas["pass_mint_native"] = passes.mint(
        native_id, fan, 1, PRICE, sender=fan, value=PRICE
    ).gas_used

    passes.createPass(
        PassTerms(usdt.address, 25 * USDT, 1_000, 5, uri=URI).as_tuple(), sender=creator
    )
    erc20_id = passes.lastPassId()
    for buyer in (other, fan):
        usdt.mint(buyer, 100 * USDT, sender=buyer)
        usdt.approve(passes, 100 * USDT, sender=buyer)
    passes.mint(erc20_id, other, 1, 25 * USDT, sender=other)
    gas["pass_mint_erc20"] = passes.mint(erc20_id, fan, 1, 25 * USDT, sender=fan).gas_used

    monthly = PassTerms(NATIVE, PRICE, 1_000, 1, duration=MONTH, uri=URI)
    passes.createPass(monthly.as_tuple(), sender=creator)
    subscription_id = passes.lastPassId()
    passes.mint(subscription_id, fan, 1, PRICE, sender=fan, value=PRICE)
    gas["pass_renew"] = passes.renew(
        subscription_id, fan, 1, PRICE, sender=fan, value=PRICE
    ).gas_used

    gas["pass_withdraw"] = passes.withdraw(NATIVE, sender=creator).gas_used
    return gas
