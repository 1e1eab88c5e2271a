"""``planet claim`` on anvil, against the API served over HTTP by uvicorn from the real
indexer's mirror: claimMany of every epoch from a key file, a single claim from a keystore,
nothing left the second time (the chain knows before the indexer), a claim paid to another
address, local files checked against the chain, and every failure as one ``Error:`` line."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import uvicorn
from click.testing import CliRunner
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector

from planet.commands.main import main
from tests.api.rewards_world import EPOCHS, World, build_world
from tests.support.ports import free_port

CLAIM_MANY = function_signature_to_4byte_selector(
    "claimMany(uint256[],address,uint256[],bytes32[][])"
)
CLAIM = function_signature_to_4byte_selector("claim(uint256,address,uint256,bytes32[])")


@pytest.fixture
def world(planet, tmp_path, database_url, settings_for, make_indexer, manifest_file) -> World:
    return build_world(
        planet, tmp_path / "dists", database_url, settings_for, make_indexer, manifest_file
    )


@pytest.fixture
def api_url(world) -> Iterator[str]:
    """The API app served by uvicorn on a free port, for the duration of the test."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(world.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def key_file(tmp_path, user) -> str:
    path = tmp_path / f"{user.address}.key"
    path.write_text("0x" + bytes(user.key).hex() + "\n")
    return str(path)


def run(world: World, *args: str, api: str | None = None, input: str | None = None):
    source = ["--api", api] if api else []
    base = ["claim", *args, *source, "--rpc", world.w3.provider.endpoint_uri]
    manifest_args = ["--manifest", str(world.settings.manifest)]
    return CliRunner().invoke(main, [*base, *manifest_args], input=input)


def sent_tx(world: World, output: str) -> dict:
    """The transaction and receipt of the hash ``planet claim`` printed."""
    match = re.search(r"Sent (0x[0-9a-f]{64})", output)
    assert match, output
    tx = world.w3.eth.get_transaction(match.group(1))
    receipt = world.w3.eth.get_transaction_receipt(match.group(1))
    return {"tx": tx, "fee": receipt["gasUsed"] * receipt["effectiveGasPrice"]}


def test_key_file_claims_every_epoch_with_claim_many_then_nothing(world, api_url, tmp_path):
    alice = world.planet.actors.users[0]
    total = sum(world.amount(e, alice) for e in EPOCHS)
    before = world.w3.eth.get_balance(alice.address)

    result = run(world, "--key-file", key_file(tmp_path, alice), "--yes", api=api_url)
    assert result.exit_code == 0, result.output
    for epoch in EPOCHS:
        assert re.search(rf"^\s+{epoch}\s+{world.amount(epoch, alice)} ", result.output, re.M)
        assert world.vault.functions.isClaimed(epoch, alice.address).call()
    assert re.search(rf"^\s+total\s+{total} ", result.output, re.M)
    assert "Estimated gas" in result.output
    sent = sent_tx(world, result.output)
    assert bytes(sent["tx"]["input"])[:4] == CLAIM_MANY
    assert world.w3.eth.get_balance(alice.address) - before == total - sent["fee"]

    # the API has not indexed the claim yet; the chain says it is done
    again = run(world, "--key-file", key_file(tmp_path, alice), "--yes", api=api_url)
    assert again.exit_code == 0, again.output
    assert f"Nothing to claim for {alice.address}." in again.output
    assert "already claimed on chain" in again.output
    world.indexer.catch_up()
    third = run(world, "--key-file", key_file(tmp_path, alice), "--yes", api=api_url)
    assert third.exit_code == 0 and "Nothing to claim" in third.output
    assert "already claimed" not in third.output


