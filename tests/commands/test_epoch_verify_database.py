"""`planet epoch verify FILE --database URL`: anyone with a mirror re-reads the week and checks
the inputs digest the file states, on both dialects; a changed week fails, and a wrong URL, an
empty database, a database without the tables or another formula's config is one clear line
with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from planet.commands.main import main
from planet.core.epochs import EpochCalendar
from planet.rewards import close, scoring
from planet.store import make_engine
from tests.support.rows import Seeder

pytestmark = pytest.mark.dialects

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "scoring.yaml"
V2 = ROOT / "config" / "scoring-v2.yaml"
VAULT = "0x" + "cd" * 20


def closed_week(
    url: str, genesis: int, out: Path, config_path: Path = CONFIG
) -> tuple[Path, Seeder, list[int]]:
    """Epoch 0 of the manifest's chain: three creators, liked by verified fans; closed by the
    formula of ``config_path`` (the published one) and written where the test can read it."""
    engine = make_engine(url)
    calendar = EpochCalendar(genesis)
    seed = Seeder(engine, at=calendar.start(0) + 60)
    fans = [seed.user(verified=True)[0] for _ in range(3)]
    posts = []
    for i in range(3):
        creator, address = seed.user()
        posts.append(seed.post(creator))
        for fan in fans[: i + 1]:
            seed.like(posts[-1], fan)
        seed.attest(address, 0, 5 * i)
    config = scoring.load(config_path)
    with engine.connect() as conn:
        inputs = close.collect_for(conn, seed.chain_id, calendar, 0, config)
    engine.dispose()
    distribution = close.build(inputs, config.for_epoch(0), 10**18, VAULT)
    path = out / "epoch-0.json"
    distribution.write(path)
    return path, seed, [*fans, *posts]


def verify(path: Path, *extra: str) -> object:
    return CliRunner().invoke(main, ["epoch", "verify", str(path), *extra])


def one_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_the_inputs_digest_is_recomputed_from_the_database(
    backend, database_url, manifest, manifest_file, new_database, tmp_path
):
    path, seed, (*_, post) = closed_week(database_url, manifest.genesis, tmp_path)
    args = ["--database", database_url, "--manifest", str(manifest_file), "--config", str(CONFIG)]

    result = verify(path, *args)
    assert result.exit_code == 0, result.output
    assert "inputs digest matches the database (3 accounts)" in result.output
    assert result.output.startswith("OK ") and "(offline)" in result.output

    # a file whose digest was edited: the scores still verify, the inputs do not
    data = json.loads(path.read_bytes())
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps({**data, "inputs_digest": "0x" + "ab" * 32}))
    result = verify(edited, *args)
    assert result.exit_code == 1 and "inputs digest 0xabab" in result.output, result.output
    assert data["inputs_digest"] in result.output  # the database's, to compare

    # the week changed after the close (a like added): the database no longer gives the file
    seed.like(post, seed.user(verified=True)[0])
    result = verify(path, *args)
    assert result.exit_code == 1, result.output
    assert f"FAIL {path}: inputs digest {data['inputs_digest']} is not" in result.output

    # a database without the week: nothing of chain 31337 in epoch 0
    empty = new_database(backend, migrated=True)
    line = one_error(verify(path, "--database", empty, "--manifest", str(manifest_file)))
    assert "holds no activity of chain 31337 in epoch 0" in line


def test_a_database_that_cannot_be_read_is_one_line(
    database_url, empty_database_url, manifest, manifest_file, tmp_path
):
    path, _, _ = closed_week(database_url, manifest.genesis, tmp_path)
    manifest_args = ["--manifest", str(manifest_file)]

    # no tables: the command that creates them is named
    bare = make_engine(empty_database_url)
    bare.connect().close()  # a SQLite file exists (a missing one is another error, below)
    bare.dispose()
    line = one_error(verify(path, "--database", empty_database_url, *manifest_args))
    assert "has no identities table: run `planet index migrate` first" in line

    # another formula: the file's version must be given
    other = tmp_path / "scoring.yaml"
    other.write_text(CONFIG.read_text().replace('version: "3"', 'version: "9"'))
    line = one_error(
        verify(path, "--database", database_url, *manifest_args, "--config", str(other))
    )
    assert "not the formula the file was closed with (version:" in line


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///{tmp}/absent/planet.sqlite", "no such database file: {tmp}/absent"),
        ("nonsense://x", "is not usable"),
        ("postgresql://postgres@127.0.0.1:9/planet", "cannot read the database"),
    ],
)
def test_a_wrong_url_is_named(url, message, database_url, manifest, manifest_file, tmp_path):
    path, _, _ = closed_week(database_url, manifest.genesis, tmp_path)
    url, message = url.format(tmp=tmp_path), message.format(tmp=tmp_path)
    line = one_error(verify(path, "--database", url, "--manifest", str(manifest_file)))
    assert message in line
    assert not (tmp_path / "absent").exists()  # no empty database left behind


def test_a_week_closed_under_v2_is_checked_with_v2(database_url, manifest, manifest_file, tmp_path):
    """The formula file keeps v2: its weeks are re-read with it, and the current formula is
    refused for them, naming the version."""
    path, _, _ = closed_week(database_url, manifest.genesis, tmp_path, V2)
    args = ["--database", database_url, "--manifest", str(manifest_file)]
    result = verify(path, *args, "--config", str(V2))
    assert result.exit_code == 0, result.output
    assert "inputs digest matches the database" in result.output
    line = one_error(verify(path, *args))
    assert "version: the file says '2', the config '3'" in line
