from __future__ import annotations

import datetime as dt

import pytest

from assistant.catalog import load_catalog
from assistant.services import sports
from assistant.services.sports import last_game, team_by_name, team_named


@pytest.mark.parametrize(("text", "team"), [
    ("how did the warriors do", "Golden State Warriors"),
    ("did the Golden State Warriors win", "Golden State Warriors"),
    ("score of the Seattle Mariners game", "Seattle Mariners"),
    ("how did my team do", None),
    ("how did the warrior do", None),
])
def test_team_named(text: str, team: str | None) -> None:
    found = team_named(text)
    assert (found.name if found else None) == team


def test_last_game_is_deterministic_and_against_the_same_sport() -> None:
    today = dt.date(2026, 11, 24)
    for team in load_catalog().teams:
        game = last_game(team, today)
        assert game == last_game(team, today)
        assert game.opponent.sport == team.sport and game.opponent != team
        assert game.team_score != game.opponent_score
        assert game.date == dt.date(2026, 11, 23)


def test_sentence_names_winner_and_score() -> None:
    warriors = team_by_name("Golden State Warriors")
    game = last_game(warriors, dt.date(2026, 11, 24))
    high, low = sorted((game.team_score, game.opponent_score), reverse=True)
    verb = "beat" if game.won else "lost to"
    assert game.sentence() == f"The Golden State Warriors {verb} the {game.opponent.name} {high}-{low} yesterday."


def test_results_vary_over_days() -> None:
    warriors = team_by_name("Golden State Warriors")
    outcomes = {last_game(warriors, dt.date(2026, 11, d)).won for d in range(1, 29)}
    assert outcomes == {True, False}


@pytest.mark.parametrize(("text", "unknown"), [
    ("what's the score of the lackers game", "lackers"),
    ("did the sea hocks win please", "sea hocks"),
    ("how are the knicks doing", "knicks"),
    ("how did my team do", None),               # the user's own team: a preference, not a name
    ("hey sports scores for our team please", None),
    ("how did the warriors do", None),          # a team the service knows
    ("how did the team do", None),
])
def test_words_where_a_team_goes_that_name_none_it_knows(text: str, unknown: str | None) -> None:
    assert sports.unknown_team(text) == unknown


@pytest.mark.parametrize(("heard", "closest"), [("lackers", "Los Angeles Lakers"), ("sea hocks", "Seattle Seahawks"),
                                                ("worriors", "Golden State Warriors"), ("knicks", None)])
def test_an_unknown_team_is_answered_with_the_closest_by_sound_then_spelling(heard: str, closest: str | None) -> None:
    message = sports.not_found_message(heard)
    assert message.startswith(f'I don\'t know the team "{heard}".')
    assert (closest in message) if closest else message == f'I don\'t know the team "{heard}".'