def test_keystore_claims_the_one_epoch_left(world, api_url, tmp_path):
    bob = world.planet.actors.users[1]
    world.planet.trees[0] = world.tree(0)
    world.planet.claim(0, bob.address, world.planet.actors.users[5])  # epoch 0 paid already
    keystore = tmp_path / "bob.json"
    keystore.write_text(json.dumps(Account.encrypt(bob.key, "correct horse")))
    password = tmp_path / "password"
    password.write_text("correct horse\n")
    before = world.w3.eth.get_balance(bob.address)

    wrong = tmp_path / "wrong"
    wrong.write_text("battery staple\n")
    refused = run(
        world, "--keystore", str(keystore), "--password-file", str(wrong), "--yes", api=api_url
    )
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines()[-1].startswith("Error: cannot decrypt")

    declined = run(world, "--keystore", str(keystore), api=api_url, input="correct horse\nn\n")
    assert declined.exit_code == 1 and "Not sent." in declined.output
    assert not world.vault.functions.isClaimed(1, bob.address).call()

    result = run(
        world, "--keystore", str(keystore), "--password-file", str(password), "--yes", api=api_url
    )
    assert result.exit_code == 0, result.output
    assert "epoch 0: already claimed on chain" in result.output
    sent = sent_tx(world, result.output)
    assert bytes(sent["tx"]["input"])[:4] == CLAIM
    assert world.w3.eth.get_balance(bob.address) - before == world.amount(1, bob) - sent["fee"]


def test_a_wallet_claims_for_another_address_which_gets_exactly_its_allocations(
    world, api_url, tmp_path
):
    payer = world.planet.actors.users[5]
    users = {u.address for u in world.planet.actors.users}
    stranger = next(a for a in world.amounts(0) if a not in users)
    before = world.w3.eth.get_balance(stranger)
    key = key_file(tmp_path, payer)
    result = run(world, stranger.lower(), "--key-file", key, "--yes", api=api_url)
    assert result.exit_code == 0, result.output
    expected = sum(world.amounts(e)[stranger] for e in EPOCHS)
    assert world.w3.eth.get_balance(stranger) - before == expected  # the payer paid the gas


