"""The user's logged history for the personal prior: values of their turns that worked."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from assistant.learning.log import InteractionLog, TurnRecord
from assistant.repair.history import logged_values
from assistant.repair.outcome import Kind
from assistant.repair.priors import History
from assistant.repair.store import RepairStore


def _turn(user: str, minute: int, entities: list[dict], problems: list[str] | None = None) -> TurnRecord:
    return TurnRecord(user_id=user, device_id="kitchen_speaker", session_id=user,
                      timestamp=dt.datetime(2026, 1, 1, 8, minute), text="x", entities=entities,
                      problems=problems or [])


def test_values_of_turns_that_worked_by_kind(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import sqlalchemy as sa

    log = InteractionLog.open(tmp_path / "learning.db")
    log.record(_turn("ann", 1, [{"entity": "artist", "value": "Taylor Swift"}, {"entity": "room", "value": "kitchen"}]))
    log.record(_turn("ann", 2, [{"entity": "device", "value": "lights"}]))
    log.record(_turn("ann", 3, [{"entity": "genre", "value": "polka"}], problems=["NOT_FOUND"]))   # failed
    log.record(_turn("bob", 4, [{"entity": "artist", "value": "Adele"}]))
    bad = log.record(_turn("ann", 5, [{"entity": "genre", "value": "jazz"}]))
    store = RepairStore.open(tmp_path / "learning.db")
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE turns SET entities = '{not json' WHERE id = :id"), {"id": bad})
    with caplog.at_level(logging.WARNING, logger="assistant.repair.history"):
        found = logged_values(store.engine, "ann")
    assert found == {Kind.ARTIST: ["Taylor Swift"], Kind.ROOM: ["kitchen"], Kind.DEVICE: ["light"]}
    assert "skipped" in caplog.text
    history = History.of(found)
    assert history.has(Kind.ARTIST, "Taylor Swift") and not history.has(Kind.ARTIST, "Adele")


def test_no_log_gives_no_history(tmp_path: Path) -> None:
    store = RepairStore.open(tmp_path / "learning.db")   # the repair table alone, no turns table
    assert logged_values(store.engine, "ann") == {}


def test_a_title_is_the_users_with_or_without_its_article() -> None:
    assert History.of({Kind.TITLE: ["hunger games"]}).has(Kind.TITLE, "The Hunger Games")
