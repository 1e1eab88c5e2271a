"""`planet epoch close` argument errors: one `Error:` line naming the problem, before any
database or chain is touched."""

from __future__ import annotations

from click.testing import CliRunner

from planet.commands.main import main


def run(tmp_path, *extra: str, env=None):
    manifest = tmp_path / "31337.json"
    args = ["epoch", "close", "0", "--database-url", f"sqlite:///{tmp_path}/x.sqlite",
            "--manifest", str(manifest), "--rpc", "http://127.0.0.1:9", *extra]  # fmt: skip
    return CliRunner().invoke(main, args, env=env or {})


def one_error(result) -> str:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    return errors[0]


def test_a_bad_scoring_config_is_named_with_its_key(tmp_path):
    config = tmp_path / "scoring.yaml"
    config.write_text(
        "name: x\nversion: '1'\n"
        "weights: {view: 1, like: -2, comment: 1, live_attendance: 1, points: 1, trade: 1}\n"
    )
    line = one_error(run(tmp_path, "--config", str(config)))
    assert "weights.like: must not be negative" in line


def test_a_missing_manifest_is_named(tmp_path):
    line = one_error(run(tmp_path))
    assert "no deployment manifest" in line


def test_a_missing_key_file_and_an_unset_key_variable_are_named(tmp_path, deployed):
    manifest_file = deployed[2]
    args = ["--manifest", str(manifest_file)]
    line = one_error(run(tmp_path, *args, "--key-file", str(tmp_path / "absent.key")))
    assert "no such key file" in line
    line = one_error(run(tmp_path, *args, "--private-key-env", "PLANET_NO_SUCH_KEY"))
    assert "PLANET_NO_SUCH_KEY is not set" in line
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    line = one_error(run(tmp_path, *args, "--key-file", str(bad)))
    assert "does not hold a hex private key" in line


def test_an_unreachable_rpc_is_one_line(tmp_path, deployed):
    line = one_error(run(tmp_path, "--manifest", str(deployed[2]), "--dry-run"))
    assert "cannot read the chain id" in line
