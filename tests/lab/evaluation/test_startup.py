"""The training timing of `assistant bench --train`: scratch, then a retrain after 200 examples."""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant import training
from lab.evaluation import startup


def test_train_seconds_trains_twice_into_one_data_folder_and_reports_the_ratio(monkeypatch) -> None:
    calls: list[tuple[Path, bool]] = []

    def fake_train(data, *, force=False, root=None, **_):
        added = root / "stories" / "nlu" / "_bench_added.yml"
        calls.append((data.root, added.exists()))
        return training.TrainOutcome(data.model_file, trained=True,
                                     seconds=40.0 if not added.exists() else 10.0, fingerprint="x")

    monkeypatch.setattr(training, "train", fake_train)
    result = startup.train_seconds()
    assert [added for _, added in calls] == [False, True]
    assert calls[0][0] == calls[1][0]    # the retrain finds the first training's cache
    assert result["train_scratch_seconds"] == 40.0 and result["retrain_200_seconds"] == 10.0
    assert result["retrain_ratio"] == 0.25
    assert result["train_scratch_cpu_seconds"] >= 0 and result["retrain_200_cpu_seconds"] >= 0


def test_the_added_examples_are_200_new_ones_of_known_intents() -> None:
    blocks = yaml.safe_load(startup._added_examples())["nlu"]
    examples = [line[2:] for b in blocks for line in b["examples"].splitlines() if line.startswith("- ")]
    assert len(examples) == startup.ADDED_EXAMPLES == 200
    assert len(set(examples)) == len(examples)
