"""The nightly self-learning job of a population run, over a fake runtime: nights between days
only in the arms that learn the NLU, the promoted model served the next day, every arm started
from the base model, the day's NLU accuracy, a failed retrain reported and the model kept."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from assistant.modelstore import retrain
from assistant.modelstore.retrain import RetrainOutcome
from assistant.paths import DataDir
from assistant.selflearn import night as job
from simulator.population.metrics import summarize
from simulator.population.nightly import NightlyError, NightlyLearning
from simulator.population.run import run_population
from tests.simulator.population.fakes import FakeRuntime

HELD_OUT = [("switch the lamp on", "turn_on"), ("kill the lights", "turn_off"), ("is it raining", "ask_weather")]


class Agent:
    """Parses by the model file's contents: "base" knows turn_on only, "better" every row."""

    def __init__(self, model: Path) -> None:
        self.model = model

    async def parse_message(self, text: str) -> dict[str, Any]:
        known = dict(HELD_OUT) if self.model.read_bytes() == b"better" else {"switch the lamp on": "turn_on"}
        return {"intent": {"name": known.get(text, "nlu_fallback")}}


class LearningRuntime(FakeRuntime):
    def __init__(self, root: Path) -> None:
        super().__init__()
        self.data = DataDir(root).ensure()
        self.model_path = self.data.model_file
        self.model_path.write_bytes(b"base")
        self.agent = Agent(self.model_path)
        self.reloads = 0

    def reload_if_replaced(self) -> bool:
        self.reloads += 1
        return True

    def parse(self, text: str) -> dict[str, Any]:
        import asyncio

        return asyncio.run(self.agent.parse_message(text))


@pytest.fixture()
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LearningRuntime:
    monkeypatch.setattr("assistant.similarity.segment_similarity", None)
    monkeypatch.setattr(job, "load_models", lambda data: (None, None, []))
    monkeypatch.setattr("assistant.training.fingerprint", lambda **_: "fp")
    monkeypatch.setattr("assistant.training.write_fingerprint", lambda data, value: None)
    monkeypatch.setattr("assistant.selflearn.evaluate.score",
                        lambda labels, records, days: {"all": {"precision": 1.0, "recall": 0.5, "per_day": 2.0}})
    return LearningRuntime(tmp_path)


def _learned(data: DataDir, written: bool) -> job.LearnPass:
    if written:
        data.learned_nlu.parent.mkdir(parents=True, exist_ok=True)
        data.learned_nlu.write_text('version: "3.1"\nnlu:\n- intent: turn_on\n  examples: |\n    - switch the lamp on\n')
    return job.LearnPass(labels=[], candidates=0, corrections=0, method="rules", thresholds={}, examples=[],
                         added=[], updated=[], written=data.learned_nlu if written else None)


def _judge(*_args: Any, **_kwargs: Any) -> Any:   # retrain.retrain is stood in: only passed on to it
    raise AssertionError("judged")


def _promote(data: DataDir, **kwargs: Any) -> RetrainOutcome:
    assert kwargs["judge"] is _judge              # the job's retrain is judged by the gate it was given
    data.model_file.write_bytes(b"better")
    return RetrainOutcome(promoted=True, reasons=[], figures={}, seconds=1.0, model_id="m1")


def _ticks():
    counter = itertools.count()
    return lambda: next(counter) * 0.01


def test_nights_run_between_days_and_the_promoted_model_serves_the_next_day(runtime, monkeypatch) -> None:
    seen: list = []   # the truth of the records the learner was handed
    monkeypatch.setattr(job, "learn", lambda records, data, **_: (seen.extend(r.truth for r in records),
                                                                  _learned(data, written=True))[1])
    monkeypatch.setattr(retrain, "retrain", _promote)
    report = run_population(runtime, users=2, days=3, seed=5, arm="selflearn", miner=None, timer=_ticks(),
                            nightly=NightlyLearning(runtime, judge=_judge, held_out=HELD_OUT))
    assert seen and all(truth is None for truth in seen)        # kept beside the log, never handed over
    assert [n["day"] for n in report.nights] == [0, 1]          # not after the last day
    assert all(n["promoted"] for n in report.nights)
    assert report.nlu_accuracy_by_day == [round(1 / 3, 4), 1.0, 1.0]
    figures = summarize(report)
    assert figures["nlu_accuracy_by_day"] == report.nlu_accuracy_by_day
    assert (figures["label_precision"], figures["label_recall"], figures["labels_per_day"]) == (1.0, 0.5, 2.0)
    assert figures["learned_examples"] == 1 and len(figures["nights"]) == 2


