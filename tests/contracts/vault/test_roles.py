"""Delayed role changes on the fund paths: one admin key can no longer remove the guardian,
make itself distributor and guardian, veto a legitimate root and pay itself, all at once.
Granting DISTRIBUTOR or GUARDIAN and revoking GUARDIAN wait ROLE_DELAY (longer than the
challenge period), announced on chain, while the old guardian keeps its veto."""

import ape
import pytest

from .conftest import CHALLENGE, DAY, USDT


@pytest.fixture
def roles(vault):
    return vault.DISTRIBUTOR_ROLE(), vault.GUARDIAN_ROLE()


def test_the_admin_cannot_take_the_fund_roles_at_once(vault, roles, admin, guardian):
    """Finding: the admin revoked the guardian and granted itself both roles in three calls."""
    guardian_role = roles[1]
    with ape.reverts(
        vault.VaultRoleChangeDelayed, role=guardian_role, account=guardian, grant=False
    ):
        vault.revokeRole(guardian_role, guardian, sender=admin)
    for role in roles:
        with ape.reverts(vault.VaultRoleChangeDelayed, role=role, account=admin, grant=True):
            vault.grantRole(role, admin, sender=admin)
    assert vault.ROLE_DELAY() == CHALLENGE + 2 * DAY > vault.CHALLENGE_PERIOD()


def test_a_legitimate_root_outlives_a_scheduled_takeover(
    usdt_vault, vault, roles, admin, guardian, alice
):
    """The replay of the finding with the delay: the admin schedules the takeover right after
    a root is proposed; the root becomes final before the new roles take effect, and alice is
    paid. Meanwhile the old guardian still vetoes whatever the new distributor would propose."""
    distributor_role, guardian_role = roles
    epoch = usdt_vault.epoch
    usdt_vault.fund(epoch, 80 * USDT)
    usdt_vault.end_epoch(epoch)
    tree = usdt_vault.propose(epoch, {alice: 80 * USDT})
    receipts = [
        vault.scheduleRoleChange(guardian_role, guardian, False, sender=admin),
        vault.scheduleRoleChange(guardian_role, admin, True, sender=admin),
        vault.scheduleRoleChange(distributor_role, admin, True, sender=admin),
    ]
    [event] = receipts[0].events.filter(vault.RoleChangeScheduled)
    assert (event.role, event.account, event.grant, event.admin) == (
        guardian_role,
        guardian,
        False,
        admin,
    )
    executable_at = event.executableAt
    assert executable_at == vault.roleChangeExecutableAt(guardian_role, guardian, False)
    with ape.reverts(
        vault.VaultRoleChangeNotReady,
        role=guardian_role,
        account=guardian,
        executableAt=executable_at,
    ):
        vault.executeRoleChange(guardian_role, guardian, False, sender=admin)
    with ape.reverts(vault.AccessControlUnauthorizedAccount, account=admin):
        vault.veto(epoch, "not ours", sender=admin)
    usdt_vault.travel_to(executable_at)
    for role, account, grant in (
        (guardian_role, guardian, False),
        (guardian_role, admin, True),
        (distributor_role, admin, True),
    ):
        vault.executeRoleChange(role, account, grant, sender=alice)
    assert vault.hasRole(guardian_role, admin) and not vault.hasRole(guardian_role, guardian)
    with ape.reverts(vault.VaultChallengePeriodOver):
        vault.veto(epoch, "too late", sender=admin)
    usdt_vault.claim(epoch, tree, alice)
    assert usdt_vault.balance(alice) == 80 * USDT


def test_scheduled_changes_can_be_cancelled_and_only_delayed_ones_scheduled(
    vault, roles, admin, bob
):
    distributor_role, guardian_role = roles
    vault.scheduleRoleChange(distributor_role, bob, True, sender=admin)
    with ape.reverts(vault.VaultRoleChangePending, role=distributor_role, account=bob, grant=True):
        vault.scheduleRoleChange(distributor_role, bob, True, sender=admin)
    with ape.reverts(vault.AccessControlUnauthorizedAccount, account=bob):
        vault.cancelRoleChange(distributor_role, bob, True, sender=bob)
    receipt = vault.cancelRoleChange(distributor_role, bob, True, sender=admin)
    assert receipt.events.filter(vault.RoleChangeCancelled)[0].account == bob
    assert vault.roleChangeExecutableAt(distributor_role, bob, True) == 0
    with ape.reverts(vault.VaultNoRoleChange, role=distributor_role, account=bob, grant=True):
        vault.executeRoleChange(distributor_role, bob, True, sender=bob)
    with ape.reverts(vault.VaultRoleChangeNotDelayed, role=distributor_role, grant=False):
        vault.scheduleRoleChange(distributor_role, bob, False, sender=admin)
    with ape.reverts(vault.AccessControlUnauthorizedAccount, account=bob):
        vault.scheduleRoleChange(guardian_role, bob, True, sender=bob)


def test_a_distributor_is_revoked_at_once(vault, roles, admin, distributor):
    vault.revokeRole(roles[0], distributor, sender=admin)
    assert not vault.hasRole(roles[0], distributor)


def test_the_admin_moves_only_after_the_delay_which_cannot_drop_below_the_role_delay(
    usdt_vault, vault, admin, bob
):
    assert vault.defaultAdminDelay() == vault.ROLE_DELAY()
    with ape.reverts(vault.VaultRoleDelayTooShort):
        vault.changeDefaultAdminDelay(vault.ROLE_DELAY() - 1, sender=admin)
    with ape.reverts(vault.AccessControlEnforcedDefaultAdminRules):
        vault.grantRole(vault.DEFAULT_ADMIN_ROLE(), bob, sender=admin)
    vault.beginDefaultAdminTransfer(bob, sender=admin)
    with ape.reverts(vault.AccessControlEnforcedDefaultAdminDelay):
        vault.acceptDefaultAdminTransfer(sender=bob)
    usdt_vault.travel(vault.ROLE_DELAY() + 1)
    vault.acceptDefaultAdminTransfer(sender=bob)
    assert vault.defaultAdmin() == bob
