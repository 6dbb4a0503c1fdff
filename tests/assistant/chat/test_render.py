"""Rendering of device states, the home panel and turns."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.chat.render import (
    changed_devices,
    debug_table,
    describe_changes,
    home_panel,
    print_turn,
    refusal_lines,
    reply_lines,
    snapshot_states,
    state_summary,
    summarize_state,
)
from assistant.outcomes import Problem
from assistant.turn import ActionReport, TurnResult
from tests.assistant.chat.test_chat_fakes import FakeHome, FakeKind, make_console


def text_of(renderable: Any) -> str:
    console, buffer = make_console()
    console.print(renderable)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("kind", "state", "summary"),
    [
        ("light", {"power": "on", "brightness": 60, "color": "blue"}, "on, 60%, blue"),
        ("light", {"power": "off", "brightness": 60, "color": "blue"}, "off"),
        ("light", {"power": "on", "brightness": 100}, "on, 100%"),
        ("lock", {"locked": True}, "locked"),
        ("lock", {"locked": False}, "unlocked"),
        ("garage_door", {"position": "closed"}, "closed"),
        ("garage_door", {"position": "open"}, "open"),
        ("tv", {"power": "on", "playing": {"title": "The Hunger Games", "format": "film"}},
         "on, playing The Hunger Games (film)"),
        ("tv", {"power": "off", "playing": None}, "off"),
        ("speaker", {"playing": {"title": "The Hunger Games", "format": "audiobook"}},
         "playing The Hunger Games (audiobook)"),
        ("speaker", {"playing": None, "timers": []}, "idle"),
        ("speaker", {"playing": None, "timers": [{"ends_at": "2026-01-05T07:35:00", "label": "pasta"}]},
         "idle, timer (pasta) until 07:35"),
        ("oven", {"power": "on", "temperature": 120, "target_temperature": 180}, "on, 120 °C → 180 °C"),
        ("oven", {"power": "on", "temperature": 180, "target_temperature": 180}, "on, 180 °C"),
        ("oven", {"power": "off", "temperature": 20, "target_temperature": None}, "off, 20 °C"),
        ("thermostat", {"target_temperature": 22, "current_temperature": 21.5},
         "21.5 °C, target 22 °C"),
        ("coffee_maker", {"power": "on", "brewing": True}, "on, brewing"),
        ("coffee_maker", {"power": "off", "brewing": False}, "off"),
        ("alarm_clock", {"alarms": ["06:30", "07:00"], "timers": []}, "alarm 06:30, 07:00"),
        ("alarm_clock", {"alarms": [], "timers": []}, "no alarm"),
        ("speak_only", {}, "-"),
    ],
)
def test_summarize_state(kind: str, state: dict[str, Any], summary: str) -> None:
    assert summarize_state(kind, state) == summary


def test_state_summary_accepts_enum_kinds() -> None:
    home = FakeHome()
    assert home.devices["kitchen_light"].kind is FakeKind.LIGHT
    assert state_summary(home.devices["front_door_lock"]) == "locked"


def test_home_panel_lists_devices_by_room_with_clock() -> None:
    home = FakeHome()
    home.devices["kitchen_light"].state.update(power="on", brightness=60, color="blue")
    out = text_of(home_panel(home))
    assert "test home · Mon 07:30, morning" in out
    lines = out.splitlines()
    light = next(line for line in lines if "kitchen light" in line)
    assert "kitchen" in light.split("kitchen light")[0]  # the room heads its first device
    assert "light" in light and "on, 60%, blue" in light
    tv = next(line for line in lines if "living room TV" in line)
    assert "living room" in tv.split("living room TV")[0] and "off" in tv
    assert any("garage door" in line and "closed" in line for line in lines)
    # rooms come in the home's order
    assert out.index("kitchen light") < out.index("living room TV") < out.index("garage door")


def test_home_panel_keeps_markup_like_text_literal() -> None:
    home = FakeHome()
    home.devices["living_room_tv"].state.update(
        power="on", playing={"title": "[bold]Up[/bold]", "format": "film"})
    assert "playing [bold]Up[/bold] (film)" in text_of(home_panel(home))


def test_changes_show_before_and_after_of_changed_devices_only() -> None:
    home = FakeHome()
    before = snapshot_states(home)
    assert describe_changes(before, home) is None
    home.devices["kitchen_light"].state["power"] = "on"
    home.devices["garage_door"].state["position"] = "open"
    assert changed_devices(before, home) == ["kitchen_light", "garage_door"]
    out = text_of(describe_changes(before, home))
    assert "kitchen light: off → on, 100%, white" in out
    assert "garage door: closed → open" in out
    assert "oven" not in out


def test_snapshot_is_a_deep_copy() -> None:
    home = FakeHome()
    before = snapshot_states(home)
    home.devices["kitchen_speaker"].state["timers"].append({"ends_at": "2026-01-05T08:00:00"})
    assert changed_devices(before, home) == ["kitchen_speaker"]


def test_replies_refusals_and_notice() -> None:
    result = TurnResult(text="x", replies=["One.", "Two."],
                        refused=[("set_brightness kitchen_light 300", "INVALID_VALUE", "0 to 100")],
                        notice="text was cut")
    out = text_of(reply_lines(result))
    assert "bot: One.\nbot: Two." in out
    assert "✗ refused set_brightness kitchen_light 300 (INVALID_VALUE): 0 to 100" in text_of(
        refusal_lines(result))
    assert refusal_lines(TurnResult(text="x")) is None
    assert "(no reply)" in text_of(reply_lines(TurnResult(text="x")))
    console, buffer = make_console()
    home = FakeHome()
    print_turn(console, result, before=snapshot_states(home), home=home)
    assert "note: text was cut" in buffer.getvalue()


def test_debug_table() -> None:
    result = TurnResult(text="x", intent="ask_weather", confidence=0.912,
                        entities=[{"entity": "city", "value": "Wilkerson"},
                                  {"entity": "device", "value": "light", "role": "target"}],
                        actions=["action_weather", "utter_ask_city"],
                        slots={"city": "Wilkerson", "room": None,
                               "session_started_metadata": {"user_id": "alice"}})
    out = text_of(debug_table(result))
    assert "ask_weather (0.91)" in out
    assert "city=Wilkerson, device=light [target]" in out
    assert "action_weather → utter_ask_city" in out
    assert "room" not in out
    assert "session_started_metadata" not in out and "alice" not in out
    assert "Rasa was not called" in text_of(debug_table(TurnResult(text="")))
    assert "rewrite" not in out


def test_debug_table_shows_a_rewrite() -> None:
    result = TurnResult(text="turn on the big light", intent="turn_on", confidence=0.99,
                        rewrite={"source": "personal_correction", "original": "turn on the big light",
                                 "rewritten": "turn on the living room light", "applied": []})
    out = text_of(debug_table(result))
    assert "'turn on the big light' → 'turn on the living room light' (personal_correction)" in out


def test_real_default_home_renders() -> None:
    home_module = pytest.importorskip("assistant.home")
    home = home_module.Home.default()
    out = text_of(home_panel(home))
    for device in home.devices.values():
        assert device.name in out
    assert "locked" in out and "idle" in out
    assert str(home.clock.time_of_day.value) in out


def test_debug_table_says_why_a_turn_was_rewritten_and_where_it_was_logged() -> None:
    result = TurnResult(text="play maj and dragons", intent="play_media", confidence=0.99, turn_id=12,
                        report=ActionReport(problems=[Problem.NOT_FOUND]),
                        rewrite={"source": "global", "rewrite_id": 4, "original": "play maj and dragons",
                                 "rewritten": "play imagine dragons", "why": "low ASR confidence (0.60)"})
    out = text_of(debug_table(result))
    assert "'play maj and dragons' → 'play imagine dragons' (global, #4)" in out
    assert "low ASR confidence (0.60)" in out
    assert "NOT_FOUND" in out and "turn #12" in out
