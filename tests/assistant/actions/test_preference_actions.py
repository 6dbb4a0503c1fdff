"""Preference actions on a real SQLite store in a temporary folder: statements stored per user,
used by the next request, listed, and forgotten only after a yes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from rasa_sdk.events import SlotSet

from assistant.actions.find_restaurant import ActionFindRestaurant
from assistant.actions.forget_preferences import ActionForgetPreferences
from assistant.actions.list_preferences import ActionListPreferences
from assistant.actions.play_media import ActionPlayMedia
from assistant.actions.store_preference import NOT_A_STATEMENT, ActionStorePreference
from assistant.actions.team_score import NO_TEAM, ActionTeamScore
from assistant.actions.weather import ActionWeather
from assistant.actions.yes_no import NOT_UNDERSTOOD, ActionYesNo
from assistant.paths import PREFS_URL_ENV
from assistant.prefs.keys import Polarity, PrefKey, Source
from assistant.services import preferences as svc
from tests.assistant.actions.conftest import run_action


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh preference store that the actions open through the environment."""
    path = tmp_path / "prefs.db"
    monkeypatch.setenv(PREFS_URL_ENV, f"sqlite:///{path}")
    svc._open.cache_clear()
    svc.store()  # creates the file, so that "nothing stored" can be checked in it
    yield path
    svc._open.cache_clear()


def rows(db: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute("SELECT user_id, key, value, polarity FROM preferences").fetchall())


def say(action, make_tracker, text: str, intent: str, **kwargs) -> tuple[list, list[str], list[str]]:
    return run_action(action, make_tracker(text, intent, **kwargs))


def test_statement_is_stored_for_the_speaking_user(db, make_tracker) -> None:
    _, texts, _ = say(ActionStorePreference(), make_tracker, "I'm a Warriors fan", "state_preference")
    assert texts == ["Got it: you're a Golden State Warriors fan."]
    assert rows(db) == [("alice", "sports_team", "Golden State Warriors", "like")]
    stored = svc.store().get("alice")[0]
    assert stored.source is Source.STATEMENT


def test_two_statements_in_one_sentence(db, make_tracker) -> None:
    _, texts, _ = say(ActionStorePreference(), make_tracker, "I like jazz but I hate country", "state_preference")
    assert texts == ["Got it: you like jazz and you don't like country music."]
    assert rows(db) == [("alice", "music_genre", "country", "dislike"), ("alice", "music_genre", "jazz", "like")]


@pytest.mark.parametrize("text", ["I like '; DROP TABLE preferences; --", "I'm a fan of 🦄", "\x00\x07", "x" * 5000])
def test_no_statement_stores_nothing_and_says_how(db, make_tracker, text: str) -> None:
    svc.store().set("alice", PrefKey.MUSIC_GENRE, "rock")
    _, texts, _ = say(ActionStorePreference(), make_tracker, text, "state_preference")
    assert texts == [NOT_A_STATEMENT]
    assert rows(db) == [("alice", "music_genre", "rock", "like")]


def test_words_read_as_a_statement_only_for_want_of_another_reading_that_name_nothing_are_not_understood(
        db, make_tracker) -> None:
    """ "remember my meeting" fell back, and was read as a statement for its words: it names no
    value, so it gets the fallback's answer, not a lesson in statements."""
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    tracker = make_tracker("remember my meeting", "state_preference", confidence=1.0)
    tracker.latest_message["read_as_statement"] = True
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionStorePreference().run(dispatcher, tracker, {}))
    assert [m.get("response") for m in dispatcher.messages] == ["utter_default"]
    assert rows(db) == []


def test_ambiguous_city_is_asked_about_not_stored(db, make_tracker) -> None:
    _, texts, _ = say(ActionStorePreference(), make_tracker, "I live in Wilkerson", "state_preference")
    assert "California" in texts[0] and "Washington" in texts[0]
    assert rows(db) == []


def test_play_music_uses_the_liked_genre_on_the_next_turn(db, make_tracker) -> None:
    say(ActionStorePreference(), make_tracker, "I love jazz", "state_preference")
    _, texts, directives = say(ActionPlayMedia(), make_tracker, "play some music", "play_media")
    assert texts == ["Playing some jazz, since you like it."]
    assert directives == ["play kitchen_speaker jazz|music"]


