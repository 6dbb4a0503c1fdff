"""The models shipped as package data: current with the feature code, loaded by default, and a
clear one-line message (then the rules) when one is missing, damaged or from other code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant import shipped
from assistant.analytics import failure_point as fp
from assistant.cli import main
from assistant.learning.log import InteractionLog
from assistant.paths import DataDir
from assistant.selflearn.model import LabelModel
from assistant.selflearn.night import load_models
from lab.analytics.synthetic import SyntheticConfig, write


def test_the_shipped_models_were_built_from_this_feature_code() -> None:
    # Fails when the feature code changed and `assistant build-models` was not run again.
    assert shipped.stale_reason() is None, f"{shipped.stale_reason()}: {shipped.hint()}"


def test_the_shipped_models_load_and_say_how_they_were_built() -> None:
    model = fp.FailurePointModel.load(shipped.SHIPPED_DIR / shipped.FAILURE_POINTS)
    labels = LabelModel.load(shipped.SHIPPED_DIR / shipped.LABELS)
    info = shipped.ShippedInfo.read()
    assert model.info.origin == labels.info.origin == "shipped"
    assert info.command == "assistant build-models" and info.seeds == tuple(range(101, 119))
    assert info.scores and info.scores["training_turns"] == model.info.n_train > 5000
    held_out = [v for k, v in info.scores.items() if k.startswith("seed ")]
    assert held_out and all(v["failure_point_accuracy_on_failed_turns"] > 0.8 for v in held_out)


def test_a_fresh_data_folder_uses_the_shipped_models(tmp_path: Path) -> None:
    fp_model, label_model, notes = load_models(DataDir(tmp_path))
    assert fp_model is not None and label_model is not None and notes == []
    assert shipped.folder_for(shipped.FAILURE_POINTS, DataDir(tmp_path)) == shipped.SHIPPED_DIR / "failure_points"


def test_a_model_fitted_by_hand_in_the_data_folder_wins_and_an_old_set_up_model_does_not(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    own = tmp_path / "analytics"
    shutil.copytree(shipped.SHIPPED_DIR / shipped.FAILURE_POINTS, own)
    meta = json.loads((own / fp.META_FILE).read_text())
    (own / fp.META_FILE).write_text(json.dumps({**meta, "origin": "analyze"}))
    assert shipped.folder_for(shipped.FAILURE_POINTS, data) == own
    (own / fp.META_FILE).write_text(json.dumps({**meta, "origin": "setup"}))
    assert shipped.folder_for(shipped.FAILURE_POINTS, data) == shipped.SHIPPED_DIR / shipped.FAILURE_POINTS


@pytest.fixture()
def broken_shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "shipped"
    shutil.copytree(shipped.SHIPPED_DIR, folder)
    monkeypatch.setattr(shipped, "SHIPPED_DIR", folder)
    return folder


def _analyze_log(root: Path) -> dict:
    root.mkdir(parents=True, exist_ok=True)
    with InteractionLog.open(DataDir(root).learning_url) as log:
        write(log, 3, SyntheticConfig(users=2, days=1))
    out = root / "report.json"
    assert main(["analyze", "--data-dir", str(root), "--similarity", "tokens", "--json", str(out)]) == 0
    return json.loads(out.read_text())


@pytest.mark.parametrize("damage", ["missing", "corrupt", "other_version"])
def test_a_bad_shipped_model_is_named_with_what_to_run_and_the_rules_answer(
        broken_shipped: Path, tmp_path: Path, damage: str) -> None:
    folder = broken_shipped / shipped.FAILURE_POINTS
    if damage == "missing":
        (folder / fp.MODEL_FILE).unlink()
    elif damage == "corrupt":
        (folder / fp.MODEL_FILE).write_bytes(b"\x80\x04not a pickle")
    else:
        meta = json.loads((folder / fp.META_FILE).read_text())
        (folder / fp.META_FILE).write_text(json.dumps({**meta, "feature_version": meta["feature_version"] - 1}))
    report = _analyze_log(tmp_path / "data")
    note = report["failure_point_note"]
    assert report["failure_point_method"] == "rules"
    assert "\n" not in note and str(folder) in note and "assistant build-models" in note


def test_a_bad_shipped_label_model_leaves_labels_to_the_rules(broken_shipped: Path, tmp_path: Path) -> None:
    (broken_shipped / shipped.LABELS / "label_model.joblib").write_bytes(b"")
    fp_model, label_model, notes = load_models(DataDir(tmp_path))
    assert fp_model is not None and label_model is None
    assert len(notes) == 1 and "assistant build-models" in notes[0] and "label_model.joblib" in notes[0]


def test_a_missing_description_is_stale(broken_shipped: Path) -> None:
    (broken_shipped / shipped.META_FILE).unlink()
    assert "missing" in (shipped.stale_reason(broken_shipped) or "")
    (broken_shipped / shipped.META_FILE).write_text(json.dumps({"fingerprint": "other"}))
    assert "other feature code" in (shipped.stale_reason(broken_shipped) or "")


def test_models_built_from_other_feature_code_are_used_with_a_warning(broken_shipped: Path, tmp_path: Path) -> None:
    meta = json.loads((broken_shipped / shipped.META_FILE).read_text())
    (broken_shipped / shipped.META_FILE).write_text(json.dumps({**meta, "fingerprint": "older code"}))
    report = _analyze_log(tmp_path / "data")
    assert report["failure_point_method"] == "model"
    assert "other feature code" in report["failure_point_note"] and "assistant build-models" in report["failure_point_note"]
