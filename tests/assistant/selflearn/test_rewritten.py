"""A rewritten turn's self-label teaches the entity NLU read after the rewrite, on the heard words."""

from __future__ import annotations

import datetime as dt

from assistant.learning.log import TurnRecord
from assistant.selflearn.candidates import Label, LabelKind
from assistant.selflearn.rewritten import with_rewrites

HEARD = "whats the whether in paris"


def _record(id: int, text: str, *, entities=(), rewritten=None) -> TurnRecord:
    return TurnRecord(user_id="ann", device_id="kitchen_speaker", session_id="s", text=text, id=id,
                      timestamp=dt.datetime(2026, 1, 5, 8, 0), intent="ask_weather", confidence=0.9,
                      entities=list(entities), text_rewritten=rewritten)


def _label(turn_id: int, text: str, source: int | None = None, entities=()) -> Label:
    return Label(turn_id, "ann", text, "ask_weather", LabelKind.SELF if source is None else LabelKind.CORRECTION,
                 0.95, source if source is not None else turn_id, tuple(entities))


def test_a_rewritten_turn_teaches_what_nlu_read_after_the_rewrite_on_the_heard_words() -> None:
    record = _record(1, HEARD, rewritten="whats the weather in paris",
                     entities=[{"entity": "city", "value": "Paris", "start": 21, "end": 26}])
    # What the candidates made of the rewritten offsets on the heard text is replaced.
    [label] = with_rewrites([_label(1, HEARD, entities=[("city", "Paris", 0, 5)])], {1: record})
    assert label.entities == (("city", "Paris", 21, 26),)


def test_a_misheard_entity_rewritten_lands_on_the_words_that_sound_like_it() -> None:
    record = _record(1, "play maj and dragons", rewritten="play imagine dragons",
                     entities=[{"entity": "artist", "value": "Imagine Dragons", "start": 5, "end": 20}])
    [label] = with_rewrites([_label(1, "play maj and dragons")], {1: record})
    assert label.entities == (("artist", "Imagine Dragons", 5, 20),)


def test_labels_of_turns_not_rewritten_or_labelled_from_another_turn_are_unchanged() -> None:
    label = _label(5, "turn on the light", entities=[("device", "light", 12, 17)])
    assert with_rewrites([label], {}) == [label]
    assert with_rewrites([label], {5: _record(5, "turn on the light")}) == [label]
    correction = _label(6, HEARD, source=7)
    assert with_rewrites([correction], {6: _record(6, HEARD, rewritten="x")}) == [correction]