def test_play_music_avoids_a_disliked_default(db, make_tracker) -> None:
    svc.store().set("alice", PrefKey.MUSIC_GENRE, "pop", Polarity.DISLIKE)
    _, texts, _ = say(ActionPlayMedia(), make_tracker, "play some music", "play_media")
    assert texts == ["Playing some rock.", "Did I answer your question?"]   # a guess: checked


def test_a_named_genre_beats_the_preference(db, make_tracker) -> None:
    svc.store().set("alice", PrefKey.MUSIC_GENRE, "jazz")
    _, texts, _ = say(ActionPlayMedia(), make_tracker, "play some reggae", "play_media",
                      entities=[{"entity": "genre", "value": "reggae"}])
    assert texts == ["Playing some reggae."]


def test_another_users_preference_is_not_used(db, make_tracker) -> None:
    svc.store().set("bob", PrefKey.MUSIC_GENRE, "jazz")
    _, texts, _ = say(ActionPlayMedia(), make_tracker, "play some music", "play_media")
    assert texts == ["Playing some pop.", "Did I answer your question?"]


def test_weather_uses_home_city_and_unit(db, make_tracker) -> None:
    svc.store().set("alice", PrefKey.HOME_CITY, "Wilkerson, California")
    svc.store().set("alice", PrefKey.TEMPERATURE_UNIT, "fahrenheit")
    _, texts, _ = say(ActionWeather(), make_tracker, "what's the weather", "ask_weather")
    assert texts[0].startswith("In Wilkerson, California (your home city) today: ")
    assert texts[0].endswith("degrees Fahrenheit.")


def test_team_score_needs_a_team_then_uses_it(db, make_tracker) -> None:
    _, texts, _ = say(ActionTeamScore(), make_tracker, "how did my team do", "ask_team_score")
    assert texts == [NO_TEAM]
    svc.store().set("alice", PrefKey.SPORTS_TEAM, "Seattle Seahawks")
    _, texts, _ = say(ActionTeamScore(), make_tracker, "how did my team do", "ask_team_score")
    assert texts[0].startswith("The Seattle Seahawks (your team) ")


def test_a_team_named_that_the_service_lacks_is_said_so_and_rests_on_no_preference(db, make_tracker) -> None:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    tracker = make_tracker("what's the score of the lackers game", "ask_team_score")
    _, texts, _ = run_action(ActionTeamScore(), tracker)   # with repair on: "lackers" is the Lakers
    assert texts[0].startswith("The Los Angeles Lakers ")
    tracker.latest_message["metadata"]["learning"] = {"global_repair": False, "personal_repair": False}
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTeamScore().run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["text"] == ('I don\'t know the team "lackers". The closest I know is the '
                                              'Los Angeles Lakers (ask "how did the Lakers do").')
    assert dispatcher.messages[0]["custom"] == {"problem": "NOT_FOUND"}   # no "rested_on": nothing to offer


def test_restaurant_uses_the_liked_cuisine(db, make_tracker) -> None:
    svc.store().set("alice", PrefKey.CUISINE, "thai")
    _, texts, _ = say(ActionFindRestaurant(), make_tracker, "find a restaurant", "find_restaurant")
    assert texts == ["Since you like Thai food: For Thai food, try Bangkok Garden or Thai Basil."]


def test_an_inferred_team_or_cuisine_is_said_to_be_inferred_and_a_stated_one_wins(db, make_tracker) -> None:
    svc.store().set("alice", PrefKey.SPORTS_TEAM, "New York Yankees", Polarity.LIKE, Source.IMPLICIT, 0.6)
    svc.store().set("alice", PrefKey.CUISINE, "thai", Polarity.LIKE, Source.IMPLICIT, 0.6)
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTeamScore().run(dispatcher, make_tracker("how did my team do", "ask_team_score"), {}))
    assert dispatcher.messages[0]["text"].startswith("The New York Yankees (your team, as you've asked about them) ")
    assert dispatcher.messages[0]["custom"]["implicit"] == ["New York Yankees"]   # so a "no" can lower it
    _, texts, _ = say(ActionFindRestaurant(), make_tracker, "find a restaurant", "find_restaurant")
    assert texts == ["Since you've asked for Thai food: For Thai food, try Bangkok Garden or Thai Basil."]
    svc.store().set("alice", PrefKey.SPORTS_TEAM, "Seattle Seahawks")   # stated: beats the inferred one
    _, texts, _ = say(ActionTeamScore(), make_tracker, "how did my team do", "ask_team_score")
    assert texts[0].startswith("The Seattle Seahawks (your team) ")


