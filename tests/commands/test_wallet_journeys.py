"""A creator's and a fan's whole week driven only through the ``planet`` command, as separate
programs against a real anvil and the API served over HTTP from the indexer's mirror; and
every kind of bad input to the wallet commands answered with one line, exit 1, nothing sent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from api.app import create_app
from api.settings import ApiSettings
from planet.commands.main import main
from planet.core.passes import split_cost
from planet.store import OFFCHAIN, migrate
from tests.support.api import SECRET, siwe_text
from tests.support.ports import free_port
from tests.support.servers import serving

ETHER = 10**18
USDT = 10**6
PLANET = str(Path(sys.executable).with_name("planet"))


@dataclass
class Desk:
    """Runs ``planet`` as a user would, with the chain, manifest and API in the environment."""

    rpc_url: str
    manifest: Path
    api: str
    w3: Web3
    index: Any

    def run(
        self, user: LocalAccount | None, *args: str, ok: bool = True, cwd: Path | None = None
    ) -> Any:
        env = {**os.environ, "PLANET_RPC_URL": self.rpc_url, "PLANET_API_URL": self.api}
        if cwd is None:
            env["PLANET_MANIFEST"] = str(self.manifest)
        else:
            env.pop("PLANET_MANIFEST", None)
        env.pop("PLANET_PRIVATE_KEY", None)
        if user is not None:
            env["PLANET_PRIVATE_KEY"] = "0x" + bytes(user.key).hex()
        done = subprocess.run(
            [PLANET, *args, "--json"], env=env, capture_output=True, text=True, timeout=120, cwd=cwd
        )
        assert (done.returncode == 0) == ok, (args, done.stdout, done.stderr)
        return json.loads(done.stdout) if ok else done.stderr

    def balance(self, address: str) -> int:
        return int(self.w3.eth.get_balance(Web3.to_checksum_address(address)))


@pytest.fixture
def desk(
    planet_with_token, database_url, settings_for, make_indexer, manifest_file, rpc_url
) -> Iterator[Desk]:
    planet = planet_with_token
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
        scoring_config=Path("config/scoring-local.yaml"),  # a local chain's rules, as the demo
        rate_limit_ip=100_000,
        rate_limit_identity=100_000,
        rate_limit_burst=10_000,
    )

    def chain_time() -> float:
        return max(time.time(), planet.w3.eth.get_block("latest")["timestamp"])

    with serving(create_app(settings, clock=chain_time), port) as url:
        yield Desk(rpc_url, manifest_file, url, planet.w3, indexer.catch_up)


@contextmanager
def signed_in(api: str, user: LocalAccount) -> Iterator[httpx.Client]:
    """An HTTP client signed in to the API as ``user`` (what the web app does)."""
    client = httpx.Client(base_url=api, timeout=30)
    nonce = client.post("/auth/nonce").json()["nonce"]
    text = siwe_text(user.address, nonce, int(time.time()))
    text = text.replace("planet.test", api.removeprefix("http://"))
    signature = "0x" + bytes(user.sign_message(_defunct(text)).signature).hex()
    reply = client.post("/auth/verify", json={"message": text, "signature": signature})
    assert reply.status_code == 200, reply.text
    client.headers["Authorization"] = f"Bearer {reply.json()['token']}"
    try:
        yield client
    finally:
        client.close()


def _defunct(text: str) -> Any:
    from eth_account.messages import encode_defunct

    return encode_defunct(text=text)


@pytest.mark.slow
def test_a_creator_and_a_fan_go_through_their_week_with_the_planet_command(
    desk, planet_with_token, erc20_token, accounts
):
    planet = planet_with_token
    creator, fan = planet.actors.users[0], planet.actors.users[1]
    token = str(erc20_token.address)
    erc20_token.mint(fan.address, 100 * USDT, sender=accounts[0])

    # The creator takes an identity and writes a persona whose hash goes on chain.
    registered = desk.run(creator, "identity", "register", "grace", "--yes")
    assert registered["handle"] == "grace" and registered["owner"] == creator.address
    desk.index()
    with signed_in(desk.api, creator) as api:
        saved = api.put("/profiles/me/persona", json={"bio": "Macro, BTC and rates."})
        assert saved.status_code == 200, saved.text
        assert api.get("/profiles/grace").json()["persona_verified"] is False
        synced = desk.run(creator, "identity", "sync-persona", "--yes")
        desk.index()
        assert api.get("/profiles/grace").json()["persona_verified"] is True
        assert synced["persona_hash"] == saved.json()["metadata_hash"]
        post_id = api.post("/posts", json={"body": "Members: my plan.", "visibility": "private"})
        post_id = post_id.json()["id"]

    shown = desk.run(None, "identity", "show", "grace")
    assert shown["metadata_hash"] == synced["persona_hash"]

    # Two passes in human units: lifetime in OKB, a 30-day subscription in USDT.
    lifetime = desk.run(
        creator,
        "pass",
        "create",
        "--price",
        "0.01OKB",
        "--supply",
        "10",
        "--wallet-limit",
        "2",
        "--transferable",
        "--royalty",
        "2.5%",
        "--uri",
        "ipfs://grace/1",
        "--yes",
    )
    assert (lifetime["price"], lifetime["royalty_bps"], lifetime["kind"]) == (
        ETHER // 100,
        250,
        "lifetime",
    )
    monthly = desk.run(
        creator,
        "pass",
        "create",
        "--price",
        "5USDT",
        "--currency",
        token,
        "--supply",
        "5",
        "--subscription",
        "30d",
        "--uri",
        "ipfs://grace/2",
        "--yes",
    )
    assert (monthly["price"], monthly["duration"], monthly["symbol"]) == (
        5 * USDT,
        30 * 86400,
        "USDT",
    )
    listed = desk.run(None, "pass", "list", "--creator", "grace")
    assert [p["id"] for p in listed["passes"]] == [lifetime["id"], monthly["id"]]

    # The fan (with an identity of her own) is refused the private post, buys both passes,
    # reads it and likes it: engagement from another identity is what makes a post earn points.
    desk.run(fan, "identity", "register", "ada", "--yes")
    desk.index()
    with signed_in(desk.api, fan) as api:
        assert api.get(f"/posts/{post_id}").status_code == 403
        before = desk.balance(fan.address)
        bought = desk.run(fan, "pass", "buy", str(lifetime["id"]), "--yes")
        receipt = planet.w3.eth.get_transaction_receipt(bought["tx_hash"])
        gas = receipt["gasUsed"] * receipt["effectiveGasPrice"]
        assert desk.balance(fan.address) == before - ETHER // 100 - gas
        subscribed = desk.run(fan, "pass", "buy", str(monthly["id"]), "--yes")
        assert subscribed["expiry"] > time.time() + 29 * 86400
        assert erc20_token.balanceOf(fan.address) == 95 * USDT
        desk.index()
        assert api.get(f"/posts/{post_id}").json()["body"] == "Members: my plan."
        assert api.put(f"/posts/{post_id}/like").status_code in (200, 201, 204)
        renewed = desk.run(fan, "pass", "renew", str(monthly["id"]), "--yes")
        assert renewed["expiry"] == subscribed["expiry"] + 30 * 86400

    # The creator proves the post on chain with the API's attestation.
    submitted = desk.run(creator, "points", "submit", "post", str(post_id), "--yes")
    points = desk.run(None, "points", "show", creator.address)
    assert points["total"] == submitted["points"] > 0

    # Proceeds net of the platform fee, withdrawn to the wei.
    fee_bps = planet.community_pass.functions.platformFeeBps().call()
    okb_net = split_cost(ETHER // 100, fee_bps)[0]
    usdt_net = 2 * split_cost(5 * USDT, fee_bps)[0]
    owed = {
        p["symbol"]: p["withdrawable"] for p in desk.run(creator, "pass", "proceeds")["proceeds"]
    }
    assert owed == {"OKB": okb_net, "USDT": usdt_net}
    before = desk.balance(creator.address)
    withdrawn = desk.run(creator, "pass", "withdraw", "--yes")
    receipt = planet.w3.eth.get_transaction_receipt(withdrawn["tx_hash"])
    gas = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert desk.balance(creator.address) == before + okb_net - gas
    desk.run(creator, "pass", "withdraw", "--currency", token, "--yes")
    assert erc20_token.balanceOf(creator.address) == usdt_net


def test_a_fan_without_a_manifest_file_gets_the_chain_from_the_api(desk, planet, tmp_path):
    """No deployments/ folder where the fan runs planet: GET /chain describes the contracts."""
    creator = planet.actors.users[0]
    planet.register(creator, "grace")
    shown = desk.run(None, "identity", "show", "grace", cwd=tmp_path)
    assert shown["owner"] == creator.address
    refused = desk.run(
        creator,
        "pass",
        "create",
        "--price",
        "1OKB",
        "--supply",
        "1",
        "--wallet-limit",
        "2",
        "--subscription",
        "1d",
        "--uri",
        "u",
        "--yes",
        ok=False,
        cwd=tmp_path,
    )
    assert "PassInvalidWalletLimit(walletLimit=2): " in refused  # notices from /chain's userdoc


# ---------------------------------------------------------------- bad input, nothing sent


def cli(args: list[str], env: dict[str, str], input: str | None = None) -> Any:
    return CliRunner(mix_stderr=False).invoke(main, args, env=env, input=input)


@pytest.fixture
def env(rpc_url, manifest_file) -> dict[str, str]:
    return {"PLANET_RPC_URL": rpc_url, "PLANET_MANIFEST": str(manifest_file)}


def key_env(env: dict[str, str], user: LocalAccount) -> dict[str, str]:
    return {**env, "PLANET_PRIVATE_KEY": "0x" + bytes(user.key).hex()}


def one_error(result: Any, *needles: str) -> None:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for needle in needles:
        assert needle in lines[0], lines[0]


def nonce(planet: Any, user: LocalAccount) -> int:
    return int(planet.w3.eth.get_transaction_count(user.address))


def test_an_unknown_pass_is_named(planet, env):
    one_error(cli(["pass", "show", "99"], env), "no pass #99")


@pytest.mark.parametrize(
    ("price", "needle"),
    [
        ("0.01XYZ", "XYZ is not OKB"),
        ("lots", "'lots' is not an amount"),
        ("0.0000000000000000001OKB", "more than 18 decimals"),
    ],
)
def test_wrong_units_are_refused_before_anything_is_sent(planet, env, price, needle):
    user = planet.actors.users[0]
    planet.register(user)
    sent = nonce(planet, user)
    args = ["pass", "create", "--price", price, "--supply", "1", "--uri", "u", "--yes"]
    one_error(cli(args, key_env(env, user)), needle)
    assert nonce(planet, user) == sent


def test_a_token_price_must_match_the_tokens_symbol_and_decimals(
    planet_with_token, erc20_token, env
):
    planet = planet_with_token
    user = planet.actors.users[0]
    token = str(erc20_token.address)
    base = ["pass", "create", "--supply", "1", "--uri", "u", "--currency", token, "--yes"]
    one_error(cli([*base, "--price", "5DAI"], key_env(env, user)), "is USDT, not DAI")
    one_error(cli([*base, "--price", "1.0000001USDT"], key_env(env, user)), "more than 6 decimals")


def test_a_revert_is_decoded_to_the_custom_error_and_its_notice(planet, env):
    user = planet.actors.users[0]
    planet.register(user)
    sent = nonce(planet, user)
    args = [
        "pass",
        "create",
        "--price",
        "1OKB",
        "--supply",
        "3",
        "--wallet-limit",
        "5",
        "--subscription",
        "30d",
        "--uri",
        "u",
        "--yes",
    ]
    one_error(
        cli(args, key_env(env, user)),
        "PassInvalidWalletLimit(walletLimit=5)",
        "exactly 1 for a subscription",
    )
    assert nonce(planet, user) == sent


def test_insufficient_funds_are_named(planet, env):
    creator, poor = planet.actors.users[0], Account.create()
    planet.register(creator)
    args = ["pass", "create", "--price", "1OKB", "--supply", "3", "--uri", "u", "--yes"]
    pass_id = cli(args, key_env(env, creator))
    assert pass_id.exit_code == 0, pass_id.stderr
    one_error(cli(["pass", "buy", "1", "--yes"], key_env(env, poor)), "insufficient funds")


def test_a_wrong_keystore_password_is_named_and_nothing_is_asked_or_sent(planet, env, tmp_path):
    user = planet.actors.users[0]
    keystore = tmp_path / "key.json"
    keystore.write_text(json.dumps(Account.encrypt(user.key, "right horse")))
    wrong = tmp_path / "password"
    wrong.write_text("wrong horse\n")
    args = [
        "identity",
        "register",
        "ada",
        "--keystore",
        str(keystore),
        "--password-file",
        str(wrong),
    ]
    sent = nonce(planet, user)
    one_error(cli(args, env), "wrong password")
    assert nonce(planet, user) == sent


def test_without_yes_and_without_a_terminal_nothing_is_sent(planet, env):
    user = planet.actors.users[0]
    sent = nonce(planet, user)
    one_error(cli(["identity", "register", "ada"], key_env(env, user)), "pass --yes")
    assert nonce(planet, user) == sent


def test_a_keystore_registers_and_show_reads_it_back(planet, env, tmp_path):
    user = planet.actors.users[2]
    keystore = tmp_path / "key.json"
    keystore.write_text(json.dumps(Account.encrypt(user.key, "pw")))
    password = tmp_path / "password"
    password.write_text("pw\n")
    args = [
        "identity",
        "register",
        "ada",
        "--keystore",
        str(keystore),
        "--password-file",
        str(password),
        "--yes",
        "--json",
    ]
    result = cli(args, env)
    assert result.exit_code == 0, result.stderr
    shown = cli(["identity", "show", user.address, "--json"], env)
    assert json.loads(shown.stdout)["handle"] == "ada"
    one_error(
        cli(
            [
                "identity",
                "register",
                "ada2",
                "--keystore",
                str(keystore),
                "--password-file",
                str(password),
                "--yes",
            ],
            env,
        ),
        "already holds identity",
    )


def test_vault_status_roles_and_a_guardian_pause(planet, env):
    admin = planet.actors.admin
    status = cli(["vault", "status", "--json"], env)
    assert status.exit_code == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["symbol"] == "OKB" and data["paused"] is False
    roles = json.loads(cli(["roles", "show", "--json"], env).stdout)["roles"]
    assert roles["ContributionPoints"]["attester"] == [planet.actors.attester.address]
    assert admin.address in roles["PrizeVault"]["guardian"]
    paused = cli(["vault", "pause", "--yes", "--json"], key_env(env, admin))
    assert paused.exit_code == 0, paused.stderr
    assert planet.vault.functions.paused().call() is True
    outsider = planet.actors.users[3]
    one_error(
        cli(["vault", "unpause", "--yes"], key_env(env, outsider)),
        "AccessControlUnauthorizedAccount",
    )
    fresh = planet.fresh_address()
    granted = cli(["roles", "grant", "guardian", fresh, "--yes", "--json"], key_env(env, admin))
    assert granted.exit_code == 0, granted.stderr
    one_error(cli(["roles", "grant", "admin", fresh, "--yes"], key_env(env, admin)), "--contract")
    # The vault makes guardian grants only after its ROLE_DELAY: scheduled, then executed.
    scheduled = json.loads(granted.stdout)
    assert scheduled["scheduled"] is True
    vault = planet.vault.functions
    assert not vault.hasRole(vault.GUARDIAN_ROLE().call(), fresh).call()
    early = cli(["roles", "execute", "guardian", fresh, "--yes"], key_env(env, outsider))
    one_error(early, "VaultRoleChangeNotReady")
    planet.travel(scheduled["executable_at"] - planet.w3.eth.get_block("latest").timestamp)
    done = cli(["roles", "execute", "guardian", fresh, "--yes"], key_env(env, outsider))
    assert done.exit_code == 0, done.stderr
    assert vault.hasRole(vault.GUARDIAN_ROLE().call(), fresh).call()


def test_a_funded_epoch_shows_its_pool_in_human_units(planet, env):
    admin = planet.actors.admin
    current = json.loads(cli(["vault", "status", "--json"], env).stdout)["current_epoch"]
    funded = cli(["vault", "fund", str(current), "1.5OKB", "--yes"], key_env(env, admin))
    assert funded.exit_code == 0, funded.stderr
    status = json.loads(cli(["vault", "status", str(current), "--json"], env).stdout)
    assert status["funded"] == 3 * ETHER // 2
    one_error(cli(["vault", "fund", "0", "1OKB", "--yes"], key_env(env, admin)), "has ended")
    one_error(
        cli(["vault", "fund", str(current), "1USDT", "--yes"], key_env(env, admin)),
        "pays OKB, not USDT",
    )


def test_set_recovery_says_when_a_change_waits_the_delay(planet, env):
    """A first recovery address takes effect at once; changing it is scheduled for the
    contract's RECOVERY_DELAY, and the command says so."""
    user, first, second = planet.actors.users[4], planet.actors.users[1], planet.actors.users[2]
    planet.register(user, "recovering")
    now = cli(["identity", "set-recovery", first.address, "--yes", "--json"], key_env(env, user))
    assert now.exit_code == 0, now.stderr
    assert json.loads(now.stdout)["scheduled"] is False
    later = cli(["identity", "set-recovery", second.address, "--yes", "--json"], key_env(env, user))
    assert later.exit_code == 0, later.stderr
    answer = json.loads(later.stdout)
    identity = planet.identity.functions
    delay = identity.RECOVERY_DELAY().call()
    assert answer["scheduled"] is True
    assert answer["effective_at"] == planet.w3.eth.get_block("latest").timestamp + delay
    token = identity.identityOf(user.address).call()
    assert identity.profile(token).call()[3] == first.address  # still the first until then
    one_error(
        cli(["identity", "set-recovery", user.address, "--yes"], key_env(env, user)),
        "IdentityRecoveryIsOwner",
    )


