from __future__ import annotations

from pathlib import Path

from assistant.learning.log import InteractionLog
from assistant.paths import DataDir
from lab.selflearn import study
from simulator import truth_store
from tests.assistant.selflearn.helpers import log, turn


def noisy_log():
    """The helpers' log plus false wakes that a self-label would get wrong."""
    records = log()
    for index in range(6):
        wake = turn(20000 + index * 600, f"did you feed the dog {index}", "ask_device_state", user=f"u{index}",
                    confidence=0.6, asr=0.5, reply="The front door lock is locked.",
                    truth={"goal_id": f"fw{index}", "turn_kind": "false_wake", "false_wake": True})
        records.append(wake)
    for i, record in enumerate(records, start=1):
        record.id = i
    return records


def test_a_fit_is_cached_by_fingerprint_and_redone_when_the_logs_change(tmp_path: Path) -> None:
    root = tmp_path / "run"
    with InteractionLog.open(DataDir(root).learning_db) as store:
        truth_store.record_many(store, noisy_log())   # the truth beside the log
    runs = [study.read_run(root)]
    data = DataDir(tmp_path / "data")
    model, fitted, _ = study.ensure_model(data, runs, similarity="tokens")
    assert fitted and (data.root / "selflearn" / "label_model.joblib").exists()
    again, fitted_again, _ = study.ensure_model(data, runs, similarity="tokens")
    assert not fitted_again and again.info.fingerprint == model.info.fingerprint
    more = [study.RunLog(root, runs[0].records[:-1], frozenset())]
    assert study.ensure_model(data, more, similarity="tokens")[1]


def test_the_adversaries_come_from_the_runs_json(tmp_path: Path) -> None:
    root = tmp_path / "run"
    InteractionLog.open(DataDir(root).learning_db).close()
    root.with_suffix(".json").write_text('{"arm": "baseline", "adversaries": {"adversaries": ["u3", "u7"]}}')
    assert study.read_run(root).adversaries == frozenset({"u3", "u7"})
