"""The repairs' record: wins and losses globally and per user, retirement, corrupt rows."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.learning.rewrite_records import GLOBAL, State
from assistant.repair.outcome import Kind, Repair
from assistant.repair.store import RepairStore

IMAGINE = Repair(Kind.ARTIST, "Maj and Dragons", "Imagine Dragons", 0.8, 0.27)


@pytest.fixture
def store(tmp_path: Path) -> RepairStore:
    return RepairStore.open(tmp_path / "learning.db")


def test_outcomes_count_globally_and_for_the_user(store: RepairStore) -> None:
    store.record_outcome(IMAGINE, "ann", True)
    store.record_outcome(IMAGINE, "bob", True)
    rows = {r.user_id: r for r in store.records_of(["artist"], ["maj and dragons"], "ann")["maj and dragons"]}
    assert (rows[GLOBAL].wins, rows["ann"].wins) == (2, 1) and "bob" not in rows
    assert [r.value for r in store.history("bob")] == ["Imagine Dragons"]


def test_the_records_of_a_turns_spans_come_in_one_read(store: RepairStore) -> None:
    store.record_outcome(IMAGINE, "ann", True)
    store.record_outcome(Repair(Kind.GENRE, "jaz", "jazz", 0.9, 0.3), "bob", True)
    store.record_outcome(Repair(Kind.TEAM, "worriers", "Golden State Warriors", 0.9, 0.3), "ann", False)
    found = store.records_of(["artist", "genre"], ["Maj and Dragons", "jaz", "worriers"], "ann")
    assert sorted(found) == ["jaz", "maj and dragons"]   # the team is no kind asked for
    assert {r.user_id for r in found["maj and dragons"]} == {GLOBAL, "ann"}
    assert [r.user_id for r in found["jaz"]] == [GLOBAL]   # bob's own row is bob's
    assert store.records_of([], ["jaz"], "ann") == {} and store.records_of(["genre"], [], "ann") == {}


def test_a_repair_that_keeps_losing_is_retired(store: RepairStore) -> None:
    for won in (True, False, False):
        rows = store.record_outcome(IMAGINE, "ann", won)
    assert all(r.state is State.RETIRED for r in rows)
    store.record_outcome(IMAGINE, "ann", True)   # a later win does not bring it back
    assert all(r.state is State.RETIRED for r in store.records_of(["artist"], ["maj and dragons"], "ann")["maj and dragons"])


def test_a_corrupt_row_is_skipped_with_a_reason_and_the_others_apply(store: RepairStore,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    import sqlalchemy as sa

    store.record_outcome(IMAGINE, "ann", True)
    store.record_outcome(Repair(Kind.GENRE, "jas", "jazz", 0.9, 0.3), "ann", True)
    with store._engine.begin() as conn:
        conn.execute(sa.text("UPDATE repairs SET state = 'melted' WHERE value = 'jazz' AND user_id = 'ann'"))
        conn.execute(sa.text("UPDATE repairs SET wins = -4 WHERE value = 'jazz' AND user_id = '*'"))
    with caplog.at_level(logging.WARNING, logger="assistant.repair.store"):
        history = store.history("ann")
        everything = store.all()
    assert [r.value for r in history] == ["Imagine Dragons"]
    assert {r.value for r in everything} == {"Imagine Dragons"}
    assert "melted" in caplog.text and "negative counts" in caplog.text


def test_forget_and_clear(store: RepairStore) -> None:
    store.record_outcome(IMAGINE, "ann", True)
    assert store.forget_user("ann") == 1 and store.history("ann") == []
    assert len(store.all()) == 1
    store.clear()
    assert store.all() == []
