"""`planet epoch close` on a vault deployed on the test chain: the file written, the root
proposed with its total, URI and file hash, `planet epoch verify --rpc` agreeing; and every
refusal clear, with nothing written and nothing proposed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from eth_utils import keccak

from planet.commands.main import main
from tests.support.rewards import POOL

ROOT = Path(__file__).resolve().parents[2]
KEY_ENV = "PLANET_TEST_DISTRIBUTOR_KEY"
LOCAL = str(ROOT / "config" / "scoring-local.yaml")


def close(deployed, database, accounts, tmp_path, epoch, *extra, key=None):
    _, _, manifest_file = deployed
    url, _ = database
    key = key or accounts[0].private_key
    args = [
        "epoch", "close", str(epoch),
        "--database-url", url,
        "--manifest", str(manifest_file),
        "--rpc", accounts[0].provider.uri,
        "--out-dir", str(tmp_path / "out"),
        "--uri-base", "https://planet.test/distributions",
        "--private-key-env", KEY_ENV,
        "--config", str(ROOT / "config" / "scoring.yaml"),
        *extra,
    ]  # fmt: skip
    return CliRunner().invoke(main, args, env={KEY_ENV: key})


def verify(deployed, chain, path):
    args = ["epoch", "verify", str(path), "--rpc", chain.provider.uri]
    return CliRunner().invoke(main, [*args, "--manifest", str(deployed[2])])


def assert_refused(result, message, tmp_path, vault, epoch, root=b"\x00" * 32):
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.json"))
    assert bytes(vault.epochInfo(epoch).root) == root


def test_close_writes_the_file_proposes_and_verify_agrees(
    deployed, database, chain, accounts, tmp_path
):
    manifest, vault, _ = deployed
    result = close(deployed, database, accounts, tmp_path, 0)
    assert result.exit_code == 0, result.output

    path = tmp_path / "out" / str(manifest.chain_id) / "epoch-0.json"
    raw = path.read_bytes()
    data = json.loads(raw)
    info = vault.epochInfo(0)
    assert "0x" + bytes(info.root).hex() == data["root"]
    # five accounts, each capped at a tenth of the pool: half of it stays unallocated
    assert info.payout.total == int(data["total"]) == 5 * (POOL // 10)
    assert int(data["unallocated"]) == POOL - 5 * (POOL // 10)
    [event] = list(vault.RootProposed.range(0, chain.blocks.head.number + 1))
    assert event.uri == f"https://planet.test/distributions/{manifest.chain_id}/epoch-0.json"
    assert bytes(event.fileHash) == keccak(raw)
    assert event.total == int(data["total"])
    assert data["formula"]["name"] == "planet-weekly" and data["formula"]["cap_share"] == "1/10"
    assert data["formula"]["trade_exchanges"] == ["okx"]
    assert "trade on      okx\n" in result.output
    assert sorted(e["account"] for e in data["allocations"]) == sorted(database[1])
    for address in database[1]:
        assert address in result.output  # the top earners, with their input counts

    checked = verify(deployed, chain, path)
    assert checked.exit_code == 0, checked.output
    assert "matches vault" in checked.output


def test_an_edited_file_fails_verify_naming_the_leaf(deployed, database, chain, accounts, tmp_path):
    manifest, _, _ = deployed
    assert close(deployed, database, accounts, tmp_path, 0).exit_code == 0
    path = tmp_path / "out" / str(manifest.chain_id) / "epoch-0.json"
    data = json.loads(path.read_bytes())
    leaf = data["merkle"]["values"][2]
    account = leaf["value"][0]
    leaf["value"][1] = str(int(leaf["value"][1]) + 1)
    path.write_text(json.dumps(data))

    result = verify(deployed, chain, path)
    assert result.exit_code == 1
    assert f"leaf 2 ({account}," in result.output and "does not match the tree" in result.output


def test_dry_run_prints_the_summary_and_changes_nothing(deployed, database, accounts, tmp_path):
    _, vault, _ = deployed
    result = close(deployed, database, accounts, tmp_path, 0, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "accounts      5" in result.output and "dry run: not proposed" in result.output
    assert "top 5 by amount" in result.output
    # what the risk role reviews before a root is proposed: no farm this week
    assert "flagged clusters: none" in result.output
    local = close(deployed, database, accounts, tmp_path, 0, "--dry-run", "--config", LOCAL)
    assert local.exit_code == 0, local.output
    assert "formula planet-weekly-local v3" in local.output
    assert "trade on      okx, paper" in local.output
    assert not (tmp_path / "out").exists()
    assert bytes(vault.epochInfo(0).root) == b"\x00" * 32


def test_a_week_without_activity_is_refused(deployed, database, accounts, tmp_path):
    _, vault, _ = deployed
    result = close(deployed, database, accounts, tmp_path, 1)
    assert_refused(
        result, "epoch 1 had no scoring activity; nothing to propose", tmp_path, vault, 1
    )


def test_a_zero_pool_is_refused(deployed, database, accounts, tmp_path):
    _, vault, _ = deployed
    result = close(deployed, database, accounts, tmp_path, 2)
    assert_refused(result, "epoch 2's pool is zero", tmp_path, vault, 2)


def test_a_week_not_ended_is_refused(deployed, database, accounts, tmp_path):
    _, vault, _ = deployed
    result = close(deployed, database, accounts, tmp_path, 3)
    assert_refused(result, "epoch 3 has not ended", tmp_path, vault, 3)


def test_a_second_close_is_refused(deployed, database, accounts, tmp_path):
    manifest, vault, _ = deployed
    assert close(deployed, database, accounts, tmp_path, 0).exit_code == 0
    path = tmp_path / "out" / str(manifest.chain_id) / "epoch-0.json"
    first = path.read_bytes()
    root = bytes(vault.epochInfo(0).root)
    result = close(deployed, database, accounts, tmp_path, 0)
    assert result.exit_code == 1 and "epoch 0 already has a proposed root" in result.output
    assert path.read_bytes() == first  # the published file is left as it was
    assert bytes(vault.epochInfo(0).root) == root


def test_a_sender_without_the_distributor_role_is_refused(deployed, database, accounts, tmp_path):
    _, vault, _ = deployed
    result = close(deployed, database, accounts, tmp_path, 0, key=accounts[7].private_key)
    assert_refused(result, "lacks DISTRIBUTOR_ROLE", tmp_path, vault, 0)


def test_a_pool_beyond_the_funds_is_refused(deployed, database, accounts, tmp_path):
    _, vault, _ = deployed
    result = close(deployed, database, accounts, tmp_path, 0, "--pool", str(POOL + 1))
    assert_refused(result, "exceeds what epoch 0 holds", tmp_path, vault, 0)
