"""The scoring config: strict validation naming the key, per-epoch weights, exact scores."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from planet.rewards.scoring import (
    DEFAULT_PATH,
    DEFAULT_TRADE_EXCHANGES,
    ScoringConfigError,
    load,
    parse,
)

ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = {"view": 1, "like": 2, "comment": 3, "live_attendance": 4, "points": 1, "trade": "1/10"}


def doc(**changes):
    data = {"name": "planet-weekly", "version": "1", "weights": dict(WEIGHTS), "cap_share": "1/10"}
    data.update(changes)
    return data


def test_the_shipped_config_is_valid():
    config = load(ROOT / DEFAULT_PATH)
    assert config.cap_share == Fraction(1, 10)
    assert set(config.weights) == set(WEIGHTS)
    assert config.trade_exchanges == ("okx",)


def test_the_local_config_is_the_shipped_formula_plus_paper_and_a_wider_cap():
    shipped, local = load(ROOT / DEFAULT_PATH), load(ROOT / "config/scoring-local.yaml")
    assert local.trade_exchanges == ("okx", "paper")
    assert local.cap_share == Fraction(1, 2)
    assert (local.weights, local.overrides) == (shipped.weights, shipped.overrides)
    assert local.name != shipped.name


def test_trade_exchanges_default_to_okx_and_reach_every_epochs_formula():
    assert DEFAULT_TRADE_EXCHANGES == ("okx",)
    assert parse(doc()).for_epoch(3).trade_exchanges == ("okx",)
    config = parse(doc(trade_exchanges=["paper", "okx"], epochs={3: {"weights": {"like": 1}}}))
    assert config.for_epoch(3).trade_exchanges == ("okx", "paper")  # sorted
    assert config.for_epoch(4).trade_exchanges == ("okx", "paper")
    assert parse(doc(trade_exchanges=[])).for_epoch(0).trade_exchanges == ()


def test_weights_are_exact_and_scores_too():
    formula = parse(doc(weights={**WEIGHTS, "view": 0.25, "trade": "0.1"})).for_epoch(0)
    assert formula.weights["view"] == Fraction(1, 4)
    assert formula.weights["trade"] == Fraction(1, 10)
    score = formula.score({"view": 3, "like": 1, "trade": 5})
    assert score == Fraction(3, 4) + 2 + Fraction(1, 2)
    whole = parse(doc()).for_epoch(0).score({"like": 2, "points": 5})
    assert whole == 9 and isinstance(whole, int)


def test_epoch_overrides_merge_over_the_defaults_and_are_marked():
    config = parse(doc(epochs={3: {"weights": {"like": 10}}, "4": {"weights": {"trade": 0}}}))
    three, four, five = config.for_epoch(3), config.for_epoch(4), config.for_epoch(5)
    assert three.weights == {**config.weights, "like": 10} and three.overridden
    assert four.weights["trade"] == 0 and four.overridden
    assert five.weights == config.weights and not five.overridden
    assert three.weights_json()["trade"] == "1/10"


def test_no_cap_is_allowed():
    assert parse(doc(cap_share=None)).cap_share is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bonus": 1}, "bonus: unknown key"),
        ({"weights": {**WEIGHTS, "share": 1}}, "weights.share: unknown key"),
        ({"weights": {**WEIGHTS, "like": -1}}, "weights.like: must not be negative"),
        ({"weights": {**WEIGHTS, "like": "-1/2"}}, "weights.like: must not be negative"),
        ({"weights": {**WEIGHTS, "like": "a lot"}}, "weights.like: 'a lot' is not a number"),
        ({"weights": {**WEIGHTS, "like": "1/0"}}, "weights.like: '1/0' divides by zero"),
        ({"weights": {**WEIGHTS, "like": True}}, "weights.like: must be a number"),
        (
            {"weights": {k: v for k, v in WEIGHTS.items() if k != "comment"}},
            "weights.comment: missing",
        ),
        ({"weights": dict.fromkeys(WEIGHTS, 0)}, "weights: at least one weight must be positive"),
        ({"weights": [1, 2]}, "weights: must be a mapping"),
        ({"cap_share": "1/0"}, "cap_share: '1/0' divides by zero"),
        ({"cap_share": "3/2"}, "cap_share: must be in (0, 1]"),
        ({"cap_share": 0}, "cap_share: must be in (0, 1]"),
        ({"cap_share": "tenth"}, "cap_share: 'tenth' is not a number"),
        ({"version": ""}, "version: must be a non-empty string"),
        ({"epochs": {2: {"weights": {"like": -3}}}}, "epochs.2.weights.like: must not be negative"),
        ({"epochs": {2: {"weights": {"likes": 3}}}}, "epochs.2.weights.likes: unknown key"),
        ({"epochs": {2: {"cap_share": "1/2"}}}, "epochs.2.cap_share: unknown key"),
        ({"epochs": {2: {}}}, "epochs.2.weights: missing"),
        ({"epochs": {"next": {"weights": {}}}}, "epochs.next: an epoch must be a number"),
        ({"epochs": {-1: {"weights": {}}}}, "epochs.-1: an epoch must be a number"),
        ({"trade_exchanges": "okx"}, "trade_exchanges: must be a list of exchange names"),
        ({"trade_exchanges": None}, "trade_exchanges: must be a list of exchange names"),
        ({"trade_exchanges": {"okx": 1}}, "trade_exchanges: must be a list of exchange names"),
        ({"trade_exchanges": ["okx", "binance"]}, "trade_exchanges.1: 'binance' is not an exch"),
        ({"trade_exchanges": ["OKX"]}, "trade_exchanges.0: 'OKX' is not an exchange"),
        ({"trade_exchanges": [["okx"]]}, "trade_exchanges.0: ['okx'] is not an exchange"),
        ({"trade_exchanges": ["okx", "okx"]}, "trade_exchanges.1: 'okx' is listed twice"),
        ({"epochs": {2: {"trade_exchanges": ["paper"]}}}, "epochs.2.trade_exchanges: unknown key"),
    ],
)
def test_bad_configs_name_the_key(changes, message):
    with pytest.raises(ScoringConfigError) as err:
        parse(doc(**changes))
    assert message in str(err.value)


def test_a_missing_key_is_named():
    data = doc()
    del data["version"]
    with pytest.raises(ScoringConfigError, match="version: missing"):
        parse(data)


def test_load_names_the_file(tmp_path):
    bad = tmp_path / "scoring.yaml"
    bad.write_text("name: x\nversion: '1'\nweights: {view: 1}\n")
    with pytest.raises(ScoringConfigError, match=rf"{bad}: weights\.like: missing"):
        load(bad)
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ScoringConfigError, match="not valid YAML"):
        load(bad)
    with pytest.raises(ScoringConfigError, match="no such file"):
        load(tmp_path / "absent.yaml")
