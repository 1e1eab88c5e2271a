"""`ape run deploy` signs with any wallet of the shared wallet layer, as every `planet` command
that sends does: a keystore with its password file, a key file, PLANET_PRIVATE_KEY; `--yes` for
no question, the fee cap of `--max-fee-gwei`. Run against the test chain (ape-foundry joins it)."""

from __future__ import annotations

import json

from eth_account import Account

from tests.scripts.test_cli import ape_run


def deploy(chain, tmp_path, *args: str, env: dict[str, str] | None = None):
    return ape_run(
        "deploy",
        "--network",
        "ethereum:local:foundry",
        "--manifest-dir",
        str(tmp_path / "deployments"),
        "--redeploy",
        *args,
        env={"APE_FOUNDRY_HOST": chain.provider.uri, **(env or {})},
    )


def written(tmp_path, chain) -> dict | None:
    path = tmp_path / "deployments" / f"{chain.chain_id}.json"
    return json.loads(path.read_text()) if path.exists() else None


def test_a_keystore_deploys_without_a_question_under_the_fee_cap(chain, accounts, tmp_path):
    deployer = accounts[7]
    keystore = tmp_path / "deployer.json"
    keystore.write_text(json.dumps(Account.encrypt(deployer.private_key, "pw")))
    password = tmp_path / "password"
    password.write_text("pw\n")
    wallet = ("--keystore", str(keystore), "--password-file", str(password))

    unasked = deploy(chain, tmp_path, *wallet)
    assert unasked.returncode == 1
    assert "Error: not sent: no terminal to confirm on; pass --yes to send" in unasked.stderr
    assert written(tmp_path, chain) is None

    result = deploy(chain, tmp_path, *wallet, "--yes", "--max-fee-gwei", "50")
    assert result.returncode == 0, result.stderr
    manifest = written(tmp_path, chain)
    assert manifest["deployer"] == deployer.address
    w3 = chain.provider.web3
    for name, record in manifest["contracts"].items():
        tx = w3.eth.get_transaction(record["tx_hash"])
        assert tx["from"] == deployer.address
        assert tx["type"] == 2 and tx["maxFeePerGas"] <= 50 * 10**9  # EIP-1559, capped
        assert f"sent {name} in {record['tx_hash']}" in result.stdout


def test_planet_private_key_deploys(chain, accounts, tmp_path):
    result = deploy(chain, tmp_path, "--yes", env={"PLANET_PRIVATE_KEY": accounts[8].private_key})
    assert result.returncode == 0, result.stderr
    assert written(tmp_path, chain)["deployer"] == accounts[8].address


def test_bad_wallets_are_refused_in_one_line(chain, tmp_path):
    bad_key = tmp_path / "key"
    bad_key.write_text("not a key\n")
    for args, message in (
        (("--key-file", str(bad_key)), f"Error: {bad_key} does not hold a hex private key"),
        (("--key-file", str(tmp_path / "none")), "Error: no such key file"),
        (("--key-file", str(bad_key), "--account", "x"), "Error: name exactly one wallet"),
    ):
        result = deploy(chain, tmp_path, *args, "--yes")
        assert result.returncode != 0
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr + result.stdout


def test_a_live_network_without_a_wallet_is_refused_before_connecting(tmp_path):
    result = ape_run("deploy", "--network", "ethereum:xlayer-testnet", "--dry-run")
    assert result.returncode != 0
    assert "Error: a live network needs a wallet: --key-file" in result.stderr
    assert "xlayer.tech" not in result.stderr


def test_an_ape_account_deploys_with_its_passphrase_from_the_environment(chain, accounts, tmp_path):
    """`--account ALIAS`: an ape keyfile account (here in a data folder of its own), unlocked
    once for every deployment with APE_ACCOUNTS_<alias>_PASSPHRASE."""
    data = tmp_path / "ape"
    (data / "accounts").mkdir(parents=True)
    keyfile = Account.encrypt(accounts[9].private_key, "pw")
    (data / "accounts" / "deployer.json").write_text(json.dumps(keyfile))
    env = {"APE_DATA_FOLDER": str(data), "APE_ACCOUNTS_deployer_PASSPHRASE": "pw"}
    result = deploy(chain, tmp_path, "--account", "deployer", "--yes", env=env)
    assert result.returncode == 0, result.stderr
    assert written(tmp_path, chain)["deployer"] == accounts[9].address
    unknown = deploy(chain, tmp_path, "--account", "nobody", "--yes", env=env)
    assert unknown.returncode == 1
    assert "Error: no ape account 'nobody'" in unknown.stderr
