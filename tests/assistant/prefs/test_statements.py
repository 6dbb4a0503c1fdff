"""Preferences said in passing, found with spaCy and the catalog EntityRuler."""

from __future__ import annotations

import pytest

from assistant.prefs.keys import COFFEE_AFTER_ALARM, Polarity, PrefKey
from assistant.prefs.statements import Correction, catalog_patterns, parse_correction, parse_statements

LIKE, DISLIKE = Polarity.LIKE, Polarity.DISLIKE


def found(text: str) -> list[tuple[str, str, Polarity]]:
    return [(s.key.value, s.value, s.polarity) for s in parse_statements(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("I'm a Warriors fan", [("sports_team", "Golden State Warriors", LIKE)]),
    ("I'm a Warrior fan", [("sports_team", "Golden State Warriors", LIKE)]),
    ("I am a big fan of the Seahawks", [("sports_team", "Seattle Seahawks", LIKE)]),
    ("remember that I'm a Celtics fan", [("sports_team", "Boston Celtics", LIKE)]),
    ("I like Italian restaurants", [("cuisine", "italian", LIKE)]),
    ("I love Thai food", [("cuisine", "thai", LIKE)]),
    ("I prefer Celsius", [("temperature_unit", "celsius", LIKE)]),
    ("use fahrenheit please", [("temperature_unit", "fahrenheit", LIKE)]),
    ("I don't like country music", [("music_genre", "country", DISLIKE)]),
    ("I hate jazz", [("music_genre", "jazz", DISLIKE)]),
    ("I can't stand rock", [("music_genre", "rock", DISLIKE)]),
    ("I'm not a fan of pop", [("music_genre", "pop", DISLIKE)]),
    ("I’m not into folk music", [("music_genre", "folk", DISLIKE)]),
    ("I love jazz", [("music_genre", "jazz", LIKE)]),
    ("my favourite music is hip hop", [("music_genre", "hip hop", LIKE)]),
    ("I really like classical music", [("music_genre", "classical", LIKE)]),
    ("I like Imagine Dragons", [("music_artist", "Imagine Dragons", LIKE)]),
    ("I live in Seattle", [("home_city", "Seattle, Washington", LIKE)]),
    ("my home city is Wilkerson, California", [("home_city", "Wilkerson, California", LIKE)]),
    ("I'm from Portland Maine", [("home_city", "Portland, Maine", LIKE)]),
    ("I live in Wilkerson", [("home_city", "Wilkerson", LIKE)]),  # ambiguous: the action asks which
    ("i live in wilkerson, a california", [("home_city", "Wilkerson, California", LIKE)]),
    ("we're based in wilkerson, um, the washington one", [("home_city", "Wilkerson, Washington", LIKE)]),
    ("I read the BBC", [("news_source", "BBC News", LIKE)]),
    ("my news source is NPR", [("news_source", "NPR", LIKE)]),
    ("I like coffee after my alarm", [("morning_routine", COFFEE_AFTER_ALARM, LIKE)]),
    ("I want coffee after the alarm goes off", [("morning_routine", COFFEE_AFTER_ALARM, LIKE)]),
    ("I like jazz but I hate country", [("music_genre", "jazz", LIKE), ("music_genre", "country", DISLIKE)]),
    ("I don't like country but I love jazz", [("music_genre", "country", DISLIKE), ("music_genre", "jazz", LIKE)]),
])
def test_statements(text: str, expected: list) -> None:
    assert found(text) == expected


WARRIORS, ADELE = "Golden State Warriors", "Adele"


