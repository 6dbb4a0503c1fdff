"""The scripted demo, played through a fake backend."""

from __future__ import annotations

from assistant.chat.demo import DEMO_USER, SCRIPT, run_demo
from assistant.turn import TurnResult
from tests.assistant.chat.test_chat_fakes import FakeBackend, FakeHome, lights_on, make_console


def play_hunger_games(home: FakeHome, device_id: str) -> TurnResult:
    fmt = "film" if home.devices[device_id].has_screen else "audiobook"
    device = home.devices[device_id]
    if "power" in device.state:
        device.state["power"] = "on"
    device.state["playing"] = {"title": "The Hunger Games", "format": fmt}
    return TurnResult(text="play the hunger games", replies=[f"Playing The Hunger Games ({fmt})."])


def brew(home: FakeHome, device_id: str) -> TurnResult:
    home.devices["coffee_maker"].state.update(power="on", brewing=True)
    return TurnResult(text="start brewing", replies=["Brewing."])


def oven_temperature(home: FakeHome, device_id: str) -> TurnResult:
    temperature = home.devices["oven"].state["temperature"]
    return TurnResult(text="what is the temperature", replies=[f"The oven is at {temperature} degrees."])


SCRIPTED = {
    "turn on the lights": lights_on,
    "what is the temperature": oven_temperature,
    "play the hunger games": play_hunger_games,
    "start brewing": brew,
    "what's the weather in Wilkerson": TurnResult(
        text="x", replies=["Which Wilkerson do you mean, California or Washington?"]),
    "Washington": TurnResult(text="x", replies=["Sunny in Wilkerson, Washington."]),
    "is the garage door open?": TurnResult(text="x", replies=["The garage door is closed."]),
}

EXPECTED_TURNS = [
    ("kitchen_speaker", "turn on the lights"),
    ("kitchen_speaker", "what is the temperature"),
    ("living_room_tv", "play the hunger games"),
    ("kitchen_speaker", "play the hunger games"),
    ("kitchen_speaker", "start brewing"),
    ("kitchen_speaker", "what's the weather in Wilkerson"),
    ("kitchen_speaker", "Washington"),
    ("kitchen_speaker", "is the garage door open?"),
]


class ResettableBackend(FakeBackend):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.resets: list[str] = []

    def reset_user(self, user_id: str) -> None:
        self.resets.append(user_id)


def test_demo_plays_the_script_in_order() -> None:
    backend = ResettableBackend(SCRIPTED)
    console, buffer = make_console()
    assert run_demo(backend, console=console) == 0
    assert [(c["device_id"], c["text"]) for c in backend.calls] == EXPECTED_TURNS
    assert {c["user_id"] for c in backend.calls} == {DEMO_USER}
    assert backend.resets == [DEMO_USER]
    # the oven was switched on at 180 by hand before the temperature question
    assert backend.home.set_state_calls == [("oven", {"power": "on", "temperature": 180})]
    out = buffer.getvalue()
    assert "The oven is at 180 degrees." in out


def test_demo_prints_headers_user_lines_replies_and_changes() -> None:
    console, buffer = make_console()
    run_demo(FakeBackend(SCRIPTED), console=console)
    out = buffer.getvalue()
    for number, step in enumerate(SCRIPT, start=1):
        assert f"{number}/{len(SCRIPT)}  {step.title}" in out
    assert "demo → kitchen speaker: turn on the lights" in out
    assert "demo → living room TV: play the hunger games" in out
    assert "bot: Which Wilkerson do you mean, California or Washington?" in out
    assert "kitchen light: off → on, 100%, white" in out
    assert "living room TV: off → on, playing The Hunger Games (film)" in out
    assert "kitchen speaker: idle → playing The Hunger Games (audiobook)" in out
    assert "coffee maker: off → on, brewing" in out
    assert "setup: /set oven power=on temperature=180" in out


def test_demo_stops_with_1_when_the_backend_raises() -> None:
    script = dict(SCRIPTED)
    script["play the hunger games"] = ConnectionError("the action server is down")
    backend = FakeBackend(script)
    console, buffer = make_console()
    assert run_demo(backend, console=console) == 1
    assert len(backend.calls) == 3  # stopped at the first failing turn
    out = buffer.getvalue()
    assert "ConnectionError: the action server is down" in out
    assert "Traceback" not in out


def test_demo_stops_with_1_when_the_setup_is_refused() -> None:
    backend = FakeBackend(SCRIPTED)
    backend.home.devices.pop("oven")
    console, buffer = make_console()
    assert run_demo(backend, console=console) == 1
    assert [c["text"] for c in backend.calls] == ["turn on the lights"]
    assert "setup refused: there is no device 'oven'" in buffer.getvalue()
