"""The set-up's label model: fitted on the failure-point set-up's logs, cached by fingerprint,
never replacing one fitted by hand, never a failed set-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from assistant.analytics import similarity
from assistant.analytics import training as fp_training
from assistant.analytics.synthetic import SyntheticConfig, generate
from assistant.paths import DataDir
from assistant.selflearn import setup
from assistant.selflearn.model import MODEL_FOLDER, LabelModel

SIMULATED: list[int] = []


def _fake_logs(data, plan, say, timings):
    SIMULATED.append(1)
    return [list(generate(seed, SyntheticConfig(users=4, days=2))) for seed in (1, 2)]


@pytest.fixture()
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataDir:
    SIMULATED.clear()
    monkeypatch.setattr(fp_training, "simulate", _fake_logs)
    monkeypatch.setattr(fp_training, "INPUTS", ("assistant/analytics",))
    monkeypatch.setattr(similarity, "minilm_similarity", similarity.token_similarity)
    data = DataDir(tmp_path).ensure()
    data.fingerprint_file.write_text(json.dumps({"fingerprint": "rasa-1"}))
    return data


def test_the_set_up_fits_the_label_model_on_the_same_logs_once(data: DataDir) -> None:
    console = Console(record=True, width=300)
    assert setup.needs_fitting(data) == "no label model yet"
    assert setup.run_setup(data, console) == 0
    model = LabelModel.load(data.root / MODEL_FOLDER)
    assert model.info.origin == setup.SETUP_ORIGIN and model.info.n_rows > 0
    assert model.info.fingerprint == setup.fingerprint(data)
    assert setup.needs_fitting(data) is None and SIMULATED == [1]
    assert setup.run_setup(data, console) == 0
    assert SIMULATED == [1]                       # both current: nothing simulated again
    assert "Label model (setup)" in console.export_text()


def test_a_missing_label_model_alone_replays_the_set_up(data: DataDir) -> None:
    console = Console(record=True, width=300)
    setup.run_setup(data, console)
    for file in (data.root / MODEL_FOLDER).iterdir():
        file.unlink()
    setup.run_setup(data, console)
    assert SIMULATED == [1, 1] and setup.needs_fitting(data) is None


def test_a_label_model_fitted_by_hand_is_kept(data: DataDir) -> None:
    console = Console(record=True, width=300)
    setup.run_setup(data, console)
    model = LabelModel.load(data.root / MODEL_FOLDER)
    model.info.origin = "study"
    model.save(data.root / MODEL_FOLDER)
    data.fingerprint_file.write_text(json.dumps({"fingerprint": "rasa-2"}))   # the failure-point model retrains
    setup.run_setup(data, console)
    assert LabelModel.load(data.root / MODEL_FOLDER).info.origin == "study"


def test_logs_without_both_outcomes_leave_no_model_and_a_warning(data: DataDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assistant.selflearn.study.training_rows", lambda proposals: ([], [], []))
    console = Console(record=True, width=300)
    assert setup.run_setup(data, console) == 0
    assert "learn-nlu` will use rules" in console.export_text()