def test_list_preferences(db, make_tracker) -> None:
    svc.store().set("alice", PrefKey.MUSIC_GENRE, "jazz")
    svc.store().set("bob", PrefKey.CUISINE, "thai")
    _, texts, _ = say(ActionListPreferences(), make_tracker, "what do you know about me", "ask_my_preferences")
    assert texts == ["Here's what I know about you: you like jazz."]


def test_forget_asks_first_then_deletes_on_yes(db, make_tracker) -> None:
    store = svc.store()
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    store.set("alice", PrefKey.SPORTS_TEAM, "Seattle Seahawks")
    store.set("bob", PrefKey.MUSIC_GENRE, "rock")
    events, texts, _ = say(ActionForgetPreferences(), make_tracker, "forget my music preference", "forget_preferences")
    assert texts == ["Forget your music genre and artist preferences (jazz)? Say yes or no."]
    assert events == [SlotSet("pending_question", "forget:music_genre,music_artist")]
    assert len(rows(db)) == 3
    events, texts, _ = say(ActionYesNo(), make_tracker, "yes", "affirm",
                           slots={"pending_question": "forget:music_genre,music_artist"})
    assert texts == ["Done: I've forgotten your music genre and artist preferences (1 item)."]
    assert events == [SlotSet("pending_question", None)]
    assert rows(db) == [("alice", "sports_team", "Seattle Seahawks", "like"), ("bob", "music_genre", "rock", "like")]


def test_no_keeps_everything(db, make_tracker) -> None:
    svc.store().set("alice", PrefKey.MUSIC_GENRE, "jazz")
    _, texts, _ = say(ActionYesNo(), make_tracker, "no", "deny", slots={"pending_question": "forget:*"})
    assert texts == ["Okay, I'll keep it."]
    assert rows(db) == [("alice", "music_genre", "jazz", "like")]


def test_forget_everything_leaves_other_users(db, make_tracker) -> None:
    svc.store().set("alice", PrefKey.MUSIC_GENRE, "jazz")
    svc.store().set("alice", PrefKey.CUISINE, "thai")
    svc.store().set("bob", PrefKey.MUSIC_GENRE, "rock")
    _, texts, _ = say(ActionYesNo(), make_tracker, "yes", "affirm", slots={"pending_question": "forget:*"})
    assert texts == ["Done: I've forgotten everything I know about you (2 items)."]
    assert rows(db) == [("bob", "music_genre", "rock", "like")]


def test_forget_with_nothing_stored_does_not_ask(db, make_tracker) -> None:
    events, texts, _ = say(ActionForgetPreferences(), make_tracker, "forget my team", "forget_preferences")
    assert texts == ["There's nothing to forget: I don't have your team preference stored."]
    assert events == [SlotSet("pending_question", None)]


def test_yes_without_a_question_is_just_okay(db, make_tracker) -> None:
    svc.store().set("alice", PrefKey.MUSIC_GENRE, "jazz")
    events, texts, _ = say(ActionYesNo(), make_tracker, "yes", "affirm")
    assert (events, texts) == ([], ["Okay."])
    assert len(rows(db)) == 1


def test_a_broken_store_does_not_break_the_turn(tmp_path, monkeypatch, make_tracker) -> None:
    bad = tmp_path / "not-a-db"
    bad.mkdir()
    monkeypatch.setenv(PREFS_URL_ENV, f"sqlite:///{bad}")
    svc._open.cache_clear()
    try:
        _, texts, _ = say(ActionPlayMedia(), make_tracker, "play some music", "play_media")
        assert texts[0] == "Playing some pop."
        _, texts, _ = say(ActionListPreferences(), make_tracker, "what do you know about me", "ask_my_preferences")
        assert texts == ["Sorry, I can't reach what I know about you right now."]
    finally:
        svc._open.cache_clear()


