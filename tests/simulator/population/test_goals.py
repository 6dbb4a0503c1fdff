"""Goals and the daily agenda: catalog values, outcomes that match, and independence from arms."""

from __future__ import annotations

import random
import re

import pytest

from assistant.catalog import load_catalog
from simulator.population.goals import TEMPLATES, GoalKind, build_goal, daily_goals, spoken_time
from simulator.population.users import generate_population


@pytest.fixture(scope="module")
def users():
    return generate_population(6, seed=21)


def test_users_come_from_the_seed_and_the_catalogs(users) -> None:
    catalog = load_catalog()
    assert generate_population(6, seed=21) == users
    assert generate_population(6, seed=22) != users
    for user in users:
        assert user.prefs.music_genre in catalog.genres
        assert user.prefs.music_artist in {a.name for a in catalog.artists}
        assert user.prefs.sports_team in {t.name for t in catalog.teams}
        assert user.prefs.cuisine in catalog.cuisines
        assert user.prefs.home_city in {c.label for c in catalog.cities}
        assert user.prefs.temperature_unit in catalog.temperature_units


def test_the_agenda_depends_only_on_user_day_and_seed(users) -> None:
    user = users[0]
    assert daily_goals(user, 2, seed=9) == daily_goals(user, 2, seed=9)
    assert daily_goals(user, 2, seed=9) != daily_goals(user, 3, seed=9)
    times = [g.time for g in daily_goals(user, 1, seed=9)]
    assert times == sorted(times)


def test_habits_show_up_every_day(users) -> None:
    for user in users:
        for day in range(3):
            hour, minute = user.habits.wake_time.split(":")
            after_alarm = f"{hour}:{int(minute) + 10:02d}"
            morning = [g for g in daily_goals(user, day, seed=4) if g.time == after_alarm]
            assert any(g.kind is GoalKind.COFFEE for g in morning) == user.habits.coffee_after_alarm
            night = [g for g in daily_goals(user, day, seed=4) if g.time == "22:40"]
            assert bool(night) == user.habits.lights_off_at_night
            if night:
                assert night[0].outcome.directive == "turn_off bedroom_light"


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_every_kind_builds_a_goal_that_can_be_judged(kind: GoalKind, users) -> None:
    goal = build_goal(kind, users[1], "g", "09:00", random.Random(3))
    assert goal.phrasings and all(p and "{" not in p for p in goal.phrasings)
    assert len(goal.phrasings) == len(TEMPLATES[kind])
    out = goal.outcome
    assert out.directive or out.answer or out.preference or (out.impossible and out.problem)
    if out.directive:
        re.compile(out.directive)


def test_preference_goals_point_at_the_hidden_truth(users) -> None:
    user = users[2]
    music = build_goal(GoalKind.PLAY_MUSIC, user, "g", "20:00", random.Random(1))
    assert re.search(music.outcome.directive, f"play {music.device_id} {user.prefs.music_genre}|music")
    weather = build_goal(GoalKind.WEATHER_HOME, user, "g", "08:00", random.Random(1))
    assert weather.outcome.answer == ("city", user.prefs.home_city)
    assert set(weather.pref_keys) == {"home_city", "temperature_unit"}


def test_spoken_times() -> None:
    assert spoken_time("07:00") == "7 am"
    assert spoken_time("06:30") == "6:30 am"
    assert spoken_time("22:00") == "10 pm"
