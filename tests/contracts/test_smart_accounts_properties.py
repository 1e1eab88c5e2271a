"""Properties of smart-contract wallet signatures on anvil: a multisig's signature verifies
exactly when at least its threshold of distinct owners signed, in address order (so below the
threshold it never does, however the signatures are arranged), and a relayed registration
signed by a multisig for a nonce it has used always reverts."""

from __future__ import annotations

from itertools import pairwise

import ape
import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.profiles import examples
from tests.support.protocol import registration
from tests.support.smart_accounts import deploy_multisig, owner_keys, owners_sign

MAGIC = bytes.fromhex("1626ba7e")
ZERO = "0x" + "00" * 20
OWNERS, THRESHOLD = 4, 3
FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.fixture
def wallet(project, admin):
    return deploy_multisig(project, admin, "property wallet", OWNERS, THRESHOLD)


@pytest.mark.slow
def test_a_signature_verifies_exactly_when_threshold_distinct_owners_signed_in_order(wallet):
    strangers = owner_keys("property stranger", 2)
    keys = wallet.owners + strangers

    @settings(max_examples=examples(60), suppress_health_check=FIXTURES)
    @given(
        picks=st.lists(st.integers(0, len(keys) - 1), max_size=OWNERS + 2),
        message=st.binary(min_size=1, max_size=40),
    )
    def check(picks, message):
        digest = keccak(message)
        chosen = [keys[i] for i in picks]
        signature = owners_sign(digest, chosen, order=False)
        addresses = [int(k.address, 16) for k in chosen]
        expected = (
            len(chosen) >= THRESHOLD
            and all(k in wallet.owners for k in chosen)
            and all(a < b for a, b in pairwise(addresses))
        )
        verdict = bytes(wallet.contract.isValidSignature(digest, signature)) == MAGIC
        assert verdict == expected
        if len({k.address for k in chosen if k in wallet.owners}) < THRESHOLD:
            assert not verdict  # below the threshold: never, whatever the arrangement

    check()


@pytest.mark.slow
def test_a_registration_signed_for_a_used_nonce_always_reverts(identity, wallet, bob, chain):
    @settings(max_examples=examples(12), suppress_health_check=FIXTURES)
    @given(used=st.integers(1, 3), replayed=st.data())
    def check(used, replayed):
        snapshot = chain.snapshot()
        try:
            reg = registration("replayed")
            deadline = chain.pending_timestamp + 3600
            signed = {
                n: wallet.sign(
                    bytes(
                        identity.registerDigest(wallet.address, reg.as_tuple(), ZERO, n, deadline)
                    )
                )
                for n in range(used + 1)
            }
            for _ in range(used):
                wallet.execute(identity, "invalidateNonce", sender=bob)
            stale = replayed.draw(st.integers(0, used - 1), label="stale nonce")
            with ape.reverts(identity.IdentityInvalidSignature, owner=wallet.address):
                identity.registerFor(
                    wallet.address, reg.as_tuple(), deadline, signed[stale], sender=bob
                )
            identity.registerFor(wallet.address, reg.as_tuple(), deadline, signed[used], sender=bob)
            with ape.reverts(identity.IdentityInvalidSignature, owner=wallet.address):
                identity.registerFor(
                    wallet.address, reg.as_tuple(), deadline, signed[used], sender=bob
                )
        finally:
            chain.restore(snapshot)

    check()
