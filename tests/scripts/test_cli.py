"""The ape scripts as a user runs them: real processes, real anvil, exit codes and messages."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.chains import persistent_chain
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
APE = str(Path(sys.executable).with_name("ape"))
APE_START_TIMEOUT = "Timed out waiting for successful RPC connection to the 'anvil' process"


def ape_run(
    *args: str, cwd: Path = ROOT, timeout: int = 240, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PLANET_LOG_FORMAT": "json", **(env or {})}
    return subprocess.run(
        [APE, "run", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_deploy_to_a_persistent_chain_survives_its_restart(tmp_path):
    """Deployed to the chain `make chain` keeps; after the chain restarts from its state, the
    manifest still matches the code on chain (a second deploy reuses all four)."""
    state = tmp_path / "state.json"
    args = ("deploy", "--network", "ethereum:local", "--manifest-dir", str(tmp_path))
    with persistent_chain(state) as url:
        result = ape_run(*args, env={"APE_FOUNDRY_HOST": url})
        assert result.returncode == 0, result.stderr
        manifest = json.loads((tmp_path / "31337.json").read_text())
        assert set(manifest["contracts"]) == {
            "Identity",
            "ContributionPoints",
            "CommunityPass",
            "PrizeVault",
        }
        for record in manifest["contracts"].values():
            assert record["address"] in result.stdout
    with persistent_chain(state) as url:
        again = ape_run(*args, env={"APE_FOUNDRY_HOST": url})
        assert again.returncode == 0, again.stderr
        assert again.stdout.count("(reused)") == 4, again.stdout
    assert json.loads((tmp_path / "31337.json").read_text()) == manifest


def test_deploy_refuses_a_chain_that_would_be_gone_after_it(tmp_path):
    """No chain running: ape would start one for this command alone and stop it at the end,
    leaving a manifest of contracts that no longer exist."""
    args = ("deploy", "--network", "ethereum:local", "--manifest-dir", str(tmp_path))
    refused = ape_run(*args)
    assert refused.returncode != 0
    assert "no local chain is running: start one with `make chain`" in refused.stderr
    assert "Traceback" not in refused.stderr
    throwaway = ape_run(*args, "--throwaway")
    if APE_START_TIMEOUT in throwaway.stderr:
        # ape waits a fixed 20 s for the anvil it starts; on a machine busy with the rest of
        # the suite that wait alone has run out (seen once in CI): once more, then it counts
        throwaway = ape_run(*args, "--throwaway")
    assert throwaway.returncode == 0, throwaway.stderr
    assert "no manifest written" in throwaway.stdout
    assert not (tmp_path / "31337.json").exists()


def test_deploy_with_a_bad_settings_file_names_the_problem(tmp_path):
    bad = tmp_path / "deploy.yaml"
    bad.write_text("default: {attester: not-an-address}\n")
    result = ape_run(
        "deploy",
        "--network",
        "ethereum:local",
        "--config",
        str(bad),
        "--manifest-dir",
        str(tmp_path),
    )
    assert result.returncode != 0
    assert "attester" in result.stderr and "not an address" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "31337.json").exists()


def test_deploy_to_an_unreachable_rpc_fails_in_one_line(tmp_path):
    """No network here: the X Layer testnet RPC cannot be reached, and the user is told so."""
    result = ape_run(
        "deploy",
        "--network",
        "ethereum:xlayer-testnet",
        "--manifest-dir",
        str(tmp_path),
        env={"PLANET_PRIVATE_KEY": "0x" + "11" * 32},
    )
    assert result.returncode != 0
    assert "testrpc.xlayer.tech" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_deploy_to_an_unknown_network_is_refused(tmp_path):
    result = ape_run(
        "deploy",
        "--network",
        "ethereum:nowhere",
        "--manifest-dir",
        str(tmp_path),
        env={"PLANET_PRIVATE_KEY": "0x" + "11" * 32},
    )
    assert result.returncode != 0
    assert "nowhere" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_deploy_help_lists_its_options():
    result = ape_run("deploy", "--help")
    assert result.returncode == 0
    for option in ("--network", "--account", "--redeploy", "--config"):
        assert option in result.stdout


@pytest.mark.slow
def test_demo_once_tells_the_whole_story_and_exits(tmp_path):
    result = demo_once(tmp_path, str(free_port()), str(free_port()))
    assert result.returncode == 0, result.stderr
    for name in ("Identity", "ContributionPoints", "CommunityPass", "PrizeVault"):
        assert name in result.stdout
    assert (tmp_path / "31337.json").exists()
    assert "claims" in result.stdout and "done (--once)" in result.stdout
    # Genesis is the deployment week's Monday: the story's week is epoch 0.
    assert (tmp_path / "demo" / "distributions" / "31337" / "epoch-0.json").exists()


@pytest.mark.slow
def test_demo_serves_until_ctrl_c_then_stops_what_it_started(tmp_path):
    chain_port, api_port = str(free_port()), free_port()
    said: list[str] = []
    demo = _serving_demo(chain_port, api_port, tmp_path, said)
    try:
        docs = httpx.get(f"http://127.0.0.1:{api_port}/docs", timeout=10)
        assert docs.status_code == 200
        # it names the web app's address beside the docs, and the app is served there
        web = f"http://127.0.0.1:{api_port}/"
        assert any(f"web app at {web} ; API docs at {web}docs" in line for line in said), said
        app = httpx.get(web, timeout=10)
        assert app.status_code == 200 and '<div id="app">' in app.text
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
    for port in (int(chain_port), api_port):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open"


def demo_once(folder: Path, chain_port: str, api_port: str) -> subprocess.CompletedProcess[str]:
    """``ape run demo --once`` with its manifest in ``folder`` and work folder ``folder/demo``."""
    return ape_run(
        "demo",
        "--once",
        "--port",
        chain_port,
        "--api-port",
        api_port,
        "--manifest-dir",
        str(folder),
        "--workdir",
        str(folder / "demo"),
    )


def _serving_demo(
    chain_port: str, api_port: int, folder: Path, said: list[str] | None = None
) -> subprocess.Popen[str]:
    """``ape run demo`` serving from ``folder`` (manifest and work folder), once it serves;
    what it printed until then goes into ``said``."""
    demo = subprocess.Popen(
        [
            APE,
            "run",
            "demo",
            "--port",
            chain_port,
            "--api-port",
            str(api_port),
            "--manifest-dir",
            str(folder),
            "--workdir",
            str(folder / "demo"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PLANET_LOG_FORMAT": "json"},
    )
    said = [] if said is None else said
    assert demo.stdout is not None
    for line in demo.stdout:
        said.append(line)
        if "Ctrl-C stops everything" in line:
            return demo
    demo.kill()
    pytest.fail("the demo ended before serving:\n" + "".join(said))


@pytest.mark.slow
def test_a_second_demo_in_a_folder_in_use_is_refused_and_a_rerun_in_it_passes(tmp_path):
    """A second demo in the folder of a running one is refused before it touches anything (it
    used to delete the first one's database and overwrite its manifest); one in folders of its
    own runs beside it; once the first has stopped, its folder tells the story again."""
    chain_port, api_port = str(free_port()), free_port()
    first = _serving_demo(chain_port, api_port, tmp_path)
    try:
        database = tmp_path / "demo" / "planet.sqlite"
        inode, manifest = database.stat().st_ino, (tmp_path / "31337.json").read_bytes()
        refused = demo_once(tmp_path, str(free_port()), str(free_port()))
        assert refused.returncode == 1
        assert "another demo (pid " in refused.stderr and "--workdir" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert database.stat().st_ino == inode
        assert (tmp_path / "31337.json").read_bytes() == manifest
        epochs = httpx.get(f"http://127.0.0.1:{api_port}/rewards/epochs", timeout=10)
        assert epochs.status_code == 200 and epochs.json()["items"]

        other = tmp_path / "other"
        beside = demo_once(other, str(free_port()), str(free_port()))
        assert beside.returncode == 0, beside.stderr
        assert httpx.get(f"http://127.0.0.1:{api_port}/health", timeout=10).status_code == 200
    finally:
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=60) == 0

    again = demo_once(tmp_path, chain_port, str(api_port))
    assert again.returncode == 0, again.stderr
    assert "done (--once)" in again.stdout


@pytest.mark.slow
def test_a_demo_joining_a_chain_that_told_the_story_tells_it_again(tmp_path):
    """The demo joins a chain already listening on its port; one that an earlier telling used
    (identities registered, a week closed) gets fresh contracts, so the story runs again."""
    chain_port = free_port()
    anvil = subprocess.Popen(
        ["anvil", "--port", str(chain_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(2):
            told = demo_once(tmp_path, str(chain_port), str(free_port()))
            assert told.returncode == 0, told.stderr
            assert "done (--once)" in told.stdout
    finally:
        anvil.terminate()
        anvil.wait(timeout=30)


def test_deploy_dry_run_prints_the_plan_and_writes_nothing(tmp_path):
    args = ("deploy", "--network", "ethereum:local", "--manifest-dir", str(tmp_path), "--dry-run")
    result = ape_run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(" deploy at 0x") == 4
    assert "estimated cost" in result.stdout and "unknown" not in result.stdout
    assert "attester" in result.stdout and "(deployer)" in result.stdout
    assert not (tmp_path / "31337.json").exists()
