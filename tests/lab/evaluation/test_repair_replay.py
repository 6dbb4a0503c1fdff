"""The replay of a run's turns through the actions, repair off and on, judged by what was said."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from assistant.learning.log import InteractionLog, TurnRecord
from lab.evaluation.repair_replay import replay


def _run(folder: Path, turns: list[tuple[str, str, str]]) -> Path:
    log = InteractionLog.open(folder / "learning.db")
    truth = sqlite3.connect(folder / "learning.truth.db")
    truth.execute("CREATE TABLE sim_truth (turn_id INTEGER PRIMARY KEY, user_id TEXT, truth TEXT NOT NULL)")
    for i, (heard, said, intent) in enumerate(turns):
        turn_id = log.record(TurnRecord(user_id="u1", device_id="kitchen_speaker", session_id="u1",
                                        timestamp=dt.datetime(2026, 1, 1, 8, i), text=heard, intent=intent))
        truth.execute("INSERT INTO sim_truth VALUES (?, 'u1', ?)",
                      (turn_id, json.dumps({"said": said, "heard": heard, "goal_intent": intent})))
    truth.commit()
    return folder


def test_repairs_are_judged_by_what_was_said(tmp_path: Path) -> None:
    run = _run(tmp_path, [("play maj and dragons", "play imagine dragons", "play_media"),
                          ("play the beatles", "play the beatles", "play_media"),
                          ("what's the weather in boss ton", "what's the weather in boston", "ask_weather"),
                          ("play jazz", "play jazz", "set_alarm")])   # not an intent repair serves
    report = replay(run)
    assert (report.turns, report.failed_without, report.failed_with) == (3, 3, 1)
    assert (report.repairs, report.right, report.precision) == (2, 2, 1.0)
    assert report.by_kind == {"artist right": 1, "city right": 1} and report.wrong == []
