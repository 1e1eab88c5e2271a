"""Attackers that call back into CommunityPass while it pays or is paid.

The probes record the outcome of their re-entrant call instead of reverting, so each test
checks both that the reentrancy guard refused it and that the outer call settled exactly once.
State is final before any external call, so a callback that only reads sees the finished sale.
"""

import pytest
from ape.utils import ZERO_ADDRESS
from eth_abi import decode
from eth_utils import keccak

from tests.support.protocol import registration

PRICE = 10**15
GUARD = keccak(text="ReentrancyGuardReentrantCall()")[:4]


@pytest.fixture
def attacker(project, admin, bob):
    """A contract wallet holding 10 passes' worth of OKB to spend from its callbacks."""
    contract = admin.deploy(project.PassReentrantReceiver)
    bob.transfer(contract, 10 * PRICE)
    return contract


@pytest.fixture
def attacker_pass(attacker, identity, community_pass, terms, admin):
    """The attacker as a creator: it holds an identity and owns a pass of its own."""
    register = identity.register.encode_input(registration("attacker").as_tuple())
    attacker.execute(identity, register, 0, sender=admin)
    create = community_pass.createPass.encode_input(terms().as_tuple())
    attacker.execute(community_pass, create, 0, sender=admin)
    return community_pass.lastPassId()


def arm(probe, community_pass, method: str, *args, value: int = 0, sender):
    calldata = getattr(community_pass, method).encode_input(*args)
    probe.arm(community_pass, calldata, value, sender=sender)


def assert_guard_refused(probe):
    assert probe.probeCalls() == 1
    assert not probe.probeSucceeded()
    assert bytes(probe.probeResult()) == GUARD


@pytest.mark.parametrize("method", ["mint", "withdraw"])
def test_an_erc1155_receiver_hook_cannot_reenter(
    community_pass, create, buy, attacker, attacker_pass, method, bob
):
    pass_id = create()
    buy(bob, attacker_pass)  # the attacker now has proceeds it could try to take twice
    args = (pass_id, attacker, 1, PRICE) if method == "mint" else (ZERO_ADDRESS,)
    arm(attacker, community_pass, method, *args, value=PRICE if method == "mint" else 0, sender=bob)

    buy(bob, pass_id, 1, to=attacker)

    assert_guard_refused(attacker)
    assert community_pass.balanceOf(attacker, pass_id) == 1
    assert community_pass.passes(pass_id).minted == 1
    assert community_pass.proceeds(attacker, ZERO_ADDRESS) == PRICE * 95 // 100


def test_an_erc1155_receiver_hook_sees_the_mint_already_recorded(
    community_pass, create, buy, attacker, bob
):
    pass_id = create()
    arm(attacker, community_pass, "hasAccess", attacker, pass_id, sender=bob)
    buy(bob, pass_id, 1, to=attacker)
    assert attacker.probeSucceeded()
    assert decode(["bool"], bytes(attacker.probeResult())) == (True,)


@pytest.mark.parametrize("method", ["withdraw", "mint"])
def test_a_native_receive_cannot_reenter_during_withdrawal(
    community_pass, buy, attacker, attacker_pass, method, bob, admin
):
    buy(bob, attacker_pass, 2)
    share = 2 * PRICE * 95 // 100
    args = (ZERO_ADDRESS,) if method == "withdraw" else (attacker_pass, attacker, 1, PRICE)
    arm(
        attacker,
        community_pass,
        method,
        *args,
        value=0 if method == "withdraw" else PRICE,
        sender=bob,
    )
    before = attacker.balance

    withdraw = community_pass.withdraw.encode_input(ZERO_ADDRESS)
    attacker.execute(community_pass, withdraw, 0, sender=admin)

    assert_guard_refused(attacker)
    assert attacker.balance == before + share
    assert community_pass.proceeds(attacker, ZERO_ADDRESS) == 0
    assert community_pass.balance == 2 * PRICE - share


def test_an_erc20_cannot_reenter_mint_while_paying(
    community_pass, create, terms, buy, reentrant_token, bob, carol
):
    pass_id = create(terms(currency=reentrant_token.address, price=100))
    arm(reentrant_token, community_pass, "mint", pass_id, carol, 1, 100, sender=bob)

    buy(bob, pass_id, 1, token=reentrant_token)

    assert_guard_refused(reentrant_token)
    assert community_pass.balanceOf(bob, pass_id) == 1
    assert community_pass.balanceOf(carol, pass_id) == 0
    assert reentrant_token.balanceOf(community_pass) == 100


def test_an_erc20_sees_the_sale_recorded_before_it_is_paid(
    community_pass, create, terms, buy, reentrant_token, creator, bob
):
    pass_id = create(terms(currency=reentrant_token.address, price=100))
    arm(reentrant_token, community_pass, "proceeds", creator, reentrant_token, sender=bob)
    buy(bob, pass_id, 1, token=reentrant_token)
    assert reentrant_token.probeSucceeded()
    assert decode(["uint256"], bytes(reentrant_token.probeResult())) == (95,)


def test_an_erc20_cannot_reenter_withdraw_while_paying_out(
    community_pass, create, terms, buy, reentrant_token, creator, bob
):
    pass_id = create(terms(currency=reentrant_token.address, price=100))
    buy(bob, pass_id, 1, token=reentrant_token)
    arm(reentrant_token, community_pass, "withdraw", reentrant_token, sender=bob)

    community_pass.withdraw(reentrant_token, sender=creator)

    assert_guard_refused(reentrant_token)
    assert reentrant_token.balanceOf(creator) == 95
    assert reentrant_token.balanceOf(community_pass) == 5
