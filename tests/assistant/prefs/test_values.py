"""Values checked against the catalogs: canonical forms, typo suggestions, hostile input."""

from __future__ import annotations

import pytest

from assistant.prefs.keys import PrefKey
from assistant.prefs.values import check_value


@pytest.mark.parametrize(("key", "raw", "value"), [
    (PrefKey.MUSIC_GENRE, "Jazz", "jazz"),
    (PrefKey.MUSIC_GENRE, "hip-hop", "hip hop"),
    (PrefKey.MUSIC_GENRE, "country music", "country"),
    (PrefKey.MUSIC_ARTIST, "imagine dragons", "Imagine Dragons"),
    (PrefKey.SPORTS_TEAM, "warriors", "Golden State Warriors"),
    (PrefKey.SPORTS_TEAM, "the Warriors", "Golden State Warriors"),
    (PrefKey.SPORTS_TEAM, "golden state warriors", "Golden State Warriors"),
    (PrefKey.SPORTS_TEAM, "Golden State Warriors", "Golden State Warriors"),
    (PrefKey.SPORTS_TEAM, "Lakers", "Los Angeles Lakers"),
    (PrefKey.CUISINE, "Italian food", "italian"),
    (PrefKey.CUISINE, "greek um", "greek"),        # a recogniser's filler is no part of the answer
    (PrefKey.MUSIC_GENRE, "uh, jazz", "jazz"),
    (PrefKey.SPORTS_TEAM, "erm the lakers", "Los Angeles Lakers"),
    (PrefKey.HOME_CITY, "Seattle", "Seattle, Washington"),
    (PrefKey.HOME_CITY, "Seattle, Washington", "Seattle, Washington"),
    (PrefKey.HOME_CITY, "Wilkerson, Washington", "Wilkerson, Washington"),
    (PrefKey.HOME_CITY, "wilkerson washington", "Wilkerson, Washington"),
    (PrefKey.HOME_CITY, "Wilkerson in California", "Wilkerson, California"),
    (PrefKey.HOME_CITY, "wilkerson, uh california", "Wilkerson, California"),
    (PrefKey.HOME_CITY, "the wilkerson in a washington", "Wilkerson, Washington"),
    (PrefKey.TEMPERATURE_UNIT, "Fahrenheit", "fahrenheit"),
    (PrefKey.TEMPERATURE_UNIT, "°F", "fahrenheit"),
    (PrefKey.TEMPERATURE_UNIT, "C", "celsius"),
    (PrefKey.TEMPERATURE_UNIT, "centigrade", "celsius"),
    (PrefKey.NEWS_SOURCE, "bbc", "BBC News"),
    (PrefKey.NEWS_SOURCE, "NPR", "NPR"),
    (PrefKey.NEWS_SOURCE, "the guardian", "The Guardian"),
    (PrefKey.NEWS_SOURCE, "BBC News", "BBC News"),
    (PrefKey.NEWS_SOURCE, "new york times", "The New York Times"),
    (PrefKey.MORNING_ROUTINE, "coffee after my alarm", "coffee after the alarm"),
    (PrefKey.MORNING_ROUTINE, "coffee after the alarm", "coffee after the alarm"),
    (PrefKey.MORNING_ROUTINE, "nothing", "none"),
    (PrefKey.MORNING_ROUTINE, "no routine", "none"),
    (PrefKey.MORNING_ROUTINE, "none", "none"),
])
def test_accepted_values_become_canonical(key: PrefKey, raw: str, value: str) -> None:
    checked = check_value(key, raw)
    assert (checked.value, checked.message) == (value, "")


@pytest.mark.parametrize(("key", "raw", "message"), [
    (PrefKey.SPORTS_TEAM, "Warrior", "I don't know the team 'Warrior'. Did you mean the Golden State Warriors?"),
    (PrefKey.MUSIC_GENRE, "jaz", "I don't know the music genre 'jaz'. Did you mean jazz?"),
    (PrefKey.CUISINE, "itallian", "I don't know the cuisine 'itallian'. Did you mean italian?"),
])
def test_typos_get_a_suggestion_not_a_value(key: PrefKey, raw: str, message: str) -> None:
    checked = check_value(key, raw)
    assert checked.value is None and checked.suggestion is not None
    assert checked.message == message


def test_shared_city_name_asks_which() -> None:
    checked = check_value(PrefKey.HOME_CITY, "Wilkerson")
    assert checked.value is None
    assert checked.message == "Which Wilkerson: Wilkerson, California or Wilkerson, Washington?"


def test_unknown_value_lists_what_is_known() -> None:
    checked = check_value(PrefKey.CUISINE, "xyz")
    assert checked.value is None and checked.suggestion is None
    assert checked.message.startswith("I don't know the cuisine 'xyz'. I know: american, chinese")


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x07", "🦄🦄", "'; DROP TABLE preferences; --", "x" * 5000])
@pytest.mark.parametrize("key", list(PrefKey))
def test_hostile_input_is_refused_with_a_short_message(key: PrefKey, raw: str) -> None:
    checked = check_value(key, raw)
    assert checked.value is None
    assert checked.message and len(checked.message) < 300
    assert "\x00" not in checked.message


def test_a_sentence_that_names_nothing_is_not_echoed_as_a_value() -> None:
    checked = check_value(PrefKey.MUSIC_GENRE, "should i bring warm clothes")
    assert checked.value is None and checked.suggestion is None
    assert checked.message.startswith("That doesn't sound like a music genre. I know: blues, classical")


def test_long_input_is_cut_short_in_the_message() -> None:
    checked = check_value(PrefKey.CUISINE, "q" * 5000)
    assert checked.value is None
    assert "'" + "q" * 39 + "…'" in checked.message
    assert "q" * 41 not in checked.message


@pytest.mark.parametrize(("key", "message"), [(PrefKey.MUSIC_ARTIST, "I didn't catch an artist."),
                                              (PrefKey.CUISINE, "I didn't catch a cuisine.")])
def test_empty_input_says_what_was_expected(key: PrefKey, message: str) -> None:
    assert check_value(key, "  \t ").message == message


@pytest.mark.parametrize(("text", "heard"), [
    ("i really enjoy ray gay", (PrefKey.MUSIC_GENRE, "reggae")),     # "rock" sounds alike too: spelling decides
    ("i like cold play", (PrefKey.MUSIC_ARTIST, "Coldplay")),
    ("i support the see hawks", (PrefKey.SPORTS_TEAM, "Seattle Seahawks")),
    ("i love the weather", None),                                    # "thai" sounds like "the": too little
    ("i like it", None),
    ("i live in awesome, texas", (PrefKey.HOME_CITY, "Austin, Texas")),   # says which catalog: a lower floor
    ("i live in a house", None),
])
def test_heard_like_names_the_value_a_statement_sounds_like(text: str, heard) -> None:
    from assistant.prefs.values import heard_like

    assert heard_like(text) == heard
