"""``planet record`` against a real anvil and the API served over HTTP: the creator attests the
entries of their trading record from the command line, in order, and the exported record then
verifies; bad input is one ``Error:`` line and exit 1."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

from api.app import create_app
from api.settings import ApiSettings
from planet.commands.main import main
from planet.store import OFFCHAIN, migrate
from tests.commands.test_wallet_journeys import signed_in
from tests.support.api import SECRET
from tests.support.ports import free_port
from tests.support.servers import serving


def planet_cli(*args: str, env: dict[str, str]) -> Any:
    return CliRunner(mix_stderr=False).invoke(main, list(args), env=env)


def test_a_creator_attests_entries_with_the_planet_command_and_the_record_verifies(
    planet, manifest_file, rpc_url, database_url, settings_for, make_indexer, tmp_path
):
    creator = planet.actors.users[4]
    planet.register(creator, "cli_trader")
    indexer, engine = make_indexer(settings_for(database_url))
    indexer.catch_up()
    migrate(engine, OFFCHAIN)
    port = free_port()
    settings = ApiSettings(
        database_url=database_url,
        chain_id=planet.chain_id,
        siwe_domain=f"127.0.0.1:{port}",
        session_secret=SECRET,
        manifest=manifest_file,
        attester_private_key=bytes(planet.actors.attester.key).hex(),
        scoring_config=Path("config/scoring-local.yaml"),
        attested_exchanges="paper",
        paper_prices={"BTC-USDT": "100"},
    )
    app = create_app(
        settings, clock=lambda: max(time.time(), planet.w3.eth.get_block("latest")["timestamp"])
    )
    env = {
        "PLANET_RPC_URL": rpc_url,
        "PLANET_MANIFEST": str(manifest_file),
        "PLANET_PRIVATE_KEY": "0x" + bytes(creator.key).hex(),
    }
    with serving(app, port) as url:
        env["PLANET_API_URL"] = url
        # the creator's trades, placed as the web app would
        with signed_in(url, creator) as client:
            post = client.post(
                "/posts",
                json={
                    "body": "BTC, I hold it",
                    "instruments": ["BTC-USDT"],
                    "disclosure": {"holds_position": True, "sponsored": False},
                },
            ).json()["id"]
            for side, price in (("buy", "100"), ("sell", "90"), ("buy", "90"), ("sell", "95")):
                app.state.exchange.set_price("BTC-USDT", price)
                order = {"instrument": "BTC-USDT", "side": side, "type": "market", "size": "2"}
                assert client.post(f"/posts/{post}/orders", json=order).status_code == 201

        early = planet_cli("record", "attest", "2", "--yes", env=env)
        assert early.exit_code == 1 and "record_out_of_order" in early.stderr
        missing = planet_cli("record", "attest", "3", "--yes", env=env)
        assert missing.exit_code == 1 and "has 2 entries, no entry 3" in missing.stderr
        for seq in ("1", "2"):
            done = planet_cli("record", "attest", seq, "--yes", "--json", env=env)
            assert done.exit_code == 0, (done.stdout, done.stderr)
        indexer.catch_up()
        again = planet_cli("record", "attest", "1", "--yes", env=env)
        assert again.exit_code == 1 and "already recorded on chain" in again.stderr

        file = tmp_path / "cli_trader.json"
        file.write_text(
            httpx.get(f"{url}/profiles/cli_trader/trading-record", params={"format": "json"}).text
        )
        checked = planet_cli("record", "verify", str(file), "--all", env=env)
        assert checked.exit_code == 0, (checked.stdout, checked.stderr)
        assert "2 of 2 entries verified on chain" in checked.stdout
        assert "result -20" in checked.stdout and "result 10" in checked.stdout

        other_chain = file.read_text().replace('"chain_id": 31337', '"chain_id": 196', 1)
        (tmp_path / "other.json").write_text(other_chain)
        wrong = planet_cli("record", "verify", str(tmp_path / "other.json"), env=env)
        assert wrong.exit_code == 1 and "record of chain 196" in wrong.stderr
