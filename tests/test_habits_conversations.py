"""Habits through the real stack, with a pre-seeded history: an implicit genre learned from
listening and used (and dropped after a no), a stated preference an inference does not
override, a routine mined from mornings and offered once, and two users of one home kept apart."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.habits.hook import habit_store
from assistant.habits.implicit import infer
from assistant.prefs.keys import COFFEE_AFTER_ALARM, PrefKey, Source

DAY = dt.timedelta(days=1)


@pytest.fixture
def clean(fresh):
    fresh.reset_learning()
    habit_store(fresh).clear()
    yield fresh
    fresh.reset_learning()
    habit_store(fresh).clear()


def say(rt, user: str, text: str, device: str = "kitchen_speaker"):
    result = rt.handle(text, user_id=user, device_id=device, timestamp=rt.home.clock.now)
    rt.home.advance(1)
    return result


def listen(rt, user: str, genre: str, days: int) -> None:
    for _ in range(days):
        assert genre in say(rt, user, f"play some {genre}").reply.lower()
        rt.end_session(user)
        rt.home.advance(24 * 60)


def test_an_implicit_genre_is_learned_used_and_dropped_after_a_no(clean) -> None:
    rt = clean
    listen(rt, "quinn", "jazz", 4)
    report = infer(rt.log, rt.preferences, rt.home.clock.now, habits=habit_store(rt))
    assert [(i.user_id, i.key, i.value) for i in report.stored] == [("quinn", "music_genre", "jazz")]
    played = say(rt, "quinn", "play some music")
    assert played.reply == "Playing some jazz, which you often listen to."
    listed = say(rt, "quinn", "what do you know about me")
    assert "you like jazz (inferred from what you do)" in listed.reply
    say(rt, "quinn", "play some music")
    say(rt, "quinn", "no that's wrong")
    assert rt.preferences.get("quinn", PrefKey.MUSIC_GENRE) == []
    assert "jazz" not in say(rt, "quinn", "play some music").reply


def test_a_stated_preference_is_not_overridden_by_an_inference(clean) -> None:
    rt = clean
    say(rt, "rosa", "I love rock")
    assert rt.preferences.first_liked("rosa", PrefKey.MUSIC_GENRE) == "rock"
    listen(rt, "rosa", "jazz", 4)
    report = infer(rt.log, rt.preferences, rt.home.clock.now, habits=habit_store(rt))
    assert [i.value for i in report.kept_explicit if i.user_id == "rosa"] == ["jazz"]
    assert [(p.value, p.source) for p in rt.preferences.get("rosa", PrefKey.MUSIC_GENRE)] == [
        ("rock", Source.STATEMENT)]
    assert say(rt, "rosa", "play some music").reply == "Playing some rock, since you like it."


def morning(rt, user: str) -> None:
    rt.home.set_state("coffee_maker", {"power": "off", "brewing": False})
    rt.home.set_time("06:50")  # the next day's, so that each morning is a new day
    rt.home.set_time("07:00")  # the alarm rings
    rt.home.advance(5)


def test_a_routine_is_mined_offered_once_and_accepted(clean) -> None:
    rt = clean
    rt.home.set_state("bedroom_alarm_clock", {"alarms": ["07:00"]})
    for day in range(2):
        morning(rt, "sam")
        reply = say(rt, "sam", "start brewing").reply
        assert "usually start the coffee" not in reply, f"day {day}: {reply}"
        rt.end_session("sam")
    morning(rt, "sam")
    offered = say(rt, "sam", "start brewing")
    assert offered.reply.endswith("You usually start the coffee after your alarm. Want me to do that every morning?")
    assert offered.amended_by == ["RoutineOffer"]
    assert rt.log.get(offered.turn_id).reply == offered.reply   # the log holds the offer the user heard
    accepted = say(rt, "sam", "yes")
    assert accepted.reply == "Done: every morning after your alarm, I'll start the coffee."
    assert rt.preferences.first_liked("sam", PrefKey.MORNING_ROUTINE) == COFFEE_AFTER_ALARM
    rt.end_session("sam")
    morning(rt, "sam")
    started = say(rt, "sam", "get it going")
    assert rt.home.devices["coffee_maker"].state["brewing"] is True, started.reply
    # Rasa's NLU read it as the coffee (TaughtPhrase); the log keeps what the user said.
    assert started.intent == "start_coffee" and rt.log.get(started.turn_id).text == "get it going"
    rt.end_session("sam")
    morning(rt, "sam")
    assert "usually start the coffee" not in say(rt, "sam", "start brewing").reply  # offered once


def test_the_log_holds_the_teaching_offer_that_replaced_the_fallback(clean) -> None:
    rt = clean
    offered = say(rt, "wes", "party mode")
    assert offered.intent == "nlu_fallback" and offered.amended_by == ["TeachingOffer"], offered.reply
    assert offered.reply.startswith("I don't know what \"party mode\" means. Can you teach me?")
    assert rt.log.get(offered.turn_id).reply == offered.reply
    taught = say(rt, "wes", "turn on the kitchen light")
    assert taught.intent == "teach_concept" and taught.reply.endswith("Shall I remember that?"), taught.reply


def test_forgotten_inferences_are_not_inferred_again(clean) -> None:
    rt = clean
    listen(rt, "vera", "jazz", 3)
    assert rt.preferences.first_liked("vera", PrefKey.MUSIC_GENRE) == "jazz"  # inferred online
    assert "forget" in say(rt, "vera", "forget my music preferences").reply.lower()
    assert say(rt, "vera", "yes").reply.startswith("Done: I've forgotten")
    say(rt, "vera", "play some rock")  # new evidence: inference runs again
    assert rt.preferences.get("vera", PrefKey.MUSIC_GENRE) == []


def test_two_users_of_one_home_keep_their_own_habits(clean) -> None:
    rt = clean
    listen(rt, "tess", "classical", 4)
    taught = say(rt, "tess", "when I say study time, turn on the office light, play the matrix and play some "
                             "classical", device="living_room_tv")
    assert taught.intent == "teach_concept" and taught.reply.startswith("Okay:"), taught.reply
    other = say(rt, "uma", "play some music")
    assert "classical" not in other.reply and "often listen" not in other.reply
    rt.home.set_state("office_light", {"power": "off"})
    say(rt, "uma", "study time")
    assert rt.home.devices["office_light"].state["power"] == "off"
    rt.end_session("tess")  # a later conversation, another device
    mine = say(rt, "tess", "study time")
    assert mine.intent == "run_concept" and rt.home.devices["office_light"].state["power"] == "on"
    assert mine.reply.endswith("Step 2 (\"play the matrix\") didn't work; the other steps ran."), mine.reply
    assert "Playing some classical" in mine.reply
    assert say(rt, "tess", "forget everything about me").reply.startswith("Forget everything")
    assert say(rt, "tess", "yes").reply.startswith("Done: I've forgotten everything")
    assert habit_store(rt).concepts("tess") == [] and rt.preferences.get("tess") == []
    assert say(rt, "tess", "study time").intent != "run_concept"


def test_a_concept_stored_before_the_move_to_rasa_still_runs(clean) -> None:
    """Upgrade path: a concept stored as step texts only (before parses were kept) gets its steps'
    NLU parses once (what the runtime does at start), then runs through action_run_concept."""
    import json

    import sqlalchemy as sa

    from assistant.habits.hook import upgrade

    rt, store = clean, habit_store(clean)
    with store._engine.begin() as conn:   # the row as the old hook wrote it
        conn.execute(sa.insert(store._concepts).values(
            user_id="old", name="movie time", created_at=rt.home.clock.now,
            steps=json.dumps(["dim the living room lights", "turn on the TV"])))
    [before] = store.concepts("old")
    assert before.steps == ("dim the living room lights", "turn on the TV") and before.parses == (None, None)
    assert upgrade(rt) == 1 and upgrade(rt) == 0   # once
    [after] = store.concepts("old")
    assert [p["intent"] for p in after.parses] == ["set_brightness", "turn_on"], after.parses
    rt.home.set_state("living_room_light", {"power": "on", "brightness": 100})
    rt.home.set_state("living_room_tv", {"power": "off"})
    ran = say(rt, "old", "movie time", device="living_room_tv")
    assert ran.intent == "run_concept" and ran.reply.startswith("Movie time:"), ran.reply
    assert rt.home.devices["living_room_light"].state["brightness"] == 30
    assert rt.home.devices["living_room_tv"].state["power"] == "on"
    assert "didn't work" not in ran.reply
