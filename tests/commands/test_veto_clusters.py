"""`planet vault veto --cluster`: the guardian's reason names the flagged clusters that
`planet epoch close --dry-run` printed, and is published on chain with the veto."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from planet.commands.main import main


def cli(args: list[str], env: dict[str, str]) -> Any:
    return CliRunner(mix_stderr=False).invoke(main, args, env=env)


def test_a_veto_names_the_flagged_clusters_in_its_reason(planet, rpc_url, manifest_file):
    admin = planet.actors.admin  # holds the guardian role on the test deployment
    planet.fund(0, 10**18, planet.actors.users[5])
    root = bytes.fromhex("ab" * 32)
    planet.send(
        planet.vault.functions.proposeRoot(0, root, 10**18, "ipfs://e0", b"\x01" * 32), admin
    )
    env = {
        "PLANET_RPC_URL": rpc_url,
        "PLANET_MANIFEST": str(manifest_file),
        "PLANET_PRIVATE_KEY": "0x" + bytes(admin.key).hex(),
    }
    empty = cli(["vault", "veto", "0", "--reason", "farm", "--cluster", " ", "--yes"], env)
    assert empty.exit_code == 1 and "--cluster must name a cluster key" in empty.stderr

    args = ["vault", "veto", "0", "--reason", "pays a farm", "--yes", "--json"]
    vetoed = cli([*args, "--cluster", "ring:2207", "--cluster", "recovery:0x" + "77" * 20], env)
    assert vetoed.exit_code == 0, vetoed.stderr
    reason = f"pays a farm [flagged clusters: ring:2207, recovery:0x{'77' * 20}]"
    assert reason in vetoed.stdout
    [event] = planet.vault.events.RootVetoed.get_logs(from_block=0)
    assert event["args"]["reason"] == reason and event["args"]["epoch"] == 0
