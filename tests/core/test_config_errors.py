"""Config and manifest errors name the file, the line or key, and what is expected."""

from __future__ import annotations

import json

import pytest

from planet.chain.deploy_config import DeployConfigError
from planet.chain.deploy_config import load as load_network_settings
from planet.core.manifest import ManifestError, load


def test_a_manifest_missing_fields_names_the_file_and_the_first_key(tmp_path):
    path = tmp_path / "1952.json"
    path.write_text(json.dumps({"chain_id": 1952, "network": "x", "deployer": "0x1"}))
    with pytest.raises(ManifestError) as caught:
        load(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message == f"deployment manifest {path}: genesis: Field required (and 1 more problem)"


def test_broken_yaml_names_the_file_and_the_line_not_a_unicode_string(tmp_path):
    path = tmp_path / "deploy-config.yaml"
    path.write_text("default:\n  genesis: [1, 2\n")
    with pytest.raises(DeployConfigError) as caught:
        load_network_settings(path, "local")
    message = str(caught.value)
    assert str(path) in message and "line 3" in message and "<unicode string>" not in message


def test_a_bad_deploy_setting_names_its_key_and_network(tmp_path):
    path = tmp_path / "deploy-config.yaml"
    path.write_text("default:\n  attester: nobody\n")
    with pytest.raises(
        DeployConfigError,
        match=r"deploy-config.yaml: attester: 'nobody' is not an address \(network local\)",
    ):
        load_network_settings(path, "local")
