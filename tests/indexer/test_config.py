"""Settings: defaults, environment, file, precedence, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.config import ConfigError, IndexerSettings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith("PLANET_INDEXER_"):
            monkeypatch.delenv(name)


def test_defaults_suit_a_local_chain_and_sqlite():
    s = IndexerSettings.load()
    assert s.rpc_url == "http://127.0.0.1:8545"
    assert s.database_url == "sqlite:///planet.sqlite"
    assert s.manifest is None and s.manifest_dir == Path("deployments")
    assert s.finality == 12
    assert s.range_min <= s.range_initial <= s.range_max


def test_environment_overrides_the_file_and_options_override_both(monkeypatch, tmp_path):
    config = tmp_path / "indexer.toml"
    config.write_text('rpc_url = "http://file:1"\nfinality = "finalized"\nrate_limit = 5\n')
    monkeypatch.setenv("PLANET_INDEXER_RATE_LIMIT", "7.5")
    monkeypatch.setenv("PLANET_INDEXER_FINALITY", "safe")
    s = IndexerSettings.load(config, rpc_url="http://option:2")
    assert (s.rpc_url, s.finality, s.rate_limit) == ("http://option:2", "safe", 7.5)


def test_yaml_file_with_an_indexer_section(tmp_path):
    config = tmp_path / "planet.yaml"
    config.write_text("indexer:\n  finality: 30\n  database_url: postgresql://db/planet\n")
    s = IndexerSettings.load(config)
    assert (s.finality, s.database_url) == (30, "postgresql://db/planet")


@pytest.mark.parametrize(
    "value, expected", [("0", 0), ("64", 64), ("SAFE", "safe"), ("finalized", "finalized")]
)
def test_finality_is_a_depth_or_a_tag(monkeypatch, value, expected):
    monkeypatch.setenv("PLANET_INDEXER_FINALITY", value)
    assert IndexerSettings.load().finality == expected


@pytest.mark.parametrize("value", ["soon", "-1", "latest", "1.5"])
def test_a_bad_finality_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("PLANET_INDEXER_FINALITY", value)
    with pytest.raises(
        ConfigError, match=r"finality \(PLANET_INDEXER_FINALITY\).*'safe' or 'finalized'"
    ):
        IndexerSettings.load()


def test_a_bad_file_value_names_the_file_key(tmp_path):
    config = tmp_path / "indexer.toml"
    config.write_text("rate_limit = -3\n")
    with pytest.raises(ConfigError, match=r"rate_limit \(in .*indexer.toml\): .*greater than 0"):
        IndexerSettings.load(config)


def test_unknown_file_keys_are_refused(tmp_path):
    config = tmp_path / "indexer.yaml"
    config.write_text("rpc: http://x\n")
    with pytest.raises(ConfigError, match=r"unknown setting.*rpc"):
        IndexerSettings.load(config)


def test_ranges_must_be_ordered():
    with pytest.raises(ConfigError, match="range_initial must lie between"):
        IndexerSettings.load(range_min=10, range_initial=5)


def test_rpc_url_must_be_http():
    with pytest.raises(ConfigError, match=r"rpc_url .*http"):
        IndexerSettings.load(rpc_url="ws://127.0.0.1:8546")


def test_missing_or_broken_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        IndexerSettings.load(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("finality = = 3")
    with pytest.raises(ConfigError, match=r"broken.toml: not valid TOML: .*line 1"):
        IndexerSettings.load(broken)
