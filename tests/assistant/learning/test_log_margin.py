"""The NLU margin column: computed from Rasa's ranking, stored, and added to older logs."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from assistant.learning.log import InteractionLog, TurnRecord
from assistant.turn import intent_margin


@pytest.mark.parametrize("parse,expected", [
    ({"intent_ranking": [{"name": "a", "confidence": 0.7}, {"name": "b", "confidence": 0.2}]}, 0.5),
    ({"intent_ranking": [{"name": "b", "confidence": 0.2}, {"name": "a", "confidence": 0.9}]}, 0.7),
    ({"intent_ranking": [{"name": "a", "confidence": 0.8}]}, 0.8),
    # The FallbackClassifier's entry (its threshold, put first when the top two are close) is
    # not one of the classifier's readings.
    ({"intent_ranking": [{"name": "nlu_fallback", "confidence": 0.35}, {"name": "a", "confidence": 0.3},
                         {"name": "b", "confidence": 0.25}]}, 0.05),
    ({"intent_ranking": [{"name": "nlu_fallback", "confidence": 0.35}]}, None),
    ({"intent_ranking": []}, None),
    ({}, None),
    (None, None),
])
def test_margin_is_top_one_minus_top_two(parse, expected) -> None:
    assert intent_margin(parse) == (None if expected is None else pytest.approx(expected))


def _record(margin: float | None) -> TurnRecord:
    return TurnRecord(user_id="u", device_id="kitchen_speaker", session_id="u",
                      timestamp=dt.datetime(2026, 1, 5, 8), text="turn on the light", nlu_margin=margin)


def test_margin_is_stored(tmp_path: Path) -> None:
    with InteractionLog.open(tmp_path / "learning.db") as log:
        log.record(_record(0.42))
        assert [t.nlu_margin for t in log.turns()] == [pytest.approx(0.42)]


def test_a_log_without_the_column_gains_it_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "learning.db"
    with InteractionLog.open(path) as log:
        log.record(_record(None))
    with sqlite3.connect(path) as conn:           # make it look like a version-1 file
        conn.execute("ALTER TABLE turns DROP COLUMN nlu_margin")
        assert "nlu_margin" not in {row[1] for row in conn.execute("PRAGMA table_info(turns)")}
    with InteractionLog.open(path) as log:
        old = list(log.turns())
        log.record(_record(0.3))
        margins = [t.nlu_margin for t in log.turns()]
    assert [t.text for t in old] == ["turn on the light"]
    assert margins == [None, pytest.approx(0.3)]