def test_a_recovery_change_waits_its_delay_then_applies_or_is_cancelled(planet, env):
    """A first recovery address is set at once; changing it is scheduled, refused before the
    delay with the contract's reason, applied after it; another scheduled change is cancelled."""
    owner, first, second, third = planet.actors.users[0], *[Account.create() for _ in range(3)]
    args = ["identity", "register", "ada", "--recovery", first.address, "--yes"]
    assert cli(args, key_env(env, owner)).exit_code == 0
    changed = cli(
        ["identity", "set-recovery", second.address, "--yes", "--json"], key_env(env, owner)
    )
    assert changed.exit_code == 0, changed.stderr
    scheduled = json.loads(changed.stdout)
    assert scheduled["scheduled"] is True
    shown = json.loads(cli(["identity", "show", "ada", "--json"], env).stdout)
    assert (shown["recovery"], shown["pending_recovery"]) == (first.address, second.address)
    one_error(
        cli(["identity", "apply-recovery", "ada", "--yes"], key_env(env, owner)),
        "IdentityRecoveryChangeNotReady",
    )

    planet.travel(scheduled["effective_at"] - planet.w3.eth.get_block("latest")["timestamp"] + 1)
    applied = cli(["identity", "apply-recovery", "ada", "--yes"], key_env(env, owner))
    assert applied.exit_code == 0, applied.stderr
    shown = json.loads(cli(["identity", "show", "ada", "--json"], env).stdout)
    assert (shown["recovery"], shown["pending_recovery"]) == (second.address, None)

    assert (
        cli(["identity", "set-recovery", third.address, "--yes"], key_env(env, owner)).exit_code
        == 0
    )
    cancelled = cli(["identity", "cancel-recovery", "--yes"], key_env(env, owner))
    assert cancelled.exit_code == 0, cancelled.stderr
    shown = json.loads(cli(["identity", "show", "ada", "--json"], env).stdout)
    assert (shown["recovery"], shown["pending_recovery"]) == (second.address, None)
    one_error(
        cli(["identity", "apply-recovery", "--yes"], key_env(env, owner)),
        "no scheduled recovery change",
    )