def test_an_unsure_yes_deletes_nothing_and_asks_again(db, make_tracker) -> None:
    svc.store().set("alice", PrefKey.MUSIC_GENRE, "jazz")
    events, texts, _ = say(ActionYesNo(), make_tracker, "asdfgh qwerty", "affirm", confidence=0.47,
                           slots={"pending_question": "forget:*"})
    assert (events, texts) == ([], ["Sorry, was that a yes or a no?"])
    assert len(rows(db)) == 1


def test_an_unsure_yes_with_nothing_pending_is_not_understood(db, make_tracker) -> None:
    events, texts, _ = say(ActionYesNo(), make_tracker, "asdfgh qwerty", "affirm", confidence=0.47)
    assert (events, texts) == ([], [NOT_UNDERSTOOD])


def test_a_correction_is_stored(db, make_tracker) -> None:
    from assistant.actions.store_correction import ActionStoreCorrection

    _, texts, _ = say(ActionStoreCorrection(), make_tracker,
                      "when I say 'the big light' I mean the living room light", "teach_correction")
    assert texts == ["Got it: when you say \"the big light\", I'll take it as \"the living room light\"."]
    assert [(c.said, c.meant) for c in svc.store().corrections("alice")] == [("the big light", "the living room light")]


@pytest.mark.parametrize("text", ["when I say x I mean y", "I mean it", "when I say " + "a" * 100 + " I mean b"])
def test_a_bad_correction_is_explained_and_not_stored(db, make_tracker, text: str) -> None:
    from assistant.actions.store_correction import ActionStoreCorrection

    _, texts, _ = say(ActionStoreCorrection(), make_tracker, text, "teach_correction")
    assert "when I say 'the big light' I mean the living room light" in texts[0]
    assert svc.store().corrections("alice") == []


# -- taste about what is playing ("save this song") -------------------------------------


def test_saving_the_playing_song_likes_its_artist(db, home, make_tracker) -> None:
    home.set_state("kitchen_speaker", {"playing": {"title": "Coldplay", "format": "music"}})
    _, texts, _ = say(ActionStorePreference(), make_tracker, "save this song to my favourites", "state_preference")
    assert texts == ["Got it: you like Coldplay."]
    assert rows(db) == [("alice", "music_artist", "Coldplay", "like")]


def test_disliking_the_playing_genre(db, home, make_tracker) -> None:
    home.set_state("kitchen_speaker", {"playing": {"title": "country", "format": "music"}})
    say(ActionStorePreference(), make_tracker, "I can't stand this music", "state_preference")
    assert rows(db) == [("alice", "music_genre", "country", "dislike")]


def test_nothing_playing_is_said_and_nothing_stored(db, make_tracker) -> None:
    from assistant.actions.store_preference import NOTHING_PLAYING

    _, texts, _ = say(ActionStorePreference(), make_tracker, "I love this song", "state_preference")
    assert texts == [NOTHING_PLAYING]
    assert rows(db) == []


def test_a_named_value_wins_over_what_is_playing(db, home, make_tracker) -> None:
    home.set_state("kitchen_speaker", {"playing": {"title": "Coldplay", "format": "music"}})
    say(ActionStorePreference(), make_tracker, "add jazz to my favourites", "state_preference")
    assert rows(db) == [("alice", "music_genre", "jazz", "like")]


def test_a_taste_said_in_a_request_is_played_and_kept_with_its_evidence(db, make_tracker) -> None:
    _, texts, directives = say(ActionPlayMedia(), make_tracker, "i like kendrick lamar music please play it",
                               "play_media", entities=[{"entity": "artist", "value": "kendrick lamar"}])
    assert texts == ["Got it: you like Kendrick Lamar. Playing Kendrick Lamar."]
    assert directives
    assert rows(db) == [("alice", "music_artist", "Kendrick Lamar", "like")]
    stored = svc.store().get("alice")[0]
    assert stored.source is Source.STATEMENT
    assert stored.evidence == "i like kendrick lamar music please play it" and stored.evidence_turn


def test_a_taste_declared_with_its_name_misheard_is_asked_about_not_looked_up(db, make_tracker) -> None:
    events, texts, directives = say(ActionPlayMedia(), make_tracker, "i like a dell music please play it",
                                    "play_media", entities=[{"entity": "media_title", "value": "it"}])
    assert texts == ["I didn't quite catch that. Did you mean Adele?"]
    assert not directives and rows(db) == []
    assert {"event": "slot", "name": "qa_suggestion", "value": "Adele", "timestamp": None} in events