def test_every_arm_starts_from_the_base_model_and_arms_that_dont_learn_have_no_nights(runtime, monkeypatch) -> None:
    monkeypatch.setattr(job, "learn", lambda records, data, **_: _learned(data, written=True))
    monkeypatch.setattr(retrain, "retrain", _promote)
    shared = NightlyLearning(runtime, judge=_judge, held_out=HELD_OUT)
    learned = run_population(runtime, users=2, days=2, seed=5, arm="selflearn", miner=None, nightly=shared)
    assert runtime.data.model_file.read_bytes() == b"better"
    plain = run_population(runtime, users=2, days=2, seed=5, arm="baseline", miner=None, nightly=shared)
    assert runtime.data.model_file.read_bytes() == b"base"     # the base model is back
    assert not runtime.data.learned_nlu.exists()
    assert plain.nights == [] and plain.nlu_accuracy_by_day == [round(1 / 3, 4)] * 2
    assert plain.learned_examples is None and learned.learned_examples == 1


def test_nothing_learned_means_no_retrain_and_a_failed_retrain_keeps_the_model(runtime, monkeypatch) -> None:
    nightly = NightlyLearning(runtime, judge=_judge, held_out=HELD_OUT)
    nightly.prepare()
    monkeypatch.setattr(job, "learn", lambda records, data, **_: _learned(data, written=False))
    monkeypatch.setattr(retrain, "retrain", lambda data, **_: pytest.fail("retrained"))
    quiet = nightly.night(0)
    assert not quiet.retrained and quiet.reason == "nothing new was learned"

    def broken(data: DataDir, **_: Any) -> RetrainOutcome:
        raise RuntimeError("rasa train failed: no space left")

    monkeypatch.setattr(job, "learn", lambda records, data, **_: _learned(data, written=True))
    monkeypatch.setattr(retrain, "retrain", broken)
    failed = nightly.night(1)
    assert not failed.promoted and "no space left" in failed.reason
    assert runtime.data.model_file.read_bytes() == b"base"


def test_a_runtime_serving_another_folders_model_is_refused(tmp_path: Path) -> None:
    runtime = LearningRuntime(tmp_path / "a")
    runtime.model_path = tmp_path / "elsewhere.tar.gz"
    with pytest.raises(NightlyError, match="its data folder's own model"):
        NightlyLearning(runtime, judge=_judge)


def test_without_a_judge_there_is_no_nightly_learning(tmp_path: Path) -> None:
    with pytest.raises(NightlyError, match="needs a judge"):
        NightlyLearning(LearningRuntime(tmp_path))


def test_the_base_models_accuracy_is_measured_once_for_all_arms(runtime, monkeypatch) -> None:
    monkeypatch.setattr(job, "learn", lambda records, data, **_: _learned(data, written=True))
    monkeypatch.setattr(retrain, "retrain", _promote)
    parsed: list[bytes] = []
    plain_parse = runtime.parse
    monkeypatch.setattr(runtime, "parse", lambda text: (parsed.append(runtime.model_path.read_bytes()),
                                                        plain_parse(text))[1])
    shared = NightlyLearning(runtime, judge=_judge, held_out=HELD_OUT)
    learned = run_population(runtime, users=2, days=2, seed=5, arm="selflearn", miner=None, nightly=shared)
    first = run_population(runtime, users=2, days=2, seed=5, arm="baseline", miner=None, nightly=shared)
    again = run_population(runtime, users=2, days=2, seed=5, arm="selflearn", miner=None, nightly=shared)
    assert learned.nlu_accuracy_by_day == again.nlu_accuracy_by_day == [round(1 / 3, 4), 1.0]
    assert first.nlu_accuracy_by_day == [round(1 / 3, 4)] * 2
    # The base model was parsed for the first arm only; each promoted model is measured anew.
    assert parsed == [b"base"] * 3 + [b"better"] * 3 + [b"better"] * 3
