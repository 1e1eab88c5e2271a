"""Distribution files at the URI ``planet epoch close`` records on chain: the close writes the
file under the API's folder and proposes ``<api>/distributions/<chain>/epoch-<N>.json``; that
URI, fetched over HTTP, is the file whose keccak256 the vault recorded. Nothing outside the
folder is ever served."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from click.testing import CliRunner
from eth_utils import keccak

from api.app import create_app
from api.settings import ApiSettings
from planet.commands.main import main
from planet.rewards.close import DEFAULT_OUT_DIR
from tests.support.api import SECRET, error
from tests.support.servers import serving

ROOT = Path(__file__).resolve().parents[2]
KEY_ENV = "PLANET_TEST_DISTRIBUTOR_KEY"


def test_the_uri_epoch_close_records_answers_with_the_file_the_vault_hashed(
    deployed, database, chain, accounts, tmp_path
):
    manifest, vault, manifest_file = deployed
    url, _ = database
    out = tmp_path / "published"
    settings = ApiSettings(
        database_url=url, chain_id=manifest.chain_id, session_secret=SECRET, distributions_dir=out
    )
    with serving(create_app(settings)) as api_url:
        args = [
            "epoch", "close", "0",
            "--database-url", url,
            "--manifest", str(manifest_file),
            "--rpc", accounts[0].provider.uri,
            "--out-dir", str(out),
            "--uri-base", f"{api_url}/distributions",
            "--private-key-env", KEY_ENV,
            "--config", str(ROOT / "config" / "scoring.yaml"),
        ]  # fmt: skip
        closed = CliRunner().invoke(main, args, env={KEY_ENV: accounts[0].private_key})
        assert closed.exit_code == 0, closed.output
        [event] = list(vault.RootProposed.range(0, chain.blocks.head.number + 1))
        assert event.uri == f"{api_url}/distributions/{manifest.chain_id}/epoch-0.json"
        fetched = httpx.get(event.uri)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "application/json"
    assert keccak(fetched.content) == bytes(event.fileHash)
    assert fetched.content == (out / str(manifest.chain_id) / "epoch-0.json").read_bytes()


def test_missing_files_traversal_and_links_out_of_the_folder_are_refused(make_client, tmp_path):
    folder = tmp_path / "distributions"
    (folder / "31337").mkdir(parents=True)
    (folder / "31337" / "epoch-1.json").write_bytes(b'{"format":"planet.distribution/1"}')
    secret = tmp_path / "secret.json"
    secret.write_text('{"key": "do not serve"}')
    os.symlink(secret, folder / "31337" / "epoch-2.json")
    client = make_client(distributions_dir=folder)

    served = client.get("/distributions/31337/epoch-1.json")
    assert served.content == b'{"format":"planet.distribution/1"}'
    assert error(client.get("/distributions/31337/epoch-0.json")) == (404, "not_found")
    assert error(client.get("/distributions/31337/epoch-2.json")) == (
        404,
        "not_found",
    )  # a link out
    for path in (
        "/distributions/31337/..%2F..%2Fsecret.json",
        "/distributions/..%2F..%2Fsecret.json",
        "/distributions/31337/epoch-1.json%2F..%2F..%2F..%2Fsecret.json",
    ):
        assert error(client.get(path))[0] == 404, path
    for path in (
        "/distributions/31337/epoch-..json",
        "/distributions/x/epoch-1.json",
        "/distributions/0/epoch-1.json",
        "/distributions/31337/epoch--1.json",
    ):
        assert error(client.get(path)) == (422, "validation_error"), path
    assert error(make_client(distributions_dir=None).get("/distributions/31337/epoch-1.json")) == (
        503,
        "rewards_unavailable",
    )


def test_the_folder_defaults_to_where_epoch_close_writes():
    assert ApiSettings(session_secret=SECRET).distributions_dir == DEFAULT_OUT_DIR
    assert ApiSettings(session_secret=SECRET, distributions_dir="").distributions_dir is None
