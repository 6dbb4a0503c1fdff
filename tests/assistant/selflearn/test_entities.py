from __future__ import annotations

from assistant.selflearn import entities as ent


def test_entities_of_the_turn_that_worked_land_on_the_failed_turns_own_words() -> None:
    source = "turn off the kitchen lights"
    found = [{"entity": "room", "value": "kitchen", "start": 13, "end": 20},
             {"entity": "device", "value": "lights", "start": 21, "end": 27}]
    placed = ent.place(found, source, "turn of the kitchen likes")
    assert placed == [{"entity": "room", "value": "kitchen", "start": 12, "end": 19}]


def test_a_value_is_found_by_its_value_when_the_words_differ_and_only_at_word_boundaries() -> None:
    found = [{"entity": "artist", "value": "Norah Jones", "start": 5, "end": 10}]
    assert ent.place(found, "play norah", "i want norah jones now") == [
        {"entity": "artist", "value": "Norah Jones", "start": 7, "end": 18}]
    assert ent.place([{"entity": "room", "value": "den", "start": 0, "end": 3}], "den", "the garden") == []


def test_own_entities_outside_the_text_are_dropped() -> None:
    assert ent.own([{"entity": "room", "value": "room", "start": 40, "end": 44}], "lights off") == []


def test_a_misheard_value_is_placed_where_the_words_sound_like_it() -> None:
    found = [{"entity": "team", "value": "Chicago Bulls", "start": 8, "end": 13}]
    assert ent.place(found, "did the bulls win", "did the bowls win") == [
        {"entity": "team", "value": "Chicago Bulls", "start": 8, "end": 13}]
    # ASR split a word in two: the run of one more word is taken, whole.
    lamar = [{"entity": "artist", "value": "Kendrick Lamar", "start": 15, "end": 29}]
    text = "play the latest kendrick la mar"
    (placed,) = ent.place(lamar, "i want to hear kendrick lamar", text)
    assert text[placed["start"]:placed["end"]] == "kendrick la mar"


def test_words_that_neither_sound_nor_look_alike_get_no_entity() -> None:
    jazz = [{"entity": "genre", "value": "jazz", "start": 5, "end": 9}]
    assert ent.place(jazz, "play jazz", "play chess") == []
    assert ent.place([{"entity": "room", "value": "kitchen", "start": 12, "end": 19}],
                     "turn on the kitchen light", "turn on the light") == []
    assert ent.sounds_like("to", "go to it") is None          # too short to judge by sound
