"""The model history: bounded, newest first, rollback restores the model and its learned file,
and a forgotten user's models leave it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assistant.modelstore import history
from assistant.paths import DataDir


@pytest.fixture
def data(tmp_path: Path) -> DataDir:
    d = DataDir(tmp_path / "data").ensure()
    d.model_file.write_bytes(b"model-0")
    return d


def _promote(data: DataDir, content: bytes, fingerprint: str, users: list[str], learned: str | None = None):
    data.model_file.write_bytes(content)
    if learned is not None:
        data.learned_dir.mkdir(exist_ok=True)
        data.learned_nlu.write_text(learned)
    entry = history.record(data, data.model_file, fingerprint, training={"learned_users": users},
                           figures={"guard": {"intent_accuracy": 0.9}})
    time.sleep(1.01)   # ids and dates are to the second
    return entry


def test_entries_are_newest_first_and_bounded(data: DataDir) -> None:
    made = [_promote(data, f"m{i}".encode(), f"{i:08d}ffff", []) for i in range(3)]
    kept = history.entries(data)
    assert [e.id for e in kept] == [e.id for e in reversed(made)]
    history.record(data, data.model_file, "99999999", training={}, figures={}, keep=2)
    assert len(history.entries(data)) == 2


def test_use_restores_the_model_its_learned_file_and_fingerprint(data: DataDir) -> None:
    first = _promote(data, b"model-1", "11111111aaaa", ["alice"], learned="first")
    _promote(data, b"model-2", "22222222bbbb", ["alice", "bob"], learned="second")
    history.use(data, first.id[:17])
    assert data.model_file.read_bytes() == b"model-1"
    assert data.learned_nlu.read_text() == "first"
    assert json.loads(data.fingerprint_file.read_text())["fingerprint"] == "11111111aaaa"


def test_an_unknown_id_is_a_clear_error_and_changes_nothing(data: DataDir) -> None:
    _promote(data, b"model-1", "11111111aaaa", [])
    with pytest.raises(history.HistoryError, match="no model with id 'nope'"):
        history.use(data, "nope")
    assert data.model_file.read_bytes() == b"model-1"


def test_a_forgotten_users_models_leave_the_history(data: DataDir) -> None:
    keep = _promote(data, b"model-1", "11111111aaaa", ["bob"])
    gone = _promote(data, b"model-2", "22222222bbbb", ["alice", "bob"])
    assert history.drop_user(data, "alice") == [gone.id]
    assert [e.id for e in history.entries(data)] == [keep.id]


def test_an_unreadable_entry_is_skipped(data: DataDir) -> None:
    entry = _promote(data, b"model-1", "11111111aaaa", [])
    broken = data.model_history / "broken"
    broken.mkdir()
    (broken / history.ENTRY).write_text("{not json")
    assert [e.id for e in history.entries(data)] == [entry.id]
