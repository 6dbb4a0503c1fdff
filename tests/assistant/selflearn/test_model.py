from __future__ import annotations

from pathlib import Path

import pytest

from assistant.selflearn.model import LabelModel, LabelModelUnavailable, threshold_for


def test_the_threshold_is_the_lowest_score_that_keeps_the_precision() -> None:
    scores = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5]
    right = [True, True, True, True, True, False, True]
    assert threshold_for(scores, right, 0.95, min_accepted=2) == 0.7
    assert threshold_for(scores, right, 0.8, min_accepted=2) == 0.5
    assert threshold_for(scores, [False] * 7, 0.5) > 1.0     # nothing is good enough: accept nothing


def rows(n: int) -> tuple[list[dict], list[bool], list[str]]:
    out, right, users = [], [], []
    for i in range(n):
        good = i % 4 != 0
        out.append({"kind=" + ("self" if i % 2 else "correction"): 1.0, "t_confidence": 0.9 if good else 0.3,
                    "noise": (i * 7919) % 13 / 13})
        right.append(good)
        users.append(f"u{i % 10}")
    return out, right, users


def test_a_fitted_model_separates_right_from_wrong_and_survives_a_round_trip(tmp_path: Path) -> None:
    data, right, users = rows(120)
    model = LabelModel.fit(data, right, users)
    scores = model.scores(data)
    assert min(s for s, ok in zip(scores, right) if ok) > max(s for s, ok in zip(scores, right) if not ok)
    assert set(model.info.thresholds) == {"correction", "self"}
    model.save(tmp_path)
    again = LabelModel.load(tmp_path)
    assert again.scores(data) == scores and again.info.thresholds == model.info.thresholds


def test_fitting_needs_both_right_and_wrong_labels() -> None:
    data, _, users = rows(20)
    with pytest.raises(ValueError, match="both right and wrong"):
        LabelModel.fit(data, [True] * 20, users)


def test_a_missing_or_foreign_model_is_unavailable_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(LabelModelUnavailable, match="no label model"):
        LabelModel.load(tmp_path)
    data, right, users = rows(40)
    LabelModel.fit(data, right, users).save(tmp_path)
    meta = tmp_path / "label_model.json"
    meta.write_text(meta.read_text().replace('"feature_version": 1', '"feature_version": 999'))
    with pytest.raises(LabelModelUnavailable, match="other code"):
        LabelModel.load(tmp_path)
