"""Entity repair where the actions resolve values: a misheard name clearly ahead is repaired,
the reply names what was understood, the reply carries the typed repair, and the switches,
the store's record and the user's own history decide as they should."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.find_restaurant import ActionFindRestaurant
from assistant.actions.play_media import ActionPlayMedia
from assistant.actions.team_score import ActionTeamScore
from assistant.actions.weather import ActionWeather
from assistant.repair.outcome import Kind, Repair, Scope
from assistant.repair.store import RepairStore

ON = {"global_repair": True, "personal_repair": True}
OFF = {"global_repair": False, "personal_repair": False}


def _run(action: Any, text: str, intent: str, learning: dict[str, Any],
         entities: list[dict] | None = None, user: str = "alice") -> tuple[list[str], list[dict], list[str]]:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": entities or [],
              "metadata": {"user_id": user, "device_id": "kitchen_speaker", "learning": learning}}
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, Tracker(user, {}, latest, [], False, None, {}, "action_listen"), {}))
    texts = [m["text"] for m in dispatcher.messages if m.get("text")]
    repairs = [m["custom"]["repaired"] for m in dispatcher.messages if (m.get("custom") or {}).get("repaired")]
    directives = [d for m in dispatcher.messages for d in (m.get("custom") or {}).get("directives", [])]
    return texts, repairs, directives


@pytest.fixture
def prefs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty preference store of the test's own."""
    from assistant.paths import PREFS_URL_ENV
    from assistant.services import preferences

    monkeypatch.setenv(PREFS_URL_ENV, f"sqlite:///{tmp_path / 'prefs.db'}")
    del preferences
    return tmp_path


def test_a_misheard_artist_plays_and_the_reply_names_it(prefs: Path) -> None:
    texts, repairs, directives = _run(ActionPlayMedia(), "play maj and dragons", "play_media", ON)
    assert texts == ["Playing Imagine Dragons."]
    assert directives == ["play kitchen_speaker Imagine Dragons|music"]
    repair = Repair.decode(repairs[0])
    assert repair is not None and (repair.kind, repair.heard, repair.value, repair.scope) == (
        Kind.ARTIST, "maj and dragons", "Imagine Dragons", Scope.GLOBAL)


def test_switched_off_nothing_is_repaired(prefs: Path) -> None:
    texts, repairs, directives = _run(ActionPlayMedia(), "play maj and dragons", "play_media", OFF)
    assert texts[0].startswith('I don\'t have "maj and dragons"') and repairs == [] and directives == []


def test_a_name_nowhere_near_the_catalog_is_still_not_found(prefs: Path) -> None:
    texts, repairs, _ = _run(ActionPlayMedia(), "play that song from the lion king", "play_media", ON)
    assert texts[0].startswith('I don\'t have "lion king"') and repairs == []


def test_a_misheard_genre_title_and_entity(prefs: Path) -> None:
    texts, _, _ = _run(ActionPlayMedia(), "play some classic all", "play_media", ON)
    assert texts == ["Playing some classical."]
    texts, _, directives = _run(ActionPlayMedia(), "play hanger games", "play_media", ON,
                                entities=[{"entity": "media_title", "value": "hanger games"}])
    assert texts == ["Playing The Hunger Games (audiobook)."]


def test_a_name_misheard_past_the_entity_extractor_is_repaired_from_the_words(prefs: Path) -> None:
    # Nothing named ("Playing some pop" before), but words where a name would be.
    texts, repairs, _ = _run(ActionPlayMedia(), "initiate mile stavis music", "play_media", ON)
    assert texts == ["Playing Miles Davis."] and Repair.decode(repairs[0]).value == "Miles Davis"  # type: ignore[union-attr]
    texts, repairs, _ = _run(ActionPlayMedia(), "initiate mile stavis music", "play_media", OFF)
    assert texts[0].startswith("Playing some pop") and repairs == []
    # Only words of asking, moods and the user's own lists: the default, with no repair tried.
    for said in ("would you play some music please", "play my most played songs", "play something relaxing"):
        texts, repairs, _ = _run(ActionPlayMedia(), said, "play_media", ON)
        assert texts[0].startswith("Playing some pop") and repairs == [], said


def test_a_misheard_city_gets_its_forecast(prefs: Path) -> None:
    texts, repairs, _ = _run(ActionWeather(), "what's the weather in boss ton", "ask_weather", ON,
                             entities=[{"entity": "city", "value": "boss ton"}])
    assert texts[0].startswith("In Boston, Massachusetts today:")
    assert Repair.decode(repairs[0]).value == "Boston"  # type: ignore[union-attr]
    texts, repairs, _ = _run(ActionWeather(), "what's the weather in tokyo", "ask_weather", ON)
    assert texts[0].startswith("I don't have weather for Tokyo") and repairs == []


