"""The runtime's side: the typed repairs in the log row, and their win or loss when settled."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from assistant.learning.log import InteractionLog, TurnRecord
from assistant.learning.rewrite_records import GLOBAL, State
from assistant.repair.outcome import Kind, Repair
from assistant.repair.settle import count_outcome, keep_in_log, repairs_of
from assistant.repair.store import RepairStore
from assistant.turn import ActionReport

IMAGINE = Repair(Kind.ARTIST, "maj and dragons", "Imagine Dragons", 0.8, 0.27)


def _record(user: str = "ann") -> TurnRecord:
    return TurnRecord(user_id=user, device_id="kitchen_speaker", session_id=user,
                      timestamp=dt.datetime(2026, 1, 1, 8), text="play maj and dragons", evidence={"implicit": []})


def test_the_log_row_keeps_the_valid_repairs_and_reads_them_back(tmp_path: Path) -> None:
    report = ActionReport.decode([IMAGINE.to_json(), {"repaired": {"kind": "artist", "heard": "x y z", "value": ""}}])
    assert len(report.repairs) == 2 and not report.unknown
    record = _record()
    keep_in_log(record, report)
    log = InteractionLog.open(tmp_path / "learning.db")
    stored = log.get(log.record(record))
    assert stored is not None and repairs_of(stored) == [IMAGINE]
    assert stored.evidence is not None and stored.evidence["implicit"] == []


def _repaired() -> TurnRecord:
    record = _record()
    record.evidence = {"repaired": [IMAGINE.as_dict()]}
    return record


def test_an_unreadable_entry_is_skipped_with_a_reason(caplog: pytest.LogCaptureFixture) -> None:
    record = _record()
    record.evidence = {"repaired": [IMAGINE.as_dict(), {"kind": "planet", "heard": "mars", "value": "Mars"}, 7]}
    with caplog.at_level(logging.WARNING, logger="assistant.repair.settle"):
        assert repairs_of(record) == [IMAGINE]
    assert caplog.text.count("skipped") == 2


def test_wins_and_losses_are_counted_and_three_losses_retire_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'learning.db'}"
    assert count_outcome(_repaired(), True, lambda: url) == 0   # no learning database yet: none made
    assert not (tmp_path / "learning.db").exists()
    RepairStore.open(url)   # the runtime's log made it
    asked: list[int] = []

    def where() -> str:
        asked.append(1)
        return url

    assert count_outcome(_record(), True, where) == 0 and asked == []   # no repair: no store opened
    record = _record()
    record.evidence = {"repaired": [IMAGINE.as_dict()]}
    assert count_outcome(record, True, where) == 1
    for user in ("bob", "cat", "dan"):
        other = _record(user)
        other.evidence = {"repaired": [IMAGINE.as_dict()]}
        count_outcome(other, False, where)
    rows = {r.user_id: r for r in RepairStore.open(url).all()}
    assert (rows[GLOBAL].wins, rows[GLOBAL].losses, rows[GLOBAL].state) == (1, 3, State.RETIRED)
    assert rows["ann"].state is State.ACTIVE and rows["bob"].losses == 1


def test_the_repaired_value_becomes_the_entity_on_the_users_own_words() -> None:
    from assistant.selflearn import entities as ent

    record = _record()
    record.entities = [{"entity": "media_title", "value": "maj and dragons", "start": 5, "end": 20}]
    keep_in_log(record, ActionReport.decode([IMAGINE.to_json()]))
    assert record.entities == [{"entity": "artist", "value": "Imagine Dragons", "start": 5, "end": 20,
                                "extractor": "repair"}]
    # What the self-labelled examples take: the turn's own, and the failed turn it fixed.
    assert ent.own(record.entities, record.text) == [
        {"entity": "artist", "value": "Imagine Dragons", "start": 5, "end": 20}]
    assert ent.place(record.entities, record.text, "put on maj and dragons") == [
        {"entity": "artist", "value": "Imagine Dragons", "start": 7, "end": 22}]


def test_a_kind_without_an_nlu_entity_or_a_span_not_heard_adds_none() -> None:
    record = _record()
    record.text = "did the worriers win"
    team = Repair(Kind.TEAM, "worriers", "Golden State Warriors", 0.89, 0.24)
    elsewhere = Repair(Kind.ARTIST, "cold play", "Coldplay", 1.0, 0.5)
    keep_in_log(record, ActionReport.decode([team.to_json(), elsewhere.to_json()]))
    assert record.entities == [] and len(repairs_of(record)) == 2
