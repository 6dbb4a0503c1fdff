"""Retraining behind the gate: held-back examples never trained on, a worse candidate is kept
out (the current model keeps serving), a good one replaces the model whole and joins the history.
Training and judging are stood in here (their own tests run them for real)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import training
from assistant.modelstore import history, retrain
from assistant.paths import DataDir
from assistant.selflearn import learned as lf
from lab.evaluation import gate

LEARNED = """version: "3.1"
nlu:
- intent: turn_on
  examples:
  - text: flick the lamp on
    metadata: {learned: {users: [alice], confidence: 0.97}}
  - text: lamp on now please
    metadata: {learned: {users: [bob]}}
- intent: greet
  examples: |
    - hiya
"""


TRAINED: list[list[str]] = []


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataDir:
    d = DataDir(tmp_path / "data").ensure()
    d.model_file.write_bytes(b"current")
    d.learned_dir.mkdir()
    d.learned_nlu.write_text(LEARNED)
    trained = TRAINED
    trained.clear()

    def fake_train(data, *, force=False, root=None, out=None, learned=None, **_):
        trained.append([e.text for p in learned or [] for e in lf.read(p)])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"candidate")
        return training.TrainOutcome(out, True, 0.1, "f" * 64)

    monkeypatch.setattr(training, "train", fake_train)
    return d


def _figures(accuracy: float, failed: list[str] | None = None) -> gate.GuardFigures:
    return gate.GuardFigures(accuracy, 100, None, 0, 20, failed or [])


def test_the_learned_users_are_read_from_the_provenance(data: DataDir) -> None:
    assert retrain.learned_users(data) == ["alice", "bob"]


def test_a_broken_learned_file_is_a_clear_error_and_nothing_is_trained(data: DataDir) -> None:
    data.learned_nlu.write_text("nlu: [\n")
    with pytest.raises(retrain.LearnedFileError, match="nlu.yml"):
        retrain.retrain(data)
    assert TRAINED == [] and data.model_file.read_bytes() == b"current"


def test_a_worse_candidate_is_not_promoted(data: DataDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "judge_pair", lambda cand, cur, held, **_: (_figures(0.88), _figures(0.90)))
    outcome = retrain.retrain(data)
    assert not outcome.promoted and "drop 2.0 points" in outcome.reasons[0]
    assert data.model_file.read_bytes() == b"current"
    assert history.entries(data) == []


def test_a_good_candidate_replaces_the_model_and_both_are_kept(data: DataDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "judge_pair", lambda cand, cur, held, **_: (_figures(0.901), _figures(0.90)))
    outcome = retrain.retrain(data)
    assert outcome.promoted and outcome.model_id is not None
    assert data.model_file.read_bytes() == b"candidate"
    assert training.is_current(data)      # its fingerprint covers the learned file
    kept = history.entries(data)
    assert {e.note for e in kept} >= {"before self-learning"}
    newest = next(e for e in kept if e.id == outcome.model_id)
    assert newest.learned_users == {"alice", "bob"}


def test_held_back_examples_are_never_trained_on(data: DataDir, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"switch on lamp number {i}" for i in range(40)]
    data.learned_nlu.write_text('version: "3.1"\nnlu:\n- intent: turn_on\n  examples: |\n'
                                + "".join(f"    - {t}\n" for t in texts))
    seen_held: list = []
    monkeypatch.setattr(gate, "judge_pair",
                        lambda cand, cur, held, **_: seen_held.append(held) or (_figures(0.9), _figures(0.9)))
    outcome = retrain.retrain(data)
    held = {t for t, _ in seen_held[0]}
    assert held and held == {t for t in texts if gate.held_back(t)} and outcome.held_back == len(held)
    trained = set(TRAINED[0])
    assert not held & trained
    assert trained == {t for t in texts if t not in held}


def test_skipping_the_gate_after_a_forget_promotes_without_judging(data: DataDir, monkeypatch) -> None:
    monkeypatch.setattr(gate, "judge_pair", lambda *a, **k: pytest.fail("judged"))
    assert retrain.retrain(data, skip_gate=True).promoted