class _LyingApi(BaseHTTPRequestHandler):
    """Answers every claimable request with another account's items."""

    body = b""

    def do_GET(self) -> None:  # http.server calls it by this name
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def test_another_accounts_allocation_is_refused_by_the_vault(world, tmp_path):
    alice, bob = world.planet.actors.users[:2]
    tree = world.tree(1)
    items = [
        {
            "epoch": 1,
            "amount": str(world.amount(1, bob)),
            "proof": ["0x" + p.hex() for p in tree.proof(bob.address)],
        }
    ]
    _LyingApi.body = json.dumps(
        {"chain_id": world.planet.chain_id, "vault": None, "account": alice.address, "items": items}
    ).encode()
    server = HTTPServer(("127.0.0.1", 0), _LyingApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        before = world.w3.eth.get_balance(alice.address)
        url = f"http://127.0.0.1:{server.server_port}"
        result = run(world, "--key-file", key_file(tmp_path, alice), "--yes", api=url)
    finally:
        server.shutdown()
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: the vault rejects the claim: VaultInvalidProof(epoch=1, ")
    assert f"account={alice.address}" in last and f"amount={world.amount(1, bob)})" in last
    assert "Traceback" not in result.output
    assert world.w3.eth.get_balance(alice.address) == before


def test_local_files_are_checked_against_the_chain(world, tmp_path):
    carol = world.planet.actors.users[2]
    path = world.path(1)
    path.write_bytes(path.read_bytes().replace(b'"planet-weekly"', b'"planet-weekly2"'))
    before = world.w3.eth.get_balance(carol.address)
    result = CliRunner().invoke(main, [
        "claim", "--distributions-dir", str(world.dists_dir), "--key-file",
        key_file(tmp_path, carol), "--yes", "--rpc", world.w3.provider.endpoint_uri,
        "--manifest", str(world.settings.manifest),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "epoch 1 skipped" in result.output
    sent = sent_tx(world, result.output)
    assert bytes(sent["tx"]["input"])[:4] == CLAIM
    assert world.w3.eth.get_balance(carol.address) - before == world.amount(0, carol) - sent["fee"]
    assert not world.vault.functions.isClaimed(1, carol.address).call()


def test_failures_are_one_error_line(world, api_url, tmp_path):
    alice = world.planet.actors.users[0]
    key = key_file(tmp_path, alice)
    other_chain = json.loads(world.settings.manifest.read_text()) | {"chain_id": 196}
    (tmp_path / "196.json").write_text(json.dumps(other_chain))
    cases = {
        "cannot reach the RPC": ["claim", "--api", api_url, "--key-file", key, "--rpc",
                                 "http://127.0.0.1:9"],
        "wrong chain": ["claim", "--api", api_url, "--key-file", key, "--rpc",
                        world.w3.provider.endpoint_uri, "--manifest", str(tmp_path / "196.json")],
        "cannot reach the API": ["claim", "--api", "http://127.0.0.1:9", "--key-file", key,
                                 "--rpc", world.w3.provider.endpoint_uri,
                                 "--manifest", str(world.settings.manifest)],
        "exactly one wallet": ["claim", "--api", api_url, "--rpc", world.w3.provider.endpoint_uri,
                               "--manifest", str(world.settings.manifest)],
        "is not an address": ["claim", "0x1234", "--api", api_url, "--key-file", key,
                              "--rpc", world.w3.provider.endpoint_uri],
        "no such key file": ["claim", "--api", api_url, "--key-file", str(tmp_path / "none"),
                             "--rpc", world.w3.provider.endpoint_uri,
                             "--manifest", str(world.settings.manifest)],
    }  # fmt: skip
    for expected, args in cases.items():
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, (expected, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0], (
            expected,
            result.output,
        )
    assert not world.vault.functions.isClaimed(0, alice.address).call()


def test_ape_account_claims(world, api_url, tmp_path, monkeypatch):
    """An ape keyfile account (ape's own keystore folder, here a temporary one); ape reads the
    passphrase from APE_ACCOUNTS_<alias>_PASSPHRASE instead of prompting."""
    import ape

    carol = world.planet.actors.users[2]
    monkeypatch.setattr(ape.config, "DATA_FOLDER", tmp_path / "ape")
    folder = tmp_path / "ape" / "accounts"
    folder.mkdir(parents=True)
    # The keyfile container caches its folder once anything in the run touched it.
    container = ape.accounts.containers["accounts"]
    monkeypatch.setitem(container.__dict__, "data_folder", folder)
    (folder / "carol-test.json").write_text(json.dumps(Account.encrypt(carol.key, "ape pass")))
    monkeypatch.setenv("APE_ACCOUNTS_carol-test_PASSPHRASE", "ape pass")
    before = world.w3.eth.get_balance(carol.address)

    result = run(world, "--account", "carol-test", "--yes", api=api_url)
    assert result.exit_code == 0, result.output
    sent = sent_tx(world, result.output)
    total = sum(world.amount(e, carol) for e in EPOCHS)
    assert world.w3.eth.get_balance(carol.address) - before == total - sent["fee"]

    unknown = run(world, "--account", "nobody-here", "--yes", api=api_url)
    assert unknown.exit_code == 1
    assert unknown.output.strip().splitlines()[-1].startswith("Error: no ape account")


def test_what_is_pending_or_expired_is_listed_with_its_time(world, api_url):
    """A fan whose only allocation waits out its challenge period is told when it becomes
    claimable, not just "nothing to claim"; once the windows close, what expired is listed."""
    planet = world.planet
    fan = Account.create()  # no allocation in the world's epochs
    pool = 10**18
    world.propose_pending(2, fan.address, pool)
    result = run(world, fan.address, "--key-file", key_file_of(world, fan), api=api_url)
    assert result.exit_code == 0, result.output
    assert re.search(
        r"epoch 2: 1000000000000000000 \(1 OKB\) pending .* claimable from \d{4}-", result.output
    )
    assert f"Nothing to claim for {fan.address}." in result.output

    last = planet.vault.functions.claimWindowClosesAt(2).call()
    planet.travel(last - world.now() + 3601)
    result = run(world, fan.address, "--key-file", key_file_of(world, fan), api=api_url)
    assert "epoch 2: 1000000000000000000 (1 OKB) expired" in result.output
    assert "until someone sweeps the epoch" in result.output


def key_file_of(world: World, user) -> str:
    path = world.dists_dir.parent / f"{user.address}.key"
    path.write_text("0x" + bytes(user.key).hex() + "\n")
    return str(path)
