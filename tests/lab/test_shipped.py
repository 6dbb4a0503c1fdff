"""`assistant build-models`: both shipped models from one seeded plan, written whole, described."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import shipped, similarity
from assistant.analytics import failure_point as fp
from assistant.selflearn.model import LabelModel
from lab import shipped as build
from lab.analytics.synthetic import SyntheticConfig, generate
from lab.analytics.training import SetupPlan, SimRun

PLAN = SetupPlan(runs=(SimRun(1, 4, 2), SimRun(2, 4, 2)), workers=1)
EVAL = (SimRun(7, 3, 1),)


def _play(model_file, runs, say, timings, **_options):
    assert model_file == Path("rasa.tar.gz")
    return [list(generate(run.seed, SyntheticConfig(users=run.users, days=run.days))) for run in runs]


@pytest.fixture(autouse=True)
def _token_similarity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(similarity, "segment_similarity", similarity.token_similarity)


def test_builds_both_models_with_their_description(tmp_path: Path) -> None:
    out = tmp_path / "models"
    outcome = build.build(Path("rasa.tar.gz"), out, plan=PLAN, eval_runs=EVAL, play=_play)
    fp_model = fp.FailurePointModel.load(out / shipped.FAILURE_POINTS)
    labels = LabelModel.load(out / shipped.LABELS)
    meta = json.loads((out / shipped.META_FILE).read_text())
    assert meta["fingerprint"] == shipped.feature_fingerprint() == fp_model.info.fingerprint
    assert meta["command"] == "assistant build-models" and meta["seeds"] == [1, 2]
    assert meta["held_out_seeds"] == [7]
    assert fp_model.info.origin == labels.info.origin == "shipped"
    assert meta["scores"]["training_turns"] == fp_model.info.n_train > 0
    assert meta["scores"]["seed 7"]["turns"] > 0 and outcome.scores == meta["scores"]
    assert shipped.stale_reason(out) is None


def test_the_same_seeds_build_the_same_models(tmp_path: Path) -> None:
    build.build(Path("rasa.tar.gz"), tmp_path / "a", plan=PLAN, eval_runs=(), play=_play)
    build.build(Path("rasa.tar.gz"), tmp_path / "b", plan=PLAN, eval_runs=(), play=_play)
    rows = [{"asr_confidence": c / 10, "oov_rate": o / 4} for c in range(11) for o in range(5)]
    a = fp.FailurePointModel.load(tmp_path / "a" / shipped.FAILURE_POINTS)
    b = fp.FailurePointModel.load(tmp_path / "b" / shipped.FAILURE_POINTS)
    assert a.predict(rows) == b.predict(rows)
    la, lb = LabelModel.load(tmp_path / "a" / shipped.LABELS), LabelModel.load(tmp_path / "b" / shipped.LABELS)
    assert la.info.thresholds == lb.info.thresholds


def test_a_failed_build_leaves_the_models_in_place(tmp_path: Path) -> None:
    out = tmp_path / "models"
    build.build(Path("rasa.tar.gz"), out, plan=PLAN, eval_runs=(), play=_play)
    before = (out / shipped.META_FILE).read_text()

    def no_truth(*args, **kwargs):
        logs = _play(*args, **kwargs)
        for log in logs:
            for record in log:
                record.truth = None
        return logs

    with pytest.raises(ValueError, match="no ground truth"):
        build.build(Path("rasa.tar.gz"), out, plan=PLAN, eval_runs=(), play=no_truth)
    assert (out / shipped.META_FILE).read_text() == before
