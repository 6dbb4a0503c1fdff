"""The runtime through the real stack: context decides, directives apply, bad input is answered."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.context import BadUserIdError, UnknownDeviceError
from assistant.runtime import Runtime, RuntimeStartError


def test_turn_on_the_lights_targets_the_speaking_devices_room(fresh) -> None:
    result = fresh.handle("turn on the lights", user_id="rt_lights", device_id="bedroom_speaker")
    assert result.intent == "turn_on"
    assert "turn_on bedroom_light" in result.applied
    assert fresh.home.devices["bedroom_light"].state["power"] == "on"
    assert fresh.home.devices["kitchen_light"].state["power"] == "off"
    assert "bedroom light" in result.reply.lower()


def test_context_slots_are_filled_from_metadata(fresh) -> None:
    result = fresh.handle("hello", user_id="rt_slots", device_id="living_room_tv")
    assert result.slots["speaking_device"] == "living_room_tv"
    assert result.slots["room"] == "living_room"
    assert result.slots["has_screen"] is True
    assert result.slots["time_of_day"] == "morning"


@pytest.mark.parametrize(
    "text",
    ["", "   \t\n ", "\x00\x01\x02"],
    ids=["empty", "whitespace", "control-only"],
)
def test_empty_input_gets_a_clear_reply_without_rasa(fresh, text: str) -> None:
    result = fresh.handle(text, user_id="rt_empty", device_id="kitchen_speaker")
    assert result.intent is None
    assert "didn't hear anything" in result.reply


@pytest.mark.parametrize(
    "text",
    [
        "turn on the lights " * 600,  # ~11,000 characters
        "🎵🎶🔥💡 play 🎵",
        "turn\x1b[31m on\x07 the \x00lights",
        "'; DROP TABLE events; --",
        "Robert'); DELETE FROM events WHERE ('1'='1",
        "ásdf ÿ ñ 中文 العربية",
    ],
    ids=["10k-chars", "emoji", "control-chars", "sql-1", "sql-2", "unicode"],
)
def test_odd_input_gets_a_reply_and_keeps_the_store(fresh, stack_dir: Path, text: str) -> None:
    before = _event_count(stack_dir)
    result = fresh.handle(text, user_id="rt_odd", device_id="kitchen_speaker")
    assert result.replies, "every turn gets a reply"
    assert len(result.text) <= 500
    assert _event_count(stack_dir) > before, "the turn was stored, nothing was dropped"


def test_long_input_carries_a_notice(fresh) -> None:
    result = fresh.handle("lights " * 2000, user_id="rt_long", device_id="kitchen_speaker")
    assert result.notice is not None and "characters" in result.notice


def test_unknown_device_is_a_clear_error(fresh) -> None:
    with pytest.raises(UnknownDeviceError, match="toaster.*kitchen_speaker"):
        fresh.handle("hello", user_id="rt_dev", device_id="toaster")


def test_device_that_cannot_hear_is_refused(fresh) -> None:
    with pytest.raises(UnknownDeviceError, match="no microphone"):
        fresh.handle("hello", user_id="rt_dev", device_id="oven")


def test_bad_user_id_is_a_clear_error(fresh) -> None:
    with pytest.raises(BadUserIdError, match="invalid user id"):
        fresh.handle("hello", user_id="x'; DROP TABLE", device_id="kitchen_speaker")


def test_action_server_crash_is_recovered(fresh) -> None:
    dead = fresh.action_server._proc
    dead.kill()
    dead.wait()
    assert not fresh.action_server.alive()
    result = fresh.handle("turn on the lights", user_id="rt_crash", device_id="kitchen_speaker")
    # A new action server process answered the turn's action (the killed one can't have).
    assert fresh.action_server._proc is not dead and fresh.action_server._proc.pid != dead.pid
    assert fresh.action_server.alive() and fresh.action_server.healthy()
    assert "turn_on kitchen_light" in result.applied


def test_a_replaced_model_is_served_without_a_restart(fresh) -> None:
    import os

    before = fresh.agent
    assert not fresh.reload_if_replaced()          # nothing changed: nothing reloaded
    info = fresh.model_path.stat()
    os.utime(fresh.model_path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    result = fresh.handle("turn on the lights", user_id="rt_reload", device_id="kitchen_speaker")
    assert fresh.agent is not before and fresh.model_reloads >= 1
    assert "turn_on kitchen_light" in result.applied


def test_a_replaced_model_that_does_not_load_leaves_the_old_one_serving(fresh, tmp_path) -> None:
    import shutil

    saved = tmp_path / "good.tar.gz"
    shutil.copy2(fresh.model_path, saved)
    before = fresh.agent
    try:
        fresh.model_path.write_bytes(b"half a model")
        assert not fresh.reload_if_replaced()
        assert fresh.agent is before and any("could not load" in e for e in fresh.log_errors)
        result = fresh.handle("turn on the lights", user_id="rt_reload_bad", device_id="kitchen_speaker")
        assert "turn_on kitchen_light" in result.applied
    finally:
        shutil.copy2(saved, fresh.model_path)
        fresh.reload_if_replaced()


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeStartError, match="no trained model.*assistant train"):
        Runtime.start(tmp_path)


def test_corrupt_model_is_a_clear_error(tmp_path: Path) -> None:
    model = tmp_path / "models" / "smarthome.tar.gz"
    model.parent.mkdir(parents=True)
    model.write_bytes(b"not a model")
    with pytest.raises(RuntimeStartError, match="could not load the model"):
        Runtime.start(tmp_path)


def test_conversations_and_preferences_persist_across_restarts(stack_dir: Path, runtime) -> None:
    from assistant.home import Home

    runtime.replace_home(Home.default())
    runtime.preferences.forget("rt_persist")
    runtime.handle("play some jazz", user_id="rt_persist", device_id="kitchen_speaker")
    taught = runtime.handle("I love reggae", user_id="rt_persist", device_id="kitchen_speaker")
    assert taught.reply == "Got it: you like reggae."
    before = _event_count(stack_dir, "rt_persist")
    assert before > 0
    second = Runtime.start(stack_dir, Home.default())
    try:
        second.handle("hello", user_id="rt_persist", device_id="kitchen_speaker")
        played = second.handle("play some music", user_id="rt_persist", device_id="kitchen_speaker")
        tracker = second._run(second.agent.tracker_store.retrieve("rt_persist"))
        texts = [e.text for e in tracker.events if e.type_name == "user"]
        assert texts[:3] == ["play some jazz", "I love reggae", "hello"]
        assert played.reply == "Playing some reggae, since you like it."
    finally:
        second.close()
    assert _event_count(stack_dir, "rt_persist") > before


def test_preferences_survive_an_action_server_crash(fresh) -> None:
    fresh.preferences.forget("rt_crash_prefs")
    fresh.handle("I'm a Seahawks fan", user_id="rt_crash_prefs", device_id="kitchen_speaker")
    fresh.action_server._proc.kill()
    fresh.action_server._proc.wait()
    result = fresh.handle("how did my team do", user_id="rt_crash_prefs", device_id="kitchen_speaker")
    assert result.reply.startswith("The Seattle Seahawks (your team) ")


def _event_count(stack_dir: Path, sender: str | None = None) -> int:
    with sqlite3.connect(stack_dir / "tracker.db") as db:
        if sender is None:
            return db.execute("select count(*) from events").fetchone()[0]
        return db.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0]


def test_good_morning_after_the_alarm_runs_the_taught_coffee_routine(fresh) -> None:
    fresh.preferences.forget("rt_morning")
    taught = fresh.handle("I like coffee after my alarm", user_id="rt_morning", device_id="bedroom_speaker")
    assert taught.reply == "Got it: you like coffee after the alarm."
    assert fresh.home.set_state("bedroom_alarm_clock", {"alarms": ["07:05"]}).ok
    fresh.home.advance(10)
    result = fresh.handle("good morning", user_id="rt_morning", device_id="bedroom_speaker")
    assert result.reply.startswith("Good morning! Your coffee routine: Starting the coffee maker.")
    assert "brew coffee_maker" in result.applied


def test_an_accepted_coffee_routine_runs_by_itself_after_the_alarm(fresh) -> None:
    from assistant.home import Directive

    fresh.preferences.forget("rt_auto")
    fresh.home.set_time("06:00")
    assert fresh.home.apply(Directive.parse("set_alarm bedroom_alarm_clock 07:00")).ok
    started = fresh.home.clock.now
    fresh.home.set_time("06:30")
    assert fresh.run_automations(started) == []            # no alarm yet
    taught = fresh.handle("I like coffee after my alarm", user_id="rt_auto", device_id="kitchen_speaker")
    assert taught.reply == "Got it: you like coffee after the alarm."
    started = fresh.home.clock.now
    fresh.home.set_time("07:05")
    assert fresh.run_automations(started) == ["brew coffee_maker"]
    assert fresh.home.devices["coffee_maker"].state["brewing"] is True
    fresh.preferences.forget("rt_auto")


def test_the_log_keeps_the_actions_typed_evidence(fresh) -> None:
    # Learning from activity reads the tags, not the reply: the city asked for, and none when
    # the home city was filled in.
    asked = fresh.handle("what's the weather in miami", user_id="rt_evidence", device_id="kitchen_speaker")
    filled = fresh.handle("what's the weather", user_id="rt_evidence", device_id="kitchen_speaker")
    assert asked.asked_city == "Miami, Florida" and filled.asked_city is None
    rows = {t.id: t for t in fresh.log.turns(user_id="rt_evidence")}
    assert rows[asked.turn_id].evidence == {"implicit": [], "asked_city": "Miami, Florida",
                                            "answered": {"city": "Miami, Florida"}}
    home = rows[filled.turn_id].evidence   # and what the answer rested on: a guess of the home city
    assert home["asked_city"] is None and home["implicit"] == []
    assert home["rested_on"] == {"key": "home_city", "stored": False, "guess": home["answered"]["city"]}
