"""The trading record on a real anvil: a creator's round trip is attested, submitted from their
wallet and mirrored by the indexer; the exported file verifies with ``planet record verify``
against the chain, and a tampered file, a record with a gap, or a revoked entry does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient

from planet.commands.main import main
from planet.core.epochs import EpochCalendar
from planet.core.trading_record import entry_uid
from planet.rewards.inputs import collect
from tests.support.api import sign_in

LOCAL_SCORING = Path(__file__).resolve().parents[2] / "config" / "scoring-local.yaml"


def verify(file: Path, rpc_url: str, manifest_file: Path, *extra: str) -> Any:
    return CliRunner(mix_stderr=False).invoke(
        main,
        ["record", "verify", str(file), "--rpc", rpc_url, "--manifest", str(manifest_file), *extra],
    )


def round_trip(
    client: TestClient, headers: dict[str, str], post_id: int, low: str, high: str
) -> None:
    for side, price in (("buy", low), ("sell", high)):
        client.app.state.exchange.set_price("BTC-USDT", price)
        reply = client.post(
            f"/posts/{post_id}/orders",
            json={"instrument": "BTC-USDT", "side": side, "type": "market", "size": "1"},
            headers=headers,
        )
        assert reply.status_code == 201, reply.text


def submit(planet, points, signed: dict[str, Any], sender) -> None:
    c = signed["contribution"]
    contribution = (
        c["account"],
        c["kind"],
        c["amount"],
        c["epoch"],
        bytes.fromhex(c["uid"][2:]),
        c["deadline"],
    )
    planet.send(
        points.functions.attest(contribution, bytes.fromhex(signed["signature"][2:])), sender
    )


def test_an_attested_record_verifies_against_the_chain_and_a_tampered_one_does_not(
    planet, manifest, manifest_file, rpc_url, indexed_app, tmp_path
):
    creator = planet.actors.users[5]
    planet.register(creator, "recorder")
    app, engine, indexer = indexed_app(
        planet,
        attester_private_key=planet.actors.attester.key.hex(),
        scoring_config=LOCAL_SCORING,
        attested_exchanges="paper",
        paper_prices={"BTC-USDT": "60000"},
    )
    points = planet.w3.eth.contract(
        address=manifest.contract("ContributionPoints").address,
        abi=manifest.contract("ContributionPoints").abi,
    )
    with TestClient(app) as client:
        headers = sign_in(client, creator)
        reply = client.post(
            "/posts",
            json={
                "body": "long BTC here",
                "instruments": ["BTC-USDT"],
                "disclosure": {"holds_position": True, "sponsored": False},
            },
            headers=headers,
        )
        pid = reply.json()["id"]
        round_trip(client, headers, pid, "60000", "63000")
        round_trip(client, headers, pid, "63000", "61000")
        round_trip(client, headers, pid, "61000", "64000")
        first, second, third = client.get("/profiles/recorder/trading-record").json()["entries"]
        assert [e["content"]["result"] for e in (first, second, third)] == ["3000", "-2000", "3000"]

        signed = client.post(
            "/attestations/trading-record", json={"uid": first["uid"]}, headers=headers
        )
        assert signed.status_code == 201, signed.text
        submit(planet, points, signed.json(), creator)
        indexer.catch_up()

        body = client.get("/profiles/recorder/trading-record").json()
        entry = body["entries"][0]
        assert (entry["status"], entry["account"]) == ("recorded", creator.address)
        assert entry["tx_hash"] and entry["tx_hash"].startswith("0x")
        # on chain the entry is one point of kind 6; the week's scoring inputs leave it out
        epoch = signed.json()["contribution"]["epoch"]
        assert points.functions.epochBalanceOf(creator.address, epoch).call() == 1
        with engine.connect() as conn:
            inputs = collect(
                conn,
                manifest.chain_id,
                EpochCalendar(manifest.genesis),
                epoch,
                trade_exchanges=("paper",),
            )
        assert all(i.points == 0 for i in inputs.accounts.values())

        exported = tmp_path / "recorder.json"
        exported.write_text(
            client.get("/profiles/recorder/trading-record", params={"format": "json"}).text
        )
        ok = verify(exported, rpc_url, manifest_file)
        assert ok.exit_code == 0, (ok.stdout, ok.stderr)
        assert "1 of 3 entries verified on chain; the last 2 not attested yet" in ok.stdout
        assert verify(exported, rpc_url, manifest_file, "--all").exit_code == 1

        # tampered: a losing trade shown as a win
        data = json.loads(exported.read_text())
        data["entries"][0]["content"]["result"] = "30000"
        tampered = tmp_path / "tampered.json"
        tampered.write_text(json.dumps(data))
        bad = verify(tampered, rpc_url, manifest_file)
        assert bad.exit_code == 1
        assert "the content was altered" in bad.stderr and "Traceback" not in bad.stderr
        # tampered with care: the uid recomputed; the chain does not know it
        data["entries"][0]["uid"] = entry_uid(data["entries"][0]["content"])
        tampered.write_text(json.dumps(data))
        bad = verify(tampered, rpc_url, manifest_file)
        assert bad.exit_code == 1 and "the chain has no" in bad.stderr
        # a losing trade left out: the next entry no longer links to the one before it
        data = json.loads(exported.read_text())
        del data["entries"][1]
        tampered.write_text(json.dumps(data))
        bad = verify(tampered, rpc_url, manifest_file)
        assert bad.exit_code == 1 and "prev_uid" in bad.stderr

        # the losing entry signed and never sent, the next one sent: a gap on chain
        client.post("/attestations/trading-record", json={"uid": second["uid"]}, headers=headers)
        later = client.post(
            "/attestations/trading-record", json={"uid": third["uid"]}, headers=headers
        )
        submit(planet, points, later.json(), creator)
        indexer.catch_up()
        exported.write_text(
            client.get("/profiles/recorder/trading-record", params={"format": "json"}).text
        )
        gap = verify(exported, rpc_url, manifest_file)
        assert (
            gap.exit_code == 1 and "entries 2 are not on chain while a later entry is" in gap.stderr
        )

        # the risk role revokes an entry: the record says so, and the file no longer verifies
        planet.send(
            points.functions.revoke(bytes.fromhex(first["uid"][2:]), "test"), planet.actors.risk
        )
        indexer.catch_up()
        statuses = [
            e["status"] for e in client.get("/profiles/recorder/trading-record").json()["entries"]
        ]
        assert statuses == ["revoked", "signed", "recorded"]

        wrong = verify(tmp_path / "missing.json", rpc_url, manifest_file)
        assert wrong.exit_code == 1 and "cannot read" in wrong.stderr
        (tmp_path / "junk.json").write_text("{not json")
        junk = verify(tmp_path / "junk.json", rpc_url, manifest_file)
        assert junk.exit_code == 1 and "not a JSON file" in junk.stderr
    app.state.engine.dispose()