def test_a_fee_cap_bounds_what_a_transaction_may_pay_per_gas(planet, env):
    """--max-fee-gwei (PLANET_MAX_FEE_GWEI): the transaction's maxFeePerGas never exceeds it,
    and a base fee above it stops the command before anything is signed."""
    user = planet.actors.users[0]
    gwei = 10**9
    planet.w3.provider.make_request("anvil_setNextBlockBaseFeePerGas", [hex(10 * gwei)])
    planet.w3.provider.make_request("anvil_mine", [1, 0])
    assert planet.w3.eth.get_block("latest")["baseFeePerGas"] == 10 * gwei
    # uncapped, maxFeePerGas would be 2 x 10 gwei + tip
    args = ["identity", "register", "ada", "--yes", "--json", "--max-fee-gwei", "12"]
    sent = cli(args, key_env(env, user))
    assert sent.exit_code == 0, sent.stderr
    tx = planet.w3.eth.get_transaction(json.loads(sent.stdout)["tx_hash"])
    assert tx["maxFeePerGas"] == 12 * gwei
    nonce_before = nonce(planet, user)
    refused = cli(
        ["identity", "set-recovery", Account.create().address, "--yes", "--max-fee-gwei", "5"],
        {**key_env(env, user)},
    )
    one_error(refused, "above your cap of 5 gwei")
    assert nonce(planet, user) == nonce_before