def test_a_misheard_team_is_answered_and_the_users_own_team_still_needs_no_name(prefs: Path) -> None:
    texts, repairs, _ = _run(ActionTeamScore(), "did the worriers win", "ask_team_score", ON)
    assert "Golden State Warriors" in texts[0] and Repair.decode(repairs[0]).value == "Golden State Warriors"  # type: ignore[union-attr]
    texts, repairs, _ = _run(ActionTeamScore(), "did my team win", "ask_team_score", ON)
    assert repairs == [] and texts[0].startswith("I don't know your team yet")


def test_a_misheard_cuisine_is_suggested(prefs: Path) -> None:
    texts, repairs, _ = _run(ActionFindRestaurant(), "find me a mexic an restaurant", "find_restaurant", ON)
    assert texts[0].startswith("For Mexican food") and Repair.decode(repairs[0]).value == "mexican"  # type: ignore[union-attr]
    texts, repairs, _ = _run(ActionFindRestaurant(), "where can i eat tonight", "find_restaurant", ON)
    assert repairs == []


def test_a_retired_repair_is_no_longer_applied(prefs: Path) -> None:
    url = f"sqlite:///{prefs / 'learning.db'}"
    store = RepairStore.open(url)
    imagine = Repair(Kind.ARTIST, "maj and dragons", "Imagine Dragons", 0.8, 0.27)
    for user in ("bob", "carol", "dan"):
        store.record_outcome(imagine, user, False)
    texts, repairs, _ = _run(ActionPlayMedia(), "play maj and dragons", "play_media", {**ON, "store": url})
    assert repairs == [] and texts[0].startswith('I don\'t have "maj and dragons"')


def test_the_personal_prior_repairs_toward_the_users_own_genre(prefs: Path) -> None:
    from assistant.prefs.keys import PrefKey
    from assistant.services import preferences

    assert _run(ActionPlayMedia(), "play ray gay", "play_media", ON)[1] == []   # not clearly ahead for anyone
    preferences.store().set("alice", PrefKey.MUSIC_GENRE, "reggae")
    texts, repairs, _ = _run(ActionPlayMedia(), "play ray gay", "play_media", ON)
    assert texts == ["Playing some reggae."] and Repair.decode(repairs[0]).scope is Scope.PERSONAL  # type: ignore[union-attr]
    # The global arm has no personal prior.
    assert _run(ActionPlayMedia(), "play ray gay", "play_media", {**ON, "personal_repair": False})[1] == []


def test_a_misheard_device_and_room(prefs: Path) -> None:
    from assistant.actions.device_control import ActionDeviceControl

    texts, repairs, directives = _run(ActionDeviceControl(), "turn on the thermal stat", "turn_on", ON)
    assert "thermostat" in texts[0]
    assert [Repair.decode(r).value for r in repairs] == ["thermostat"]  # type: ignore[union-attr]
    texts, repairs, directives = _run(ActionDeviceControl(), "turn on the lights in the kit chin", "turn_on", ON)
    assert [Repair.decode(r).value for r in repairs] == ["kitchen"]  # type: ignore[union-attr]
    assert directives and all("kitchen" in d for d in directives)
    texts, repairs, _ = _run(ActionDeviceControl(), "turn on the lights in the garden shed", "turn_on", ON)
    assert repairs == []


def test_the_personal_prior_reads_what_the_users_own_turns_played(prefs: Path) -> None:
    import datetime as dt

    from assistant.learning.log import InteractionLog, TurnRecord

    log = InteractionLog.open(prefs / "learning.db")
    log.record(TurnRecord(user_id="alice", device_id="kitchen_speaker", session_id="alice",
                          timestamp=dt.datetime(2026, 1, 1, 8), text="play reggae", intent="play_media",
                          entities=[{"entity": "genre", "value": "reggae", "start": 5, "end": 11}]))
    store = {"store": f"sqlite:///{prefs / 'learning.db'}"}
    texts, repairs, _ = _run(ActionPlayMedia(), "play ray gay", "play_media", {**ON, **store})
    assert texts == ["Playing some reggae."] and Repair.decode(repairs[0]).scope is Scope.PERSONAL  # type: ignore[union-attr]
    assert _run(ActionPlayMedia(), "play ray gay", "play_media", {**ON, **store}, user="bob")[1] == []
