"""The set-up's failure-point model: trained once, cached by fingerprint, never a failed set-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from assistant.analytics import failure_point as fp
from assistant.analytics import training
from assistant.analytics.synthetic import SyntheticConfig, generate
from assistant.paths import DataDir


def _fake_logs(data, plan, say, timings):
    return [list(generate(seed, SyntheticConfig(users=2, days=1))) for seed in (1, 2)]


@pytest.fixture()
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataDir:
    monkeypatch.setattr(training, "simulate", _fake_logs)
    monkeypatch.setattr(training, "INPUTS", ("assistant/analytics",))   # others edit the simulator meanwhile
    data = DataDir(tmp_path).ensure()
    data.fingerprint_file.write_text(json.dumps({"fingerprint": "rasa-1"}))
    return data


def test_trains_once_then_is_current(data: DataDir) -> None:
    first = training.ensure_model(data)
    assert first.trained and first.info is not None
    assert first.info.origin == training.SETUP_ORIGIN and first.info.n_pretrain > 0
    assert "seed 101" in first.info.source
    assert fp.FailurePointModel.load(training.model_folder(data)).info.fingerprint == training.fingerprint(data)
    second = training.ensure_model(data)
    assert not second.trained and second.reason == "up to date"


def test_a_new_rasa_model_retrains(data: DataDir) -> None:
    training.ensure_model(data)
    data.fingerprint_file.write_text(json.dumps({"fingerprint": "rasa-2"}))
    assert training.needs_training(data) is not None
    assert training.ensure_model(data).trained


def test_a_model_trained_by_hand_is_kept(data: DataDir) -> None:
    logs = _fake_logs(None, None, None, None)
    model = training.train_on_logs(logs, origin="analyze", source="my own log")
    model.save(training.model_folder(data))
    assert training.needs_training(data) is None
    assert not training.ensure_model(data).trained


@pytest.mark.parametrize("damage", [b"", b"garbage"])
def test_a_corrupt_model_is_retrained(data: DataDir, damage: bytes) -> None:
    training.ensure_model(data)
    (training.model_folder(data) / fp.MODEL_FILE).write_bytes(damage)
    assert "could not load" in (training.needs_training(data) or "")
    assert training.ensure_model(data).trained


def test_a_failed_simulation_is_reported_not_raised(data: DataDir, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args):
        raise RuntimeError("no Rasa model at nowhere")

    monkeypatch.setattr(training, "simulate", broken)
    outcome = training.ensure_model(data)
    assert not outcome.trained and "no Rasa model" in outcome.reason
    console = Console(record=True, width=200)
    assert training.run_setup(data, console) == 0
    assert "will use rules" in console.export_text()


def test_run_setup_says_what_it_trained(data: DataDir) -> None:
    console = Console(record=True, width=300)
    assert training.run_setup(data, console) == 0
    assert training.run_setup(data, console) == 0
    text = console.export_text()
    assert "Trained the failure-point model" in text and "up to date" in text


def test_the_pretraining_runs_only_while_truth_is_scarce() -> None:
    logs = _fake_logs(None, None, None, None)
    scarce = training.train_on_logs(logs)
    plenty = training.train_on_logs(logs, training.SetupPlan(pretrain_below=1))
    assert scarce.info.n_pretrain > 0 and plenty.info.n_pretrain == 0
    assert plenty.info.n_train == scarce.info.n_train


def test_the_plan_names_its_real_phrasing_runs() -> None:
    plan = training.SetupPlan()
    assert [r.seed for r in plan.runs] == list(range(101, 113))
    assert [r.phrasing for r in plan.runs].count("real") == 8
    assert [r.independent_asr_confidence for r in plan.runs].count(True) == 6
    assert "seed 103: 24 users x 4 days, real phrasing (HWU64)" in plan.describe()
    assert "seed 104: 24 users x 4 days, ASR confidence independent of damage, real phrasing (HWU64)" \
        in plan.describe()