@pytest.mark.parametrize(("text", "expected"), [
    # cheering a team, with or without "my team"
    ("go warriors, they're my team", [("sports_team", WARRIORS, LIKE)]),
    ("go Warriors!", [("sports_team", WARRIORS, LIKE)]),
    ("let's go Lakers", [("sports_team", "Los Angeles Lakers", LIKE)]),
    ("come on you Celtics", [("sports_team", "Boston Celtics", LIKE)]),
    ("Yankees all the way", [("sports_team", "New York Yankees", LIKE)]),
    ("big Bulls fan here", [("sports_team", "Chicago Bulls", LIKE)]),
    # fans and verdicts without "I"
    ("big fan of jazz", [("music_genre", "jazz", LIKE)]),
    ("huge fan of Adele", [("music_artist", ADELE, LIKE)]),
    ("Adele is the best", [("music_artist", ADELE, LIKE)]),
    ("nothing beats reggae", [("music_genre", "reggae", LIKE)]),
    ("can't stand country", [("music_genre", "country", DISLIKE)]),
    ("country is awful", [("music_genre", "country", DISLIKE)]),
    ("pop is the worst", [("music_genre", "pop", DISLIKE)]),
    ("pop it's ok", [("music_genre", "pop", LIKE)]),
    ("electronic is not ok", [("music_genre", "electronic", DISLIKE)]),
    # asked to remember a taste, not reminded of something to do
    ("remember miles davis for next time", [("music_artist", "Miles Davis", LIKE)]),
    ("please remember thai food", [("cuisine", "thai", LIKE)]),
    ("remember to play jazz", []),
    # dislikes said after the value, or with "sick of"
    ("country isn't for me", [("music_genre", "country", DISLIKE)]),
    ("jazz is not my thing", [("music_genre", "jazz", DISLIKE)]),
    ("I'm sick of Drake", [("music_artist", "Drake", DISLIKE)]),
    ("I'm into hip hop", [("music_genre", "hip hop", LIKE)]),
    ("I'd rather listen to blues", [("music_genre", "blues", LIKE)]),
    # the "I" dropped (or misheard away)
    ("prefer celsius", [("temperature_unit", "celsius", LIKE)]),
    ("really like jazz music", [("music_genre", "jazz", LIKE)]),
    ("love to hear jazz", []),
    ("we love Thai food", [("cuisine", "thai", LIKE)]),
    # a compared value is not a like
    ("I prefer jazz to country", [("music_genre", "jazz", LIKE)]),
    ("I love Adele but country is awful", [("music_artist", ADELE, LIKE), ("music_genre", "country", DISLIKE)]),
])
def test_statements_in_many_forms(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    "go ahead and play some jazz", "go play some rock", "play the best of Adele", "put on my favourite jazz",
    "find the best Thai restaurant", "are the Warriors any good",
])
def test_requests_with_taste_words_are_not_statements(text: str) -> None:
    assert parse_statements(text) == []


@pytest.mark.parametrize("text", [
    "play some jazz", "what's the weather in Seattle", "turn on the lights", "is it raining in Portland",
    "what music do I like", "I like Seattle", "", "   ", "🦄🦄🦄", "\x00\x1b[31m", "I like '; DROP TABLE preferences; --",
    "how did the Warriors do",
])
def test_non_statements(text: str) -> None:
    assert parse_statements(text) == []


def test_only_the_first_500_characters_are_read() -> None:
    assert parse_statements("blah " * 1000 + "I love jazz") == []
    assert found("I love jazz " + "blah " * 1000) == [("music_genre", "jazz", LIKE)]


def test_every_pattern_names_a_catalog_value() -> None:
    from assistant.catalog import load_catalog

    catalog = load_catalog()
    known = (set(catalog.genres) | {a.name for a in catalog.artists} | {t.name for t in catalog.teams}
             | set(catalog.cuisines) | {c.label for c in catalog.cities} | {c.name for c in catalog.cities}
             | set(catalog.temperature_units) | set(catalog.news_sources))
    assert {p["id"] for p in catalog_patterns()} <= known


