"""`ape run publish_epoch` as a user runs it, against the test chain: the same close as
`planet epoch close`, signed by the ape account."""

from __future__ import annotations

import json

from eth_utils import keccak

from tests.scripts.test_cli import ROOT, ape_run


def publish(chain, deployed, database, tmp_path, epoch: int, *extra: str):
    """Runs the script on the test chain: ape-foundry joins the anvil already at that host."""
    return ape_run(
        "publish_epoch",
        str(epoch),
        "--network",
        "ethereum:local:foundry",
        "--manifest",
        str(deployed[2]),
        "--database-url",
        database[0],
        "--out-dir",
        str(tmp_path / "out"),
        "--config",
        str(ROOT / "config" / "scoring.yaml"),
        *extra,
        env={"APE_FOUNDRY_HOST": chain.provider.uri},
    )


def test_publish_epoch_writes_the_file_and_proposes_its_root(chain, deployed, database, tmp_path):
    manifest, vault, _ = deployed
    result = publish(chain, deployed, database, tmp_path, 0)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "out" / str(manifest.chain_id) / "epoch-0.json"
    raw = path.read_bytes()
    data = json.loads(raw)
    info = vault.epochInfo(0)
    assert "0x" + bytes(info.root).hex() == data["root"]
    assert info.payout.total == int(data["total"])
    [event] = list(vault.RootProposed.range(0, chain.blocks.head.number + 1))
    assert bytes(event.fileHash) == keccak(raw)
    assert event.uri == f"file:distributions/{manifest.chain_id}/epoch-0.json"
    assert data["root"] in result.stdout


def test_publish_epoch_refuses_in_one_line(chain, deployed, database, tmp_path):
    _, vault, _ = deployed
    result = publish(chain, deployed, database, tmp_path, 3)
    assert result.returncode != 0
    assert "Error: epoch 3 has not ended" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()
    assert bytes(vault.epochInfo(3).root) == b"\x00" * 32


def test_publish_epoch_signs_with_a_keystore_like_every_planet_command(
    chain, deployed, database, tmp_path, accounts
):
    from eth_account import Account

    _, vault, _ = deployed
    keystore = tmp_path / "distributor.json"
    keystore.write_text(json.dumps(Account.encrypt(accounts[0].private_key, "pw")))
    password = tmp_path / "password"
    password.write_text("pw\n")
    args = ("--keystore", str(keystore), "--password-file", str(password))
    result = publish(chain, deployed, database, tmp_path, 0, *args)
    assert result.returncode == 0, result.stderr
    assert vault.epochInfo(0).payout.status == 1  # proposed
    password.write_text("wrong\n")
    refused = publish(chain, deployed, database, tmp_path, 1, *args)
    assert "Error: cannot decrypt" in refused.stderr and "Traceback" not in refused.stderr
