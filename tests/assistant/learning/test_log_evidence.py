"""The evidence column: the actions' typed tags for learning from activity, kept per turn."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

from assistant.learning.log import InteractionLog, TurnRecord

RECORD = TurnRecord(user_id="u", device_id="kitchen_speaker", session_id="u", timestamp=dt.datetime(2026, 1, 5, 8),
                    text="what's the weather in miami", evidence={"implicit": [], "asked_city": "Miami, Florida"})


def test_evidence_is_stored_and_read_back(tmp_path: Path) -> None:
    with InteractionLog.open(tmp_path / "learning.db") as log:
        log.record(RECORD)
        log.record(dataclasses.replace(RECORD, evidence=None))
        assert [t.evidence for t in log.turns()] == [{"implicit": [], "asked_city": "Miami, Florida"}, None]


def test_rows_from_before_the_column_read_as_unknown(tmp_path: Path) -> None:
    path = tmp_path / "learning.db"
    with InteractionLog.open(path) as log:
        log.record(RECORD)
    with sqlite3.connect(path) as conn:           # a file from before the column
        conn.execute("ALTER TABLE turns DROP COLUMN evidence")
    with InteractionLog.open(path) as log:
        old = list(log.turns())
        log.record(RECORD)
        rows = list(log.turns())
    assert [t.text for t in old] == [RECORD.text] and old[0].evidence is None
    assert [t.evidence for t in rows] == [None, RECORD.evidence]
