"""The failure-point model's fit for the shipped models: the plan's seeds, the truth as target."""

from __future__ import annotations

import pytest

from assistant.analytics import failure_point as fp
from lab.analytics import training
from lab.analytics.synthetic import SyntheticConfig, generate


def _logs(*seeds: int) -> list[list]:
    return [list(generate(seed, SyntheticConfig(users=2, days=1))) for seed in seeds]


def test_the_plan_plays_eighteen_seeded_runs_beyond_the_evaluation_seeds() -> None:
    plan = training.SetupPlan()
    assert plan.seeds == tuple(range(101, 119))
    assert {run.phrasing for run in plan.runs} == {"templates", "real"}
    assert any(run.independent_asr_confidence for run in plan.runs)
    assert plan.max_simulation_seconds == float("inf")         # no guard: the same logs everywhere
    assert "seed 101: 24 users x 4 days" in plan.describe()


def test_the_plan_plays_the_learning_arm_with_its_nightly_jobs_too() -> None:
    runs = training.SetupPlan().runs
    learning = [run for run in runs if run.arm != "baseline"]
    assert {run.arm for run in learning} == {"full"} and len(learning) == 6
    assert [run.seed for run in learning] == list(range(113, 119))
    assert {run.phrasing for run in learning} == {"templates", "real"}
    assert "full arm" in learning[0].describe() and "arm" not in runs[0].describe()
    # without the nightly retrain (minutes a night), a learning run costs what a baseline one does
    assert all(run.without == ("nlu_learning",) for run in learning)
    assert learning[0].cost == learning[0].users * learning[0].days
    assert training.SimRun(1, 20, 3, arm="full").cost == 3 * 20 * 3


def test_fits_the_truth_of_the_logs() -> None:
    model = training.train_on_logs(_logs(1, 2), origin="shipped", fingerprint="abc")
    rows, labels = training.labelled_rows(_logs(1, 2))
    assert model.info.n_train == len(rows) == len(labels) > 0
    assert model.info.origin == "shipped" and model.info.fingerprint == "abc"
    assert set(model.info.classes) <= {p.value for p in fp.FailurePoint}


def test_the_same_logs_give_the_same_model() -> None:
    one, two = training.train_on_logs(_logs(3, 4)), training.train_on_logs(_logs(3, 4))
    rows, _ = training.labelled_rows(_logs(5))
    assert one.predict(rows) == two.predict(rows)


def test_logs_without_truth_are_an_error() -> None:
    logs = _logs(1)
    for record in logs[0]:
        record.truth = None
    with pytest.raises(ValueError, match="no ground truth"):
        training.train_on_logs(logs)


def test_a_missing_rasa_model_is_named(tmp_path) -> None:
    with pytest.raises(RuntimeError, match="no Rasa model"):
        training.simulate(tmp_path / "none.tar.gz", training.SetupPlan().runs, print, {})
