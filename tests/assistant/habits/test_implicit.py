"""Implicit preferences from small hand-made histories whose answer is known."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.habits.implicit import InferConfig, infer, observations, reject, resolutions, score
from assistant.habits.store import HabitStore, MarkKind
from assistant.prefs.keys import Polarity, PrefKey, Source
from tests.assistant.habits.helpers import START, FakeLog, played, turn

DAY = dt.timedelta(days=1)


def jazz_week(user: str = "ann") -> list:
    rows = [played(user, START + i * DAY, "jazz") for i in range(5)]
    rows.append(played(user, START + 5 * DAY, "rock"))
    return rows


@pytest.fixture
def habits(tmp_path):
    with HabitStore.open(tmp_path / "prefs.db") as store:
        yield store


def test_the_genre_played_most_is_inferred_with_its_share() -> None:
    inferred = score(observations(jazz_week()), START + 6 * DAY)
    genre = [i for i in inferred if i.key == "music_genre"]
    assert [(i.value, i.count) for i in genre] == [("jazz", 5)]
    assert 0.4 <= genre[0].confidence < genre[0].share <= 5 / 6 + 1e-9


def test_too_little_evidence_infers_nothing() -> None:
    rows = [played("ann", START, "jazz"), played("ann", START + DAY, "rock"), played("ann", START, "pop")]
    assert [i for i in score(observations(rows), START + 2 * DAY) if i.key == "music_genre"] == []
    two = [played("ann", START, "jazz"), played("ann", START + DAY, "jazz")]
    assert [i.value for i in score(observations(two), START + 2 * DAY) if i.key == "music_genre"] == ["jazz"]


def test_old_habits_fade() -> None:
    rows = jazz_week()
    assert any(i.value == "jazz" for i in score(observations(rows), START + 6 * DAY))
    later = START + 120 * DAY  # eight half-lives
    assert not any(i.value == "jazz" for i in score(observations(rows), later))


def test_a_newer_habit_overtakes_an_older_one() -> None:
    rows = [played("ann", START + i * DAY, "jazz") for i in range(5)]
    rows += [played("ann", START + (40 + i) * DAY, "rock") for i in range(5)]
    genre = [i for i in score(observations(rows), START + 45 * DAY) if i.key == "music_genre"]
    assert [i.value for i in genre] == ["rock"]


def test_an_artist_counts_for_the_artist_and_half_for_their_genre() -> None:
    rows = [played("ann", START + i * DAY, "Miles Davis") for i in range(4)]
    inferred = {(i.key, i.value) for i in score(observations(rows), START + 4 * DAY)}
    assert ("music_artist", "Miles Davis") in inferred
    assert ("music_genre", "jazz") not in inferred  # 4 half votes are no count of 2 plays


def test_defaults_the_assistant_chose_and_rejected_turns_are_no_evidence() -> None:
    rows = [played("ann", START + i * DAY, "jazz", text="play some music") for i in range(5)]
    rows += [played("ann", START + i * DAY, "rock", feedback={"barge_in": True}) for i in range(5)]
    assert observations(rows) == [o for o in observations(rows) if o.key.startswith("room@")]


def test_city_from_weather_replies_and_unit_from_the_words() -> None:
    rows = [turn("ann", START + i * DAY, "what's the weather in seattle in fahrenheit", intent="ask_weather",
                 reply="In Seattle, Washington today: rainy, high of 55 and low of 45 degrees Fahrenheit.")
            for i in range(3)]
    rows.append(turn("ann", START, "what's the weather", intent="ask_weather",
                     reply="In Seattle, Washington today (your home city): rainy."))
    inferred = {(i.key, i.value, i.count) for i in score(observations(rows), START + 3 * DAY)}
    assert ("home_city", "Seattle, Washington", 3) in inferred
    assert ("temperature_unit", "fahrenheit", 3) in inferred


def test_the_usual_room_by_time_of_day() -> None:
    rows = [turn("ann", START + i * DAY, "turn on the lights", intent="turn_on", room="bedroom",
                 time_of_day="night") for i in range(4)]
    rows.append(turn("ann", START, "turn on the lights", intent="turn_on", room="kitchen", time_of_day="night"))
    rooms = [(i.key, i.value) for i in score(observations(rows), START + 4 * DAY) if i.key.startswith("room@")]
    assert rooms == [("room@night", "bedroom")]


def test_infer_stores_implicit_and_never_overrides_a_stated_preference(store, habits) -> None:
    log = FakeLog(jazz_week("ann") + jazz_week("bob"))
    store.set("bob", PrefKey.MUSIC_GENRE, "rock", Polarity.LIKE, Source.STATEMENT)
    report = infer(log, store, START + 6 * DAY, habits=habits)
    ann = store.get("ann", PrefKey.MUSIC_GENRE)
    assert [(p.value, p.source) for p in ann] == [("jazz", Source.IMPLICIT)]
    assert [(p.value, p.source) for p in store.get("bob", PrefKey.MUSIC_GENRE)] == [("rock", Source.STATEMENT)]
    assert [(i.user_id, i.value) for i in report.kept_explicit] == [("bob", "jazz")]


def test_a_faded_inference_is_removed_but_a_stated_one_stays(store, habits) -> None:
    log = FakeLog(jazz_week("ann"))
    infer(log, store, START + 6 * DAY, habits=habits)
    store.set("ann", PrefKey.HOME_CITY, "Seattle, Washington")
    report = infer(log, store, START + 200 * DAY, habits=habits)
    assert ("ann", "music_genre", "jazz") in report.removed
    assert store.get("ann", PrefKey.MUSIC_GENRE) == []
    assert store.first_liked("ann", PrefKey.HOME_CITY) == "Seattle, Washington"


def test_a_no_lowers_it_at_once_and_later_inference_remembers(store, habits) -> None:
    log = FakeLog(jazz_week("ann"))
    infer(log, store, START + 6 * DAY, habits=habits)
    assert reject(store, habits, "ann", PrefKey.MUSIC_GENRE, "jazz", START + 6 * DAY) == 0.0
    assert store.get("ann", PrefKey.MUSIC_GENRE) == []
    infer(log, store, START + 6 * DAY, habits=habits)
    assert store.get("ann", PrefKey.MUSIC_GENRE) == []
    assert [m.kind for m in habits.marks("ann")] == [MarkKind.REJECTED]


def test_forgotten_evidence_is_not_inferred_again(store, habits) -> None:
    log = FakeLog(jazz_week("ann"))
    habits.mark("ann", MarkKind.FORGOT, "*", at=START + 6 * DAY)
    assert infer(log, store, START + 6 * DAY, habits=habits).stored == []


def test_an_empty_history_infers_nothing(store, habits) -> None:
    report = infer(FakeLog([]), store, START, habits=habits)
    assert (report.stored, report.removed, report.inferred) == ([], [], [])


def test_thresholds_are_configurable() -> None:
    rows = [played("ann", START, "jazz")]
    assert [i for i in score(observations(rows), START) if i.key == "music_genre"] == []
    loose = InferConfig(min_count=1, min_confidence=0.3)
    assert [i.value for i in score(observations(rows), START, loose) if i.key == "music_genre"] == ["jazz"]


def test_the_actions_typed_tags_are_the_evidence_not_the_reply_wording() -> None:
    # Logged with the typed column: the reply's wording no longer matters.
    asked = [turn("ann", START + i * DAY, "what's the weather in seattle", intent="ask_weather",
                  reply="Seattle: rainy all day.", ) for i in range(3)]
    for row in asked:
        row.evidence = {"implicit": [], "asked_city": "Seattle, Washington"}
    filled_in = turn("ann", START, "what's the weather in seattle", intent="ask_weather",
                     reply="In Seattle, Washington today: rainy.")
    filled_in.evidence = {"implicit": [], "asked_city": None}   # the home city, filled in
    inferred_play = played("ann", START + 4 * DAY, "jazz", text="play some jazz")
    inferred_play.evidence = {"implicit": ["jazz"], "asked_city": None}
    found = observations([*asked, filled_in, inferred_play])
    assert [o.value for o in found if o.key == "home_city"] == ["Seattle, Washington"] * 3
    assert not [o for o in found if o.key == "music_genre"]   # playing an inferred genre is no choice


SECOND = dt.timedelta(seconds=15)


def asked(user: str, when: dt.datetime, text: str, intent: str, *, rested: dict | None = None,
          answered: dict | None = None, feedback: dict | None = None) -> object:
    row = turn(user, when, text, intent=intent, feedback=feedback)
    row.evidence = {"implicit": [], "asked_city": None, "answered": answered or {},
                    **({"rested_on": rested} if rested else {})}
    return row


def team_resolved(user: str = "ann", gap: int = 2, *, stated_first: bool = False) -> list:
    """ "how did my team do" with no team, a "no thanks" between, then the team by name."""
    rows = [asked(user, START, "how did my team do", "ask_team_score",
                  rested={"key": "sports_team", "stored": stated_first})]
    rows += [asked(user, START + (i + 1) * SECOND, "no thanks", "deny") for i in range(gap - 1)]
    rows.append(asked(user, START + gap * SECOND, "how did the yankees do", "ask_team_score",
                      answered={"team": "New York Yankees"}))
    return rows


def test_a_value_named_right_after_a_request_that_lacked_it_is_inferred_at_once() -> None:
    found = [o for o in observations(team_resolved()) if not o.key.startswith("room@")]
    assert [(o.key, o.value, o.votes) for o in found] == [("sports_team", "New York Yankees", 2)]
    inferred = score(found, START + DAY)
    assert [(i.key, i.value) for i in inferred] == [("sports_team", "New York Yankees")]


def test_no_resolution_without_a_failed_need_or_too_late() -> None:
    def teams(rows: list) -> list:
        return [o for o in observations(rows) if o.key == "sports_team"]

    assert teams(team_resolved(stated_first=True)) == []      # the request had the user's team
    assert teams(team_resolved(gap=5)) == []                 # four turns later: another matter
    assert teams(team_resolved()[-1:]) == []                   # asked by name, nothing lacking
    late = team_resolved()
    late[-1].timestamp = START + dt.timedelta(minutes=10)
    assert teams(late) == []
    rejected = team_resolved()
    rejected[-1].feedback = {"dissatisfaction": True}
    assert teams(rejected) == []                               # the named answer was then rejected


def test_a_guess_counts_as_a_need_only_once_the_user_rejected_it() -> None:
    def cities(first_feedback: dict | None) -> list:
        rows = [asked("ann", START, "what's the weather", "ask_weather", answered={"city": "Seattle, Washington"},
                      rested={"key": "home_city", "stored": False, "guess": "Seattle, Washington"},
                      feedback=first_feedback),
                asked("ann", START + SECOND, "what's the weather in miami", "ask_weather",
                      answered={"city": "Miami, Florida"})]
        rows[1].evidence["asked_city"] = "Miami, Florida"
        return [(o.value, o.votes) for o in observations(rows) if o.key == "home_city"]

    assert cities(None) == [("Miami, Florida", 1)]                       # a trip: one asked city
    assert sorted(cities({"explicit": "no"})) == [("Miami, Florida", 1), ("Miami, Florida", 2)]


def test_a_resolved_team_is_stored_as_implicit_and_a_stated_one_wins(store, habits) -> None:
    log = FakeLog(team_resolved("ann") + team_resolved("bob"))
    store.set("bob", PrefKey.SPORTS_TEAM, "Chicago Bulls", Polarity.LIKE, Source.STATEMENT)
    infer(log, store, START + DAY, habits=habits)
    assert [(p.value, p.source) for p in store.get("ann", PrefKey.SPORTS_TEAM)] == \
        [("New York Yankees", Source.IMPLICIT)]
    assert [p.value for p in store.get("bob", PrefKey.SPORTS_TEAM)] == ["Chicago Bulls"]


def test_the_logged_evidence_keeps_what_the_answer_was_about_and_rested_on() -> None:
    from assistant.habits.implicit import keep_evidence
    from assistant.turn import ActionReport

    row = turn("ann", START, "how did my team do", intent="ask_team_score")
    row.evidence = {"implicit": [], "asked_city": None}
    keep_evidence(row, ActionReport.decode([{"rested_on": {"key": "sports_team", "stored": False}}]))
    assert row.evidence == {"implicit": [], "asked_city": None, "rested_on": {"key": "sports_team", "stored": False}}
    named = turn("ann", START + SECOND, "how did the yankees do", intent="ask_team_score")
    keep_evidence(named, ActionReport.decode([{"answered": {"team": "New York Yankees"}}]))
    assert named.evidence == {"answered": {"team": "New York Yankees"}}
    assert [(o.key, o.value) for o in resolutions([row, named])] == [("sports_team", "New York Yankees")]
