"""``planet record verify FILE`` reads FILE before anything else: a file that is not a trading
record is named as such even when no RPC answers, with one ``Error:`` line and exit 1."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from planet.commands.main import main
from tests.support.ports import free_port

NOBODY = {"PLANET_RPC_URL": f"http://127.0.0.1:{free_port()}"}


def verify(file: Path) -> tuple[int, str]:
    result = CliRunner(mix_stderr=False).invoke(main, ["record", "verify", str(file)], env=NOBODY)
    return result.exit_code, result.stderr


def test_a_file_that_is_not_json_is_named_before_the_rpc_is_tried(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("not json {")
    code, err = verify(junk)
    assert code == 1
    assert err.startswith("Error: ") and "is not a JSON file" in err
    assert "RPC" not in err and "Traceback" not in err


def test_a_json_file_of_another_format_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"format": "something-else"}')
    code, err = verify(other)
    assert code == 1 and "'something-else'" in err and "RPC" not in err


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    code, err = verify(tmp_path / "absent.json")
    assert code == 1 and "cannot read" in err and "absent.json" in err