def test_a_title_not_found_without_a_taste_is_still_said_to_be_missing(db, make_tracker) -> None:
    """The words sound like Bob Marley, but declare no taste: with repair off (as in the teachable
    arm), the title is missing, not a question."""
    tracker = make_tracker("play the bob marlowe detective show", "play_media",
                           entities=[{"entity": "media_title", "value": "bob marlowe detective show"}])
    tracker.latest_message["metadata"]["learning"] = {"global_repair": False, "personal_repair": False}
    _, texts, _ = run_action(ActionPlayMedia(), tracker)
    assert len(texts) == 1 and texts[0].startswith('I don\'t have "bob marlowe detective show" in the library.')
    assert rows(db) == []


def test_a_request_resumed_after_an_answer_keeps_nothing_again(db, make_tracker) -> None:
    """ "i love blues" answered an offer (stored there); play_media then plays it, saying nothing more."""
    _, texts, _ = say(ActionPlayMedia(), make_tracker, "i love blues", "state_preference",
                      entities=[{"entity": "genre", "value": "blues"}])
    assert texts == ["Playing some blues."]
    assert rows(db) == []


@pytest.mark.parametrize("text", ["i'd like to hear some jazz", "i want to listen to some jazz", "play some jazz"])
def test_a_request_that_only_asks_keeps_nothing(db, make_tracker, text: str) -> None:
    _, texts, _ = say(ActionPlayMedia(), make_tracker, text, "play_media",
                      entities=[{"entity": "genre", "value": "jazz"}])
    assert texts == ["Playing some jazz."]
    assert rows(db) == []


@pytest.mark.parametrize(("text", "slots", "metadata", "checked"), [
    ("would you play some music please", {}, {}, True),
    ("play my playlist", {}, {}, True),
    ("initiate kendrick llama music", {}, {}, False),                         # a name, misheard: no taste guessed
    ("play some music", {"pending_question": "forget:*"}, {}, False),         # another question pending
    ("play some music", {"teaching_declined": {"music_genre": 4e9}}, {}, False),   # "no thanks" lately
    ("play some music", {}, {"learning": {"teachable": False}}, False),       # the arm without teachable moments
])
def test_a_guessed_genre_is_checked_when_due(db, make_tracker, text: str, slots: dict, metadata: dict,
                                             checked: bool) -> None:
    tracker = make_tracker(text, "play_media", slots=slots)
    tracker.latest_message["metadata"].update(metadata)
    if "teaching_declined" in slots:
        tracker.latest_message["metadata"]["timestamp"] = 4e9 + 60
    events, texts, _ = run_action(ActionPlayMedia(), tracker)
    assert texts[0].startswith("Playing ")
    assert (texts[-1] == "Did I answer your question?") is checked
    assert (SlotSet("pending_question", "check:play_media|music_genre") in events) is checked


def test_a_guess_is_checked_once_a_conversation(db, make_tracker) -> None:
    tracker = make_tracker("play some music", "play_media")
    tracker.events = [{"event": "slot", "name": "pending_question", "value": "check:play_media|music_genre"},
                      {"event": "slot", "name": "pending_question", "value": None}]
    _, texts, _ = run_action(ActionPlayMedia(), tracker)
    assert texts == ["Playing some pop."]


def test_a_guessed_home_city_is_checked_and_a_named_one_is_not(db, make_tracker) -> None:
    events, texts, _ = say(ActionWeather(), make_tracker, "what's the weather", "ask_weather")
    assert texts[-1] == "Did I answer your question?"
    assert SlotSet("pending_question", "check:ask_weather|home_city") in events
    events, texts, _ = say(ActionWeather(), make_tracker, "what's the weather in Miami", "ask_weather",
                           entities=[{"entity": "city", "value": "Miami"}])
    assert texts[-1] != "Did I answer your question?" and not events
    events, texts, _ = say(ActionWeather(), make_tracker, "what is the weather in my ami", "ask_weather")
    assert texts[0].startswith("In Seattle") and len(texts) == 1 and not events   # a place heard wrong
    svc.store().set("alice", PrefKey.HOME_CITY, "Miami, Florida")
    events, texts, _ = say(ActionWeather(), make_tracker, "what's the weather", "ask_weather")
    assert len(texts) == 1 and not events
