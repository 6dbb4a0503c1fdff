"""Labels taught the entity a repair or a rewrite settled on, on the words the user was heard saying."""

from __future__ import annotations

import datetime as dt

from assistant.learning.log import TurnRecord
from assistant.selflearn.candidates import Label, LabelKind
from assistant.selflearn.repaired import with_repairs
from assistant.turn import REPAIRED_KEY

HEARD = "play maj and dragons"


def _record(id: int, text: str, *, entities=(), rewritten=None, repairs=()) -> TurnRecord:
    evidence = {REPAIRED_KEY: list(repairs)} if repairs else None
    return TurnRecord(user_id="ann", device_id="kitchen_speaker", session_id="s", text=text, id=id,
                      timestamp=dt.datetime(2026, 1, 5, 8, 0),
                      intent="play_media", confidence=0.9, entities=list(entities), text_rewritten=rewritten,
                      evidence=evidence)


def _label(turn_id: int, text: str, source: int | None = None, entities=()) -> Label:
    return Label(turn_id, "ann", text, "play_media", LabelKind.SELF if source is None else LabelKind.CORRECTION,
                 0.95, source if source is not None else turn_id, tuple(entities))


ARTIST = {"kind": "artist", "heard": "maj and dragons", "value": "Imagine Dragons", "score": 0.9,
          "margin": 0.3, "scope": "global"}


def test_a_repaired_turn_teaches_the_value_on_the_heard_words() -> None:
    record = _record(1, HEARD, entities=[{"entity": "media_title", "value": "maj and dragons", "start": 5, "end": 20}],
                     repairs=[ARTIST])
    [label] = with_repairs([_label(1, HEARD, entities=[("media_title", "maj and dragons", 5, 20)])], {1: record})
    assert label.entities == (("artist", "Imagine Dragons", 5, 20),)


def test_a_correction_from_a_repaired_turn_places_the_value_on_the_failed_words() -> None:
    failed = _record(1, "put on maj and dragons")
    source = _record(2, HEARD, repairs=[ARTIST])
    [label] = with_repairs([_label(1, "put on maj and dragons", source=2)], {1: failed, 2: source})
    assert label.entities == (("artist", "Imagine Dragons", 7, 22),)


def test_a_rewritten_turn_teaches_what_nlu_read_after_the_rewrite_on_the_heard_words() -> None:
    record = _record(1, "whats the whether in paris", rewritten="whats the weather in paris",
                     entities=[{"entity": "city", "value": "Paris", "start": 21, "end": 26}])
    [label] = with_repairs([_label(1, "whats the whether in paris")], {1: record})
    assert label.entities == (("city", "Paris", 21, 26),)


def test_labels_without_repairs_or_records_are_unchanged() -> None:
    label = _label(5, "turn on the light", entities=[("device", "light", 12, 17)])
    assert with_repairs([label], {}) == [label]
    assert with_repairs([label], {5: _record(5, "turn on the light")}) == [label]


def test_an_unreadable_or_entityless_repair_is_skipped() -> None:
    team = {**ARTIST, "kind": "team", "value": "Chicago Bulls"}
    broken = {"kind": "artist", "heard": "", "value": ""}
    record = _record(1, HEARD, repairs=[team, broken])
    [label] = with_repairs([_label(1, HEARD)], {1: record})
    assert label.entities == ()
