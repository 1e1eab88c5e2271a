"""The whole path for a smart-contract wallet, on a real anvil: a 2-of-3 multisig registers
its identity by signature through a relayer (ERC-1271), signs in to the API, and receives an
attestation signed by an attester that is itself a multisig (ERC-1271), which it submits from
the wallet; the indexer mirrors both and the API shows the identity and its points."""

from __future__ import annotations

from pathlib import Path

from eth_account.messages import defunct_hash_message
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.settings import ApiSettings
from planet.core.typed_data import KIND_POST, Contribution, new_uid
from planet.store import OFFCHAIN, migrate
from planet.store.mirror import attestations, identities
from tests.support.api import SECRET, siwe_text
from tests.support.protocol import registration
from tests.support.smart_accounts import contract_attestation, deploy_multisig

LOCAL_SCORING = Path(__file__).resolve().parents[2] / "config" / "scoring-local.yaml"
ZERO = "0x" + "00" * 20


def test_a_multisig_registers_signs_in_and_receives_a_multisig_attestation(
    project,
    accounts,
    planet,
    manifest,
    manifest_file,
    database_url,
    rpc_url,
    settings_for,
    make_indexer,
):
    admin, relayer = accounts[0], accounts[5]
    identity = project.Identity.at(manifest.contract("Identity").address)
    points = project.ContributionPoints.at(manifest.contract("ContributionPoints").address)
    member = deploy_multisig(project, admin, "member wallet")
    desk = deploy_multisig(project, admin, "attester desk")
    points.grantRole(points.ATTESTER_ROLE(), desk.address, sender=admin)

    # registers by signature: the owners sign the digest, anyone relays
    reg = registration("multisig_member")
    deadline = planet.w3.eth.get_block("latest").timestamp + 3600
    digest = identity.registerDigest(member.address, reg.as_tuple(), ZERO, 0, deadline)
    identity.registerFor(
        member.address, reg.as_tuple(), deadline, member.sign(bytes(digest)), sender=relayer
    )

    indexer, engine = make_indexer(settings_for(database_url))
    indexer.catch_up()
    migrate(engine, OFFCHAIN)
    with engine.connect() as conn:
        row = conn.execute(select(identities).where(identities.c.handle == "multisig_member")).one()
    assert (row.owner, row.relayer) == (member.address.lower(), relayer.address.lower())

    settings = ApiSettings(
        database_url=database_url,
        chain_id=manifest.chain_id,
        siwe_domain="planet.test",
        session_secret=SECRET,
        manifest=manifest_file,
        rpc_url=rpc_url,
        scoring_config=LOCAL_SCORING,
    )
    app = create_app(settings, clock=lambda: planet.w3.eth.get_block("latest").timestamp)
    with TestClient(app) as client:
        # signs in through ERC-1271
        nonce = client.post("/auth/nonce").json()["nonce"]
        text = siwe_text(member.address, nonce, int(app.state.clock()))
        signature = member.sign(bytes(defunct_hash_message(text=text)))
        reply = client.post(
            "/auth/verify", json={"message": text, "signature": "0x" + signature.hex()}
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["address"] == member.address.lower()

        # receives an attestation the attester multisig signed, submitted from the wallet
        c = Contribution(
            account=member.address,
            kind=KIND_POST,
            amount=5,
            epoch=points.currentEpoch(),
            uid=new_uid("smart wallet", member.address),
            deadline=deadline,
        )
        inner = desk.sign(bytes(points.contributionDigest(c.as_tuple())))
        member.execute(
            points,
            "attest",
            c.as_tuple(),
            contract_attestation(desk.address, inner),
            sender=relayer,
        )
        assert points.balanceOf(member.address) == 5

        indexer.catch_up()
        with engine.connect() as conn:
            mirrored = conn.execute(
                select(attestations).where(attestations.c.account == member.address.lower())
            ).one()
        assert (mirrored.attester, mirrored.submitter, int(mirrored.amount)) == (
            desk.address.lower(),
            member.address.lower(),
            5,
        )
        profile = client.get("/profiles/multisig_member").json()
        assert profile["points"]["total"] == 5
    app.state.engine.dispose()