@pytest.mark.parametrize(("text", "expected"), [
    ("when I say 'the big light' I mean the living room ceiling light",
     Correction("the big light", "the living room ceiling light")),
    ("When I say the big light, I mean the living room light.", Correction("the big light", "the living room light")),
    ("by big light I mean the living room light", Correction("big light", "the living room light")),
    ("'tunes' means music", Correction("tunes", "music")),
    ("play jazz", None),
    ("when I say it I mean it", None),
])
def test_corrections(text: str, expected: Correction | None) -> None:
    assert parse_correction(text) == expected


@pytest.mark.parametrize(("text", "values"), [
    ("i like kendrick lamar music please play it", ["Kendrick Lamar"]),
    ("my favourite band is queen, play them", ["Queen"]),
    ("i really love jazz so play some", ["jazz"]),
    ("i'd like to hear some jazz", []),             # asks; declares nothing
    ("i would like to listen to adele", []),
    ("i like to listen to adele in the morning", ["Adele"]),
    ("i want to dance to the tune of bob marley", []),
    ("play some jazz", []),
    ("i don't like jazz, play rock", []),        # no like declared: nothing kept from a request
    # the "I" dropped, or a verdict said of the value
    ("love me some queen", ["Queen"]),
    ("love the songs of imagine dragons can you play some", ["Imagine Dragons"]),
    ("you have to check out mozart he's the best", ["Mozart"]),
    ("love to hear some jazz", []),
    ("play queen's greatest hits", []),
])
def test_tastes_in_request_are_likes_declared_on_the_way(text: str, values: list[str]) -> None:
    from assistant.prefs.statements import tastes_in_request

    found = tastes_in_request(text, (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST))
    assert [s.value for s in found] == values


@pytest.mark.parametrize(("text", "home"), [
    ("i live in seattle", True), ("live in see at all, washington", True), ("we're based in austin", True),
    ("i am from boston", True), ("i'm living in denver", True),
    ("seattle", False), ("in boston", False), ("from boston", False), ("what is the weather where i live", False),
    ("living room lights on", False),
])
def test_declares_home(text: str, home: bool) -> None:
    from assistant.prefs.statements import declares_home

    assert declares_home(text) is home


@pytest.mark.parametrize(("text", "declared"), [
    ("pop it's ok", True), ("i really dig jazz", True), ("remember drake selections for next time", True),
    ("love me some queen", True), ("go warriors", True), ("i live in austin", True),
    ("add coldplay to my favourites", True), ("big fan of adele", True),
    ("play the best of adele", False), ("please play my favorite song by adele", False), ("what music do i like", False), ("remember to buy milk", False),
    ("turn on the lights", False), ("", False), ("🦄", False), ("is jazz any good?", False),
    # a verdict on the answer just heard, which may be a "no" to "Did I answer your question?"
    ("that is not good", False), ("your answer is not good", False), ("no it's fine", False),
    ("that's good thanks", False), ("adele is the best", True), ("jazz is not ok", True),
])
def test_declares_taste_by_its_words_alone(text: str, declared: bool) -> None:
    from assistant.prefs.statements import declares_taste

    assert declares_taste(text) is declared


@pytest.mark.parametrize(("text", "asks"), [
    ("play my favourite jazz", True), ("please play my favorite song by adele", True), ("now put on some rock", True),
    ("put jazz on my likes", False), ("i love jazz", False), ("playing jazz makes me happy", False), ("", False),
    ("find the lyrics of this song and save it, it's great", False),
    # a wish to hear something now
    ("i'd like to hear queen", True), ("please i would like to listen to some jazz", True),
    ("i need to hear adele now", True), ("let me hear the beatles", True), ("i'd love to hear mozart", True),
    ("i like to listen to jazz", False), ("i want to listen daily to this song", False),
    ("i'd like to hear queen in my favourites", True), ("put queen on my favourites, i'd like to hear them", False),
])
def test_asks_to_play(text: str, asks: bool) -> None:
    from assistant.prefs.statements import asks_to_play

    assert asks_to_play(text) is asks
