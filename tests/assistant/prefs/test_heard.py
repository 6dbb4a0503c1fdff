"""The catalog value a misheard name sounds like (assistant.prefs.heard)."""

from __future__ import annotations

import pytest

from assistant.prefs.heard import ANSWER_FLOOR, candidates, heard_value, keys_named, likeness, misheard
from assistant.prefs.keys import PrefKey
from assistant.prefs.values import HEARD_KEYS, check_value, heard_like

ALL_KEYS = HEARD_KEYS + (PrefKey.HOME_CITY,)


def test_likeness_hears_across_word_boundaries() -> None:
    assert likeness("see at all", "seattle") > 80
    assert likeness("war yours", "warriors") > 80
    assert likeness("see at all", "adele") < 75


def test_likeness_is_spelling_alone_when_the_sound_key_is_one_letter() -> None:
    from rapidfuzz import fuzz

    assert likeness("thigh", "thai") == fuzz.ratio("thigh", "thai")


@pytest.mark.parametrize(("text", "key", "value"), [
    ("i'm a war yours fan", PrefKey.SPORTS_TEAM, "Golden State Warriors"),
    ("i live in see at all", PrefKey.HOME_CITY, "Seattle, Washington"),
    ("i'm from seat all", PrefKey.HOME_CITY, "Seattle, Washington"),
    ("i really like drape", PrefKey.MUSIC_ARTIST, "Drake"),
    ("my favorite artist is taylor's rift", PrefKey.MUSIC_ARTIST, "Taylor Swift"),
])
def test_a_misheard_value_is_found(text: str, key: PrefKey, value: str) -> None:
    found = heard_value(text, ALL_KEYS)
    assert found is not None and (found.key, found.value) == (key, value)


@pytest.mark.parametrize("text", [
    "i love green",            # Queen and greek are about as close: no guess
    "yeah that is correct",    # "that" is spelt like "thai", but a common word is no name
    "i like it",
    "i love the weather",
])
def test_nothing_clearly_ahead_is_no_match(text: str) -> None:
    assert heard_value(text, ALL_KEYS) is None


def test_a_fan_is_of_a_team_or_an_artist() -> None:
    # "bowls" sounds like blues and the Bulls alike; a fan follows a team or an artist.
    assert heard_value("i'm a bowls fan", (PrefKey.MUSIC_GENRE, PrefKey.SPORTS_TEAM)) is None
    assert keys_named("i'm a bowls fan", ALL_KEYS) == (PrefKey.MUSIC_ARTIST, PrefKey.SPORTS_TEAM)
    assert heard_like("i'm a bowls fan") == (PrefKey.SPORTS_TEAM, "Chicago Bulls")


@pytest.mark.parametrize(("text", "key", "value"), [
    ("tell me it alien restaurants close by", PrefKey.CUISINE, "italian"),
    ("initiate mile stavis music", PrefKey.MUSIC_GENRE, "Miles Davis"),   # music is named by artist too
    ("set a cunt ry music", PrefKey.MUSIC_ARTIST, "country"),
    ("tell me restaurants close by", PrefKey.CUISINE, None),
    ("tell me italian restaurants close by", PrefKey.CUISINE, None),     # said outright: not misheard
    ("would you play some music please", PrefKey.MUSIC_GENRE, None),     # Coldplay, but a request's own words
    ("play my most played songs", PrefKey.MUSIC_GENRE, None),            # Mozart, as little
])
def test_a_request_that_named_its_own_value_misheard(text: str, key: PrefKey, value: str | None) -> None:
    found = misheard(text, key)
    assert (found.value if found else None) == value


def test_category_words_narrow_the_catalogs() -> None:
    assert keys_named("i love green music", ALL_KEYS) == (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST)
    assert keys_named("i love green", ALL_KEYS) == ALL_KEYS
    found = heard_value("i love green music", keys_named("i love green music", ALL_KEYS))
    assert found is not None and found.value == "Queen"


def test_candidates_are_best_first_with_the_words_heard() -> None:
    ranked = candidates("i'm a war yours fan", (PrefKey.SPORTS_TEAM,))
    assert ranked[0].value == "Golden State Warriors" and ranked[0].words == "war yours"
    assert [c.likeness for c in ranked] == sorted((c.likeness for c in ranked), reverse=True)


@pytest.mark.parametrize(("text", "heard"), [
    ("i'm a war yours fan", (PrefKey.SPORTS_TEAM, "Golden State Warriors")),
    ("i live in see at all", (PrefKey.HOME_CITY, "Seattle, Washington")),
    ("i love see at all", None),       # no word saying it is home: no city looked for
    ("i love green music", (PrefKey.MUSIC_ARTIST, "Queen")),
])
def test_heard_like_looks_for_a_home_city_only_beside_home_words(text: str, heard) -> None:
    assert heard_like(text) == heard


@pytest.mark.parametrize(("key", "raw", "suggestion"), [
    (PrefKey.CUISINE, "thigh", "thai"),                              # too short for the spelling check alone
    (PrefKey.HOME_CITY, "see at all", "Seattle, Washington"),
    (PrefKey.HOME_CITY, "bostin", "Boston, Massachusetts"),          # a name no other city has: the city
    (PrefKey.SPORTS_TEAM, "the war yours", "Golden State Warriors"),
])
def test_an_answer_that_sounds_like_a_value_gets_a_question(key: PrefKey, raw: str, suggestion: str) -> None:
    checked = check_value(key, raw)
    assert checked.value is None and checked.suggestion == suggestion
    assert checked.message.endswith(f"Did you mean {'the ' if key is PrefKey.SPORTS_TEAM else ''}{suggestion}?")


def test_an_answer_naming_a_value_outright_gets_no_sound_guess() -> None:
    assert check_value(PrefKey.CUISINE, "whatever, thai is fine").suggestion is None


def test_the_answer_floor_is_lower_than_the_statement_floor() -> None:
    assert heard_value("thigh", (PrefKey.CUISINE,), ANSWER_FLOOR) is not None
    assert heard_value("thigh", (PrefKey.CUISINE,)) is None


def test_a_suggestion_says_whether_it_was_found_by_sound() -> None:
    assert check_value(PrefKey.CUISINE, "thigh").by_sound is True
    assert check_value(PrefKey.MUSIC_GENRE, "jaz").by_sound is False
