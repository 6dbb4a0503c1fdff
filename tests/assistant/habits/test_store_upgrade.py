"""Concepts stored before their steps' parses were kept (step texts only) read as before, and
get their parses once from an NLU-only parse; new concepts keep theirs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa

from assistant.habits.store import HabitStore, upgrade


def old_row(store: HabitStore, user: str, name: str, steps: list[str]) -> None:
    with store._engine.begin() as conn:
        conn.execute(sa.insert(store._concepts).values(user_id=user, name=name, steps=json.dumps(steps),
                                                       created_at=dt.datetime(2026, 1, 1)))


def test_old_rows_read_and_upgrade_once(tmp_path: Path) -> None:
    store = HabitStore.open(tmp_path / "prefs.db")
    old_row(store, "ann", "movie time", ["dim the lights", "turn on the tv"])
    store.save_concept("bob", "bedtime", ["turn off the lights"],
                       [{"intent": "turn_off", "confidence": 0.9, "entities": []}])
    [old] = store.concepts("ann")
    assert old.steps == ("dim the lights", "turn on the tv") and old.parses == (None, None)
    seen: list[str] = []

    def parse(text: str) -> dict:
        seen.append(text)
        return {"intent": {"name": "turn_on", "confidence": 0.8}, "entities": [{"entity": "device", "value": "tv",
                                                                                 "start": 0, "end": 2}]}

    assert upgrade(store, parse) == 1 and seen == ["dim the lights", "turn on the tv"]   # bob's had parses
    assert upgrade(store, parse) == 0
    [new] = store.concepts("ann")
    assert new.steps == old.steps and new.created_at == old.created_at
    assert new.parses[1] == {"intent": "turn_on", "confidence": 0.8,
                             "entities": [{"entity": "device", "value": "tv", "start": 0, "end": 2}]}
    assert store.concepts("bob")[0].parses[0]["intent"] == "turn_off"


def test_a_corrupt_row_is_skipped(tmp_path: Path) -> None:
    store = HabitStore.open(tmp_path / "prefs.db")
    with store._engine.begin() as conn:
        conn.execute(sa.insert(store._concepts).values(user_id="ann", name="x", steps="{not json",
                                                       created_at=dt.datetime(2026, 1, 1)))
    assert store.concepts("ann") == [] and store.unparsed() == []
