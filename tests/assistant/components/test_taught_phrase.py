"""TaughtPhrase: the user's own taught phrases and the phrase grammar set the habits intents;
a habits intent the classifier guessed without the grammar gives way to the next intent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.shared.nlu.training_data.message import Message

from assistant.components.taught_phrase import TaughtPhrase
from assistant.habits.store import for_actions
from assistant.paths import PREFS_URL_ENV


@pytest.fixture(autouse=True)
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PREFS_URL_ENV, f"sqlite:///{tmp_path / 'prefs.db'}")
    for_actions().save_concept("ann", "movie time", ["turn on the tv"])


def parsed(text: str, user: str | None = "ann", intent: str = "nlu_fallback", confidence: float = 0.3,
           ranking: list[dict[str, Any]] | None = None, teachable: bool = True) -> Message:
    metadata = {"learning": {"teachable": teachable}, **({"user_id": user} if user else {})}
    message = Message(data={"text": text, "metadata": metadata, "intent": {"name": intent, "confidence": confidence},
                            "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
                            "entities": [{"entity": "device", "value": "tv"}]})
    [out] = TaughtPhrase({}).process([message])
    return out


@pytest.mark.parametrize("text, intent, name", [
    ("movie time", "run_concept", "movie time"),
    ("it's movie time please", "run_concept", "movie time"),
    ("forget movie time", "forget_concept", "movie time"),
    ("what does movie time mean?", "ask_concept", "movie time"),
    ("what does bedtime mean", "ask_concept", "bedtime"),            # unknown: the action offers to learn it
    ("when I say game night, turn on the tv", "teach_concept", "game night"),
])
def test_habits_phrases_get_their_intent_and_concept(text: str, intent: str, name: str) -> None:
    message = parsed(text)
    assert message.get("intent") == {"name": intent, "confidence": 1.0}
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("concept", name)]
    assert message.get("habits_phrase")["name"] == name


def test_a_teaching_keeps_its_step_texts_for_the_action() -> None:
    message = parsed("when I say game night, dim the lights and play some jazz")
    assert message.get("habits_phrase")["steps"] == ["dim the lights", "play some jazz"]


@pytest.mark.parametrize("text, user, teachable", [
    ("movie time", "bob", True),              # another user's phrase
    ("movie time", None, True),               # an NLU-only parse: no user
    ("forget my music preferences", "ann", True),
    ("what does bedtime mean", "ann", False),  # no offer to learn when teachable moments are off
])
def test_other_messages_are_left_alone(text: str, user: str | None, teachable: bool) -> None:
    message = parsed(text, user=user, intent="forget_preferences", confidence=0.8, teachable=teachable)
    assert message.get("intent") == {"name": "forget_preferences", "confidence": 0.8}
    assert message.get("habits_phrase") is None


def test_a_guessed_habits_intent_gives_way_to_the_next_one() -> None:
    ranking = [{"name": "run_concept", "confidence": 0.6}, {"name": "turn_on", "confidence": 0.3}]
    message = parsed("party mode", intent="run_concept", confidence=0.6, ranking=ranking)
    assert message.get("intent") == {"name": "turn_on", "confidence": 0.3}
    assert [r["name"] for r in message.get("intent_ranking")] == ["turn_on"]


@pytest.mark.parametrize("routine, minutes_after_alarm, text, coffee", [
    (True, 5, "get it going", True),
    (True, 5, "turn on the kitchen light", False),   # not a vague start
    (True, 90, "get it going", False),               # the alarm rang too long ago
    (False, 5, "get it going", False),               # not the user's routine (and nothing mined: no log)
])
def test_start_it_after_the_alarm_is_the_coffee_for_a_user_with_that_routine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, routine: bool, minutes_after_alarm: int, text: str,
        coffee: bool) -> None:
    from assistant.context import build_context
    from assistant.home import Home
    from assistant.prefs.keys import COFFEE_AFTER_ALARM, Polarity, PrefKey, Source
    from assistant.services import preferences

    preferences._open.cache_clear()
    if routine:
        preferences.store().set("ann", PrefKey.MORNING_ROUTINE, COFFEE_AFTER_ALARM, Polarity.LIKE, Source.ASSISTANT)
    home = Home.default()
    home.set_state("bedroom_alarm_clock", {"alarms": ["07:00"]})
    home.set_time("06:50")
    home.set_time("07:00")   # the alarm rings
    home.advance(minutes_after_alarm)
    metadata = {"user_id": "ann", "context": build_context(home, "kitchen_speaker")}
    message = Message(data={"text": text, "metadata": metadata, "intent": {"name": "turn_on", "confidence": 0.5},
                            "intent_ranking": [{"name": "turn_on", "confidence": 0.5}], "entities": []})
    [out] = TaughtPhrase({}).process([message])
    preferences._open.cache_clear()
    assert (out.get("intent")["name"] == "start_coffee") is coffee
    assert out.get("text") == text
