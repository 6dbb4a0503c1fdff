from __future__ import annotations

import pytest

from assistant.analytics import wording
from assistant.analytics.features import vocabulary


def shape(text: str) -> dict[str, float]:
    return wording.word_shape(text, vocabulary())


def test_the_encoder_vocabulary_holds_english_words_not_pieces() -> None:
    words = wording.encoder_words()
    assert {"whether", "monopoly", "commence"} <= words
    assert "coughy" not in words and not any(w.startswith("##") for w in words)


@pytest.mark.parametrize(("text", "nonwords"), [
    ("commence coughy making", 1.0),         # "coughy" is no word; "commence" is one
    ("turn on the kitchen lights", 0.0),
    ("set an alarm for 7 am", 0.0),          # digits are no non-words
    ("did the seltics win", 1.0),
])
def test_words_no_vocabulary_knows_are_counted(text: str, nonwords: float) -> None:
    assert shape(text)["nonwords"] == nonwords


def test_an_unknown_word_that_sounds_like_a_known_one_is_a_sound_alike() -> None:
    assert shape("commence coughy making")["vocab_sound_alike"] == 1.0    # sounds like "coffee"
    assert shape("commence coffee making")["vocab_sound_alike"] == 0.0    # known words are not


def test_a_word_heard_in_pieces_is_joined_again() -> None:
    assert shape("play some class ical please")["joined_word"] >= 1.0   # "classical"
    assert shape("play some classical please")["joined_word"] == 0.0


def test_an_unknown_word_english_hardly_writes_is_rare_and_a_common_one_is_not() -> None:
    misheard = shape("commence coughy making")
    assert (misheard["rare_words"], misheard["unknown_min_zipf"]) == (1.0, 0.0)
    real = shape("it is awfully dark here")     # a word the assistant never learnt, common English
    assert real["nonwords"] == 1.0              # the encoder's WordPiece list lacks it
    assert real["rare_words"] == 0.0 and real["unknown_min_zipf"] > wording.RARE_ZIPF


def test_an_empty_text_has_no_shape() -> None:
    assert shape("") == {"nonwords": 0.0, "nonword_rate": 0.0, "vocab_sound_alike": 0.0, "joined_word": 0.0,
                         "rare_words": 0.0, "rare_word_rate": 0.0, "unknown_min_zipf": 8.0}


@pytest.mark.parametrize(("text", "dangling", "bare_unit"), [
    ("get me a", 1.0, 0.0),                     # "coffee" dropped
    ("is it snowing in", 1.0, 0.0),
    ("get me a coffee", 0.0, 0.0),
    ("turn the lights on", 0.0, 0.0),           # a particle may end a request
    ("raise the lights to percent", 0.0, 1.0),  # the number dropped
    ("raise the lights to 80 percent", 0.0, 0.0),
    ("wake me at seven am", 0.0, 0.0),
    ("wake me up at am", 0.0, 1.0),
    ("i am cold", 0.0, 0.0),                    # "am" the verb
    ("", 0.0, 0.0),
])
def test_a_dropped_word_leaves_a_gap(text: str, dangling: float, bare_unit: float) -> None:
    assert wording.gaps(text) == {"dangling_end": dangling, "unit_without_number": bare_unit}


def test_rooms_the_request_and_the_reply_name() -> None:
    in_place = wording.room_features("turn on the living room lights", "", {"room": "living_room"})
    assert (in_place["text_names_room"], in_place["text_room_elsewhere"]) == (1.0, 0.0)
    found = wording.room_features("turn on the kitchen lights", "The living room light is already on.",
                                  {"room": "bedroom"})
    assert found == {"text_names_room": 1.0, "text_room_elsewhere": 1.0, "reply_room_not_said": 1.0}
    here = wording.room_features("turn on the lights", "Turning on the bedroom light.", {"room": "bedroom"})
    assert here == {"text_names_room": 0.0, "text_room_elsewhere": 0.0, "reply_room_not_said": 1.0}
    assert wording.room_features("lights on", "", None)["text_room_elsewhere"] == 0.0
