"""The guided Q&A's logic: which categories it asks, and what an answer means."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.prefs.keys import Polarity, PrefKey
from assistant.prefs.qa import QA_KEYS, QUESTIONS, STALE_AFTER, AnswerKind, keys_to_ask, read_answer

NOW = dt.datetime(2026, 11, 24, 12, 0)


def test_every_category_has_a_question() -> None:
    assert set(QUESTIONS) == set(QA_KEYS)


def test_only_unknown_or_stale_categories_are_asked() -> None:
    known = [(PrefKey.MUSIC_GENRE, NOW - dt.timedelta(days=1)),
             (PrefKey.CUISINE, NOW - STALE_AFTER - dt.timedelta(days=1))]
    asked = keys_to_ask(known, NOW)
    assert PrefKey.MUSIC_GENRE not in asked
    assert PrefKey.CUISINE in asked
    assert asked == [k for k in QA_KEYS if k is not PrefKey.MUSIC_GENRE]


@pytest.mark.parametrize(("key", "text", "value"), [
    (PrefKey.MUSIC_GENRE, "jazz", "jazz"),
    (PrefKey.MUSIC_GENRE, "I like jazz", "jazz"),
    (PrefKey.MUSIC_GENRE, "probably jazz or rock", "jazz"),
    (PrefKey.SPORTS_TEAM, "the Seahawks", "Seattle Seahawks"),
    (PrefKey.CUISINE, "Italian food please", "italian"),
    (PrefKey.HOME_CITY, "Wilkerson, Washington", "Wilkerson, Washington"),
    (PrefKey.TEMPERATURE_UNIT, "celsius please", "celsius"),
    (PrefKey.NEWS_SOURCE, "the BBC", "BBC News"),
    (PrefKey.MORNING_ROUTINE, "coffee after the alarm", "coffee after the alarm"),
    (PrefKey.MORNING_ROUTINE, "none", "none"),
])
def test_values(key: PrefKey, text: str, value: str) -> None:
    answer = read_answer(key, text)
    assert (answer.kind, answer.value) == (AnswerKind.VALUE, value)


@pytest.mark.parametrize("text", ["skip", "Skip this one", "pass", "I don't know", "no idea", "next question"])
def test_skips(text: str) -> None:
    assert read_answer(PrefKey.CUISINE, text).kind is AnswerKind.SKIP


@pytest.mark.parametrize("text", ["whatever be fine", "anything would be okay with me", "it doesn't matter to me",
                                  "have no idea regarding to which to choose", "it is unimportant for me",
                                  "that is of no importance"])
def test_dont_care_said_in_a_sentence_is_a_skip(text: str) -> None:
    assert read_answer(PrefKey.MUSIC_GENRE, text).kind is AnswerKind.SKIP


@pytest.mark.parametrize("text", ["i wouldn't really mind, you can choose any one", "either one is fine by me",
                                  "honestly any of them"])
def test_dont_care_wins_over_a_word_that_only_sounds_like_a_value(text: str) -> None:
    answer = read_answer(PrefKey.CUISINE, text)
    assert (answer.kind, answer.suggestion) == (AnswerKind.SKIP, None)


def test_a_value_said_with_dont_care_words_is_still_the_value() -> None:
    answer = read_answer(PrefKey.MUSIC_GENRE, "whatever, jazz is fine")
    assert (answer.kind, answer.value) == (AnswerKind.VALUE, "jazz")


@pytest.mark.parametrize("text", ["stop", "that's enough", "Stop asking", "I'm done", "cancel"])
def test_stops(text: str) -> None:
    assert read_answer(PrefKey.CUISINE, text).kind is AnswerKind.STOP


def test_a_typo_suggests_and_a_yes_accepts_the_suggestion() -> None:
    answer = read_answer(PrefKey.SPORTS_TEAM, "Warrior")
    assert answer.kind is AnswerKind.INVALID
    assert answer.message == "I don't know the team 'Warrior'. Did you mean the Golden State Warriors?"
    assert answer.suggestion == "Golden State Warriors"
    accepted = read_answer(PrefKey.SPORTS_TEAM, "yes", suggestion=answer.suggestion)
    assert (accepted.kind, accepted.value) == (AnswerKind.VALUE, "Golden State Warriors")


def test_a_yes_without_a_suggestion_is_not_a_value() -> None:
    assert read_answer(PrefKey.SPORTS_TEAM, "yes").kind is AnswerKind.INVALID


def test_another_category_is_noted_and_the_question_stays() -> None:
    answer = read_answer(PrefKey.CUISINE, "actually I prefer Celsius")
    assert answer.kind is AnswerKind.ELSEWHERE
    assert [(s.key, s.value) for s in answer.statements] == [(PrefKey.TEMPERATURE_UNIT, "celsius")]


def test_a_dislike_of_the_category_is_noted() -> None:
    answer = read_answer(PrefKey.MUSIC_GENRE, "I hate country")
    assert answer.kind is AnswerKind.ELSEWHERE
    assert [(s.value, s.polarity) for s in answer.statements] == [("country", Polarity.DISLIKE)]


def test_a_value_said_with_a_dislike_keeps_both() -> None:
    answer = read_answer(PrefKey.MUSIC_GENRE, "I like jazz but I hate country")
    assert (answer.kind, answer.value) == (AnswerKind.VALUE, "jazz")
    assert [(s.value, s.polarity) for s in answer.statements] == [("country", Polarity.DISLIKE)]


def test_shared_city_name_asks_which() -> None:
    answer = read_answer(PrefKey.HOME_CITY, "Wilkerson")
    assert answer.kind is AnswerKind.INVALID and "Wilkerson, California or Wilkerson, Washington" in answer.message


@pytest.mark.parametrize("text", ["'; DROP TABLE preferences; --", "x" * 5000, "🍕🍕", "\x00\x1b[2J", "", "   "])
def test_hostile_answers_are_invalid_with_a_short_message(text: str) -> None:
    answer = read_answer(PrefKey.CUISINE, text)
    assert answer.kind is AnswerKind.INVALID and answer.value is None
    assert 0 < len(answer.message) < 300


@pytest.mark.parametrize(("text", "yes"), [
    ("yeah that is correct", True), ("yes it's confirmed", True), ("strongly agree", True), ("yeap", True),
    ("that is right", True), ("no", False), ("no that is not right", False), ("nope", False),
    ("is it raining", False), ("right, and now play some jazz in the kitchen please", False),
])
def test_a_yes_in_a_few_words(text: str, yes: bool) -> None:
    from assistant.prefs.qa import affirms

    assert affirms(text) is yes


@pytest.mark.parametrize(("text", "quits"), [
    ("can you shut off please", True), ("will you shut down please", True), ("could you please shut up", True),
    ("please can you cancel it", True), ("never mind", True),
    ("shut off the kitchen lights", False), ("cancel my alarm", False), ("turn off the oven", False),
])
def test_asked_to_stop_in_words_of_a_device_command(text: str, quits: bool) -> None:
    from assistant.prefs.qa import quits as reads_quit

    assert reads_quit(text) is quits
