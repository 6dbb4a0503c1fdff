from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.analytics import failure_point as fp
from assistant.analytics.pipeline import analyze, training_set
from lab.analytics.synthetic import SyntheticConfig, generate
from tests.assistant.analytics.helpers import numbered, turn


def _points(*records):
    analysis = analyze(numbered(*records))
    return analysis.points


def test_rules_name_each_stage() -> None:
    assert _points(turn(0, "turn on the kitchen light", "turn_on", entities={"device": "kitchen light"},
                        directives=["turn_on kitchen_light"])) == ["correct"]
    assert _points(turn(0, "turn on the kitten lied", "turn_on", asr_confidence=0.35,
                        feedback={"repeat": True}),
                   turn(5, "turn on the kitchen light", "turn_on"))[0] == "asr"
    assert _points(turn(0, "turn on the garage light", "turn_on", entities={"device": "garage light"},
                        refused=[["turn_on garage_light", "NO_SUCH_DEVICE", "none"]],
                        feedback={"rephrase": True}),
                   turn(6, "switch on the garage lamp", "turn_on"))[0] == "entity_resolution"
    assert _points(turn(0, "what's the weather in atlantis", "ask_weather", problems=["UNKNOWN_CITY"],
                        feedback={"rephrase": True}),
                   turn(6, "weather in atlanta", "ask_weather"))[0] == "entity_resolution"
    assert _points(turn(0, "kitchen light go", "nlu_fallback", confidence=0.3, feedback={"rephrase": True}),
                   turn(6, "turn on the kitchen light", "turn_on"))[0] == "nlu"
    assert _points(turn(0, "play hunger games", "play_media", entities={"media_title": "hunger games"},
                        directives=["play tv hunger games"]),
                   turn(4, "no that's wrong", "complain"))[0] == "result"
    assert _points(turn(0, "hmm", "out_of_scope", confidence=0.4, asr_confidence=0.3,
                        feedback={"dissatisfaction": True}))[0] == "false_wake"


def _trained(seed: int = 0, users: int = 3) -> tuple[fp.FailurePointModel, list[dict]]:
    analysis = analyze(list(generate(seed, SyntheticConfig(users=users, days=1))))
    rows, labels = training_set(analysis)
    return fp.FailurePointModel.train(rows, labels, seed=0, source="test"), rows


def test_model_round_trip(tmp_path: Path) -> None:
    model, rows = _trained()
    model.save(tmp_path)
    loaded = fp.FailurePointModel.load(tmp_path)
    assert loaded.predict(rows) == model.predict(rows)
    meta = json.loads((tmp_path / fp.META_FILE).read_text())
    assert meta["feature_version"] == fp.FEATURE_VERSION and meta["n_train"] == len(rows)


def test_missing_model_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(fp.ModelUnavailable, match="--train"):
        fp.FailurePointModel.load(tmp_path)


@pytest.mark.parametrize("field,value,message", [("sklearn_version", "0.1.0", "scikit-learn 0.1.0"),
                                                 ("feature_version", 999, "features version 999")])
def test_model_from_another_version_is_refused(tmp_path: Path, field: str, value, message: str) -> None:
    model, _ = _trained()
    model.save(tmp_path)
    meta = json.loads((tmp_path / fp.META_FILE).read_text())
    meta[field] = value
    (tmp_path / fp.META_FILE).write_text(json.dumps(meta))
    with pytest.raises(fp.ModelUnavailable, match=message):
        fp.FailurePointModel.load(tmp_path)


def test_corrupt_model_file_is_refused(tmp_path: Path) -> None:
    model, _ = _trained()
    model.save(tmp_path)
    (tmp_path / fp.MODEL_FILE).write_bytes(b"not a model")
    with pytest.raises(fp.ModelUnavailable, match="could not load"):
        fp.FailurePointModel.load(tmp_path)


def test_training_needs_two_classes() -> None:
    with pytest.raises(ValueError, match="two failure-point classes"):
        fp.FailurePointModel.train([{"a": 1.0}], ["correct"])


def test_model_beats_rules_on_held_out_synthetic_users() -> None:
    from assistant.analytics import evaluate

    model, _ = _trained(seed=1, users=12)
    held_out = list(generate(2, SyntheticConfig(users=12, days=1)))
    by_model = analyze(held_out, model=model)
    by_rules = analyze(held_out)
    assert evaluate.failure_points(by_model)["accuracy_on_failed_turns"] > \
        evaluate.failure_points(by_rules)["accuracy_on_failed_turns"]


def test_points_are_the_shared_enum_and_the_saved_model_holds_plain_strings(tmp_path: Path) -> None:
    from assistant.outcomes import FailurePoint

    points = _points(turn(0, "what's the weather in atlantis", "ask_weather", problems=["UNKNOWN_CITY"],
                          feedback={"rephrase": True}),
                     turn(6, "weather in atlanta", "ask_weather"))
    assert points[0] is FailurePoint.ENTITY_RESOLUTION
    model, rows = _trained()
    assert all(type(label) is str for label in model.pipeline.classes_.tolist())
    model.save(tmp_path)
    assert b"assistant.outcomes" not in (tmp_path / fp.MODEL_FILE).read_bytes()   # loads without this module
    predicted = fp.FailurePointModel.load(tmp_path).predict(rows)
    assert predicted and all(isinstance(p, FailurePoint) for p in predicted)


def test_leaves_shrink_on_a_small_log_only() -> None:
    assert fp.leaf_size(209) == 5 and fp.leaf_size(2_000) == 10
    assert fp.leaf_size(10_058) == fp.leaf_size(100_000) == 20
