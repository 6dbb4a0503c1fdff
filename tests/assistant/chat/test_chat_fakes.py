"""Fakes shared by the chat, render and demo tests (this module holds no tests).

They follow the documented home API (ARCHITECTURE.md) without importing `simulator`.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
from dataclasses import dataclass, field
from typing import Any, Callable, Union

from rich.console import Console

from assistant.turn import ActionReport, TurnRequest, TurnResult


class FakeTimeOfDay(enum.Enum):
    MORNING = "morning"
    NIGHT = "night"


class FakeKind(enum.Enum):
    LIGHT = "light"
    OVEN = "oven"
    SPEAKER = "speaker"
    TV = "tv"
    GARAGE_DOOR = "garage_door"
    LOCK = "lock"
    COFFEE_MAKER = "coffee_maker"


@dataclass
class FakeDevice:
    id: str
    name: str
    kind: FakeKind
    room: str
    state: dict[str, Any]
    has_screen: bool = False
    can_speak: bool = False


@dataclass
class FakeClock:
    now: dt.datetime = dt.datetime(2026, 1, 5, 7, 30)

    @property
    def time_of_day(self) -> FakeTimeOfDay:
        return FakeTimeOfDay.MORNING if 5 <= self.now.hour < 22 else FakeTimeOfDay.NIGHT


@dataclass(frozen=True)
class FakeDirectiveResult:
    ok: bool
    message: str
    refusal: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    unchanged: bool = False


@dataclass(frozen=True)
class FakeEvent:
    text: str

    def describe(self) -> str:
        return self.text


class FakeHome:
    """A tiny home: kitchen (light, oven, coffee maker, speaker), living room (TV), garage, hallway."""

    def __init__(self) -> None:
        self.name = "test home"
        self.rooms = ["kitchen", "living_room", "garage", "hallway"]
        self.clock = FakeClock()
        self.set_state_calls: list[tuple[str, dict[str, Any]]] = []
        self.set_time_calls: list[str] = []
        devices = [
            FakeDevice("kitchen_light", "kitchen light", FakeKind.LIGHT, "kitchen",
                       {"power": "off", "brightness": 100, "color": "white"}),
            FakeDevice("oven", "oven", FakeKind.OVEN, "kitchen",
                       {"power": "off", "temperature": 20, "target_temperature": None}),
            FakeDevice("coffee_maker", "coffee maker", FakeKind.COFFEE_MAKER, "kitchen",
                       {"power": "off", "brewing": False}),
            FakeDevice("kitchen_speaker", "kitchen speaker", FakeKind.SPEAKER, "kitchen",
                       {"playing": None, "timers": []}, can_speak=True),
            FakeDevice("living_room_tv", "living room TV", FakeKind.TV, "living_room",
                       {"power": "off", "playing": None}, has_screen=True, can_speak=True),
            FakeDevice("garage_door", "garage door", FakeKind.GARAGE_DOOR, "garage",
                       {"position": "closed"}),
            FakeDevice("front_door_lock", "front door lock", FakeKind.LOCK, "hallway",
                       {"locked": True}),
        ]
        self.devices = {d.id: d for d in devices}

    def set_state(self, device_id: str, values: dict[str, Any]) -> FakeDirectiveResult:
        self.set_state_calls.append((device_id, dict(values)))
        device = self.devices.get(device_id)
        if device is None:
            return FakeDirectiveResult(False, f"there is no device {device_id!r}", "NO_SUCH_DEVICE")
        if not isinstance(values.get("temperature", 0), (int, float)) or values.get("temperature", 0) > 290:
            return FakeDirectiveResult(False, "temperature goes from 50 to 290", "INVALID_VALUE")
        changes = {k: v for k, v in values.items() if device.state.get(k) != v}
        device.state.update(values)
        return FakeDirectiveResult(True, f"{device_id} updated", None, changes, not changes)

    def set_time(self, hhmm: str) -> list[FakeEvent]:
        self.set_time_calls.append(hhmm)
        hour, minute = (int(part) for part in hhmm.split(":"))
        self.clock.now = self.clock.now.replace(hour=hour, minute=minute)
        return [FakeEvent(f"{hhmm} bedroom_alarm_clock: alarm rang")]

    def recent_events(self, n: int = 5) -> list[FakeEvent]:
        return []


Response = Union[TurnResult, BaseException, Callable[["FakeHome", str], TurnResult]]


class FakeBackend:
    """Returns canned TurnResults (or raises) per text; records every handle call."""

    def __init__(self, script: dict[str, Response] | None = None, home: FakeHome | None = None) -> None:
        self.home = home or FakeHome()
        self.script = dict(script or {})
        self.calls: list[dict[str, Any]] = []

    def handle(self, request: TurnRequest, /) -> TurnResult:
        text, device_id = request.text, request.device_id
        self.calls.append({"text": text, "user_id": request.user_id, "device_id": device_id,
                           "barge_in": request.barge_in, "asr_confidence": request.asr_confidence})
        response = self.script.get(text)
        if isinstance(response, BaseException):
            raise response
        if callable(response):
            return response(self.home, device_id)
        if isinstance(response, TurnResult):
            return response
        return TurnResult(text=text, replies=[f"echo: {text}"], intent="echo", confidence=0.5)


def lights_on(home: FakeHome, device_id: str) -> TurnResult:
    """What the assistant does for "turn on the lights" from the kitchen."""
    home.devices["kitchen_light"].state["power"] = "on"
    return TurnResult(text="turn on the lights", replies=["Turning on the kitchen light."],
                      report=ActionReport(directives=["turn_on kitchen_light"]), applied=["turn_on kitchen_light"],
                      intent="turn_on", confidence=0.97,
                      entities=[{"entity": "device", "value": "lights"}],
                      actions=["action_turn_on"], slots={"room": "kitchen", "unset": None})


class ScriptedInput:
    """An `input_fn`: returns lines, raises exceptions given in the script, then EOFError."""

    def __init__(self, *items: str | BaseException | type[BaseException]) -> None:
        self.items = list(items)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.items:
            raise EOFError
        item = self.items.pop(0)
        if isinstance(item, str):
            return item
        raise item

    @property
    def left(self) -> int:
        return len(self.items)


def make_console() -> tuple[Console, io.StringIO]:
    """A console writing plain text to a buffer, 120 columns wide."""
    buffer = io.StringIO()
    return Console(file=buffer, width=120, color_system=None), buffer
