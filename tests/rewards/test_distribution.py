"""The distribution file: build, write, verify, the npm reference root, `planet epoch verify`."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from click.testing import CliRunner
from eth_utils import keccak

from planet.commands.main import main
from planet.rewards.distribution import (
    FORMAT,
    DistributionError,
    build_distribution,
    digest_inputs,
    file_hash,
    read,
    verify_distribution,
)
from tests.support.oz_merkle import build_tree

ACCOUNTS = ["0x" + bytes([i]).hex() * 20 for i in range(1, 8)]
SCORES = {a: i * 3 + 1 for i, a in enumerate(ACCOUNTS)} | {"0x" + "ee" * 20: 0}
VAULT = "0x" + "aa" * 20


def _distribution(pool=1_000_003, cap_share=Fraction(1, 5), scores=None):
    return build_distribution(
        chain_id=31337,
        vault=VAULT,
        epoch=4,
        pool=pool,
        scores=SCORES if scores is None else scores,
        formula_name="planet-weekly",
        formula_version="1",
        weights={"post": 3, "reply": 1},
        inputs_digest=digest_inputs({"events": [1, 2, 3]}),
        trade_exchanges=["okx"],
        cap_share=cap_share,
    )


@pytest.fixture
def written(tmp_path):
    path = tmp_path / "epoch-4.json"
    _distribution().write(path)
    return path


def _edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    return data


def test_layout():
    data = _distribution().data
    assert data["format"] == FORMAT
    assert [e["account"].lower() for e in data["allocations"]] == sorted(
        a.lower() for a in ACCOUNTS
    )
    assert "0x" + "ee" * 20 not in {e["account"].lower() for e in data["allocations"]}
    assert int(data["total"]) + int(data["unallocated"]) == 1_000_003
    assert data["formula"]["cap_share"] == "1/5"
    assert data["merkle"]["format"] == "standard-v1"


def test_round_trip_verifies(written):
    raw, data = read(written)
    assert raw == json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    report = verify_distribution(data)
    assert report.ok, report.problems
    assert report.epoch == 4 and report.accounts == len(ACCOUNTS)
    assert file_hash(written) == "0x" + keccak(raw).hex() == file_hash(raw)


def test_root_equals_the_npm_reference(written):
    _, data = read(written)
    leaves = [(e["account"], int(e["amount"])) for e in data["allocations"]]
    reference = build_tree(leaves)
    assert data["root"] == "0x" + reference.root.hex()
    assert data["merkle"]["tree"] == reference.dump["tree"]


def test_fraction_scores_and_all_capped():
    dist = _distribution(
        pool=10, cap_share=Fraction(1, 3), scores={a: Fraction(1, 3) for a in ACCOUNTS[:3]}
    )
    assert dist.total == 9 and dist.data["unallocated"] == "1"
    assert verify_distribution(json.loads(dist.to_bytes())).ok


def test_edited_amount_names_the_account(written):
    data = _edit(
        written,
        lambda d: d["allocations"][2].update(amount=str(int(d["allocations"][2]["amount"]) + 1)),
    )
    account = data["allocations"][2]["account"]
    report = verify_distribution(data)
    assert not report.ok
    assert any(account in p and "the tree's leaf says" in p for p in report.problems)
    assert any("not the total" in p for p in report.problems)


def test_edited_tree_value_names_the_leaf(written):
    def change(d):
        d["merkle"]["values"][1]["value"][1] = "5"

    data = _edit(written, change)
    report = verify_distribution(data)
    assert not report.ok
    account = data["merkle"]["values"][1]["value"][0]
    assert any("leaf 1" in p and account in p for p in report.problems)


def test_edited_amount_and_tree_together_fail_on_the_recomputed_root(written):
    def change(d):
        e = d["allocations"][0]
        e["amount"] = str(int(e["amount"]) - 1)
        leaves = [(x["account"], int(x["amount"])) for x in d["allocations"]]
        from planet.core.merkle import StandardMerkleTree

        tree = StandardMerkleTree.of(leaves)
        d["merkle"] = tree.dump()
        d["root"] = tree.root_hex
        d["total"] = str(sum(v for _, v in leaves))
        d["unallocated"] = str(int(d["pool"]) - int(d["total"]))

    data = _edit(written, change)
    report = verify_distribution(data)
    account = data["allocations"][0]["account"]
    assert any(account in p and "the scores give" in p for p in report.problems)


def test_malformed_file_is_a_problem_not_an_exception():
    assert not verify_distribution([]).ok
    assert not verify_distribution({"format": FORMAT}).ok
    assert not verify_distribution({"format": "other"}).ok


def test_nothing_to_distribute():
    with pytest.raises(DistributionError, match="nothing to distribute"):
        _distribution(scores={ACCOUNTS[0]: 0})
    with pytest.raises(DistributionError, match="inputs_digest"):
        build_distribution(
            chain_id=1,
            vault=VAULT,
            epoch=0,
            pool=1,
            scores={ACCOUNTS[0]: 1},
            formula_name="f",
            formula_version="1",
            weights={},
            inputs_digest="0x12",
            trade_exchanges=["okx"],
        )


# ---------------------------------------------------------------- planet epoch verify


def _verify(*args):
    return CliRunner().invoke(main, ["epoch", "verify", *map(str, args)])


def test_cli_ok(written):
    result = _verify(written)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK ") and result.output.count("\n") == 1
    assert file_hash(written) in result.output


def test_cli_edited(written):
    data = _edit(written, lambda d: d["allocations"][0].update(amount="1"))
    result = _verify(written)
    assert result.exit_code == 1
    assert data["allocations"][0]["account"] in result.output
    assert "Traceback" not in result.output


def test_cli_missing_file(tmp_path):
    result = _verify(tmp_path / "nope.json")
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "nope.json" in result.output


def test_cli_bad_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    result = _verify(path)
    assert result.exit_code == 2
    assert "not valid JSON" in result.output and "Traceback" not in result.output


def test_cli_unreachable_rpc(written):
    result = _verify(written, "--rpc", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
