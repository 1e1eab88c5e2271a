"""deploy-config.yaml: defaults, per-network overrides, and errors that name the bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from planet.chain.deploy_config import DeployConfigError, load

ADDR = "0x" + "ab" * 20


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deploy.yaml"
    path.write_text(text)
    return path


def test_the_committed_file_is_valid_for_every_network():
    for network in ("local", "xlayer-testnet", "xlayer"):
        assert load(Path("deploy-config.yaml"), network).roles_for(ADDR)["admin"] == ADDR


def test_empty_roles_fall_back_to_the_deployer(tmp_path):
    settings = load(_write(tmp_path, f"default: {{attester: '{ADDR}'}}\n"), "local")
    roles = settings.roles_for("0x" + "01" * 20)
    assert roles["attester"].lower() == ADDR
    assert roles["admin"] == "0x" + "01" * 20


def test_vault_asset_is_native_or_a_token(tmp_path):
    assert load(_write(tmp_path, "default: {}\n"), "local").vault_asset == "0x" + "00" * 20
    token = load(_write(tmp_path, f"default: {{vault_asset: '{ADDR}'}}\n"), "local").vault_asset
    assert token.lower() == ADDR


def test_network_entry_overrides_default(tmp_path):
    text = "default: {genesis: 10}\nnetworks:\n  xlayer: {genesis: 20}\n"
    assert load(_write(tmp_path, text), "xlayer").genesis == 20
    assert load(_write(tmp_path, text), "local").genesis == 10


@pytest.mark.parametrize(
    "text, message",
    [
        ("default: {admin: '0x1234'}\n", "admin"),
        ("default: {genesis: -5}\n", "genesis"),
        ("default: {platform_fee_bps: 1001}\n", "platform_fee_bps"),
        ("default: {vault_asset: usdt}\n", "neither 'native' nor a token address"),
        ("default: {challenge_period: 0}\n", "challenge_period"),
        (f"default: {{treasurer: '{ADDR}'}}\n", "treasurer"),
        ("default: [1, 2\n", "not valid YAML"),
        ("- 1\n", "expected a mapping"),
        ("defaults: {}\n", "unknown top-level keys"),
    ],
)
def test_bad_settings_are_named(tmp_path, text, message):
    with pytest.raises(DeployConfigError, match=message):
        load(_write(tmp_path, text), "local")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DeployConfigError, match="does not exist"):
        load(tmp_path / "nope.yaml", "local")
