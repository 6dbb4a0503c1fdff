"""Running scenarios on a fake runtime and a fake home: passes, failures, reports."""

from __future__ import annotations

import enum
import json
import sys
import textwrap
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from assistant.turn import TurnRequest, TurnResult
from simulator.scenario import (
    Failure,
    ScenarioError,
    format_failure,
    load_scenario,
    normalize,
    parse_scenario,
    run_scenario,
)

CONVERSATIONS = Path(__file__).parents[1] / "conversations"

# -- fakes -----------------------------------------------------------------------------


class FakeRefusal(enum.Enum):
    NO_SUCH_DEVICE = "no_such_device"
    INVALID_VALUE = "invalid_value"


@dataclass
class FakeResult:
    ok: bool
    refusal: FakeRefusal | None = None
    message: str = ""


@dataclass
class FakeDevice:
    id: str
    state: dict[str, Any]


class FakeHomeFileError(ValueError):
    pass


class FakeHome:
    """Devices with plain state; ``set_state`` refuses unknown devices and negative numbers."""

    loaded: list[str] = []

    def __init__(self, name: str = "default") -> None:
        self.name = name
        self.devices = {
            "oven": FakeDevice("oven", {"power": "off", "temperature": 20}),
            "kitchen_light": FakeDevice("kitchen_light", {"power": "off", "brightness": 100}),
            "kitchen_speaker": FakeDevice("kitchen_speaker", {"playing": None}),
            "living_room_tv": FakeDevice("living_room_tv", {"power": "off", "playing": None}),
            "front_door_lock": FakeDevice("front_door_lock", {"locked": True}),
        }

    @classmethod
    def default(cls) -> FakeHome:
        return cls("default")

    @classmethod
    def load(cls, path: str) -> FakeHome:
        if "broken" in str(path):
            raise FakeHomeFileError(f"{path}: devices must be a list")
        cls.loaded.append(str(path))
        return cls(str(path))

    def set_state(self, device_id: str, values: dict[str, Any]) -> FakeResult:
        device = self.devices.get(device_id)
        if device is None:
            return FakeResult(False, FakeRefusal.NO_SUCH_DEVICE, f"there is no device {device_id!r}")
        if any(isinstance(v, (int, float)) and v < 0 for v in values.values()):
            return FakeResult(False, FakeRefusal.INVALID_VALUE, "the value is out of range")
        device.state.update(values)
        return FakeResult(True, None, "ok")


Script = Callable[["FakeRuntime", str], TurnResult]


@dataclass
class FakeRuntime:
    """Answers each text from a script: a function of (runtime, text) or an exception to raise."""

    script: dict[str, Script | BaseException]
    home: Any = None
    calls: list[dict[str, Any]] = field(default_factory=list)
    homes: list[Any] = field(default_factory=list)
    resets: list[str] = field(default_factory=list)

    def replace_home(self, home: Any) -> None:
        self.homes.append(home)
        self.home = home

    def reset_user(self, user_id: str) -> None:
        self.resets.append(user_id)

    def handle(self, request: TurnRequest, /) -> TurnResult:
        text = request.text
        self.calls.append({"text": text, "user_id": request.user_id, "device_id": request.device_id,
                           "barge_in": request.barge_in})
        step = self.script[text]
        if isinstance(step, BaseException):
            raise step
        return step(self, text)


def reply(intent: str, text: str, **states: dict[str, Any]) -> Script:
    """A scripted turn: sets device states, answers with ``text`` and reports ``intent``."""

    def play(rt: FakeRuntime, said: str) -> TurnResult:
        for device_id, values in states.items():
            rt.home.devices[device_id].state.update(values)
        return TurnResult(text=said, replies=[text], intent=intent)

    return play


@pytest.fixture(autouse=True)
def fake_home_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    """``assistant.home`` replaced by the fake (the real one may not exist yet)."""
    module = types.ModuleType("assistant.home")
    module.Home = FakeHome  # type: ignore[attr-defined]
    module.HomeFileError = FakeHomeFileError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "assistant.home", module)
    FakeHome.loaded = []
    yield module


def scenario(text: str, path: str | Path = "conv.yml"):
    return parse_scenario(textwrap.dedent(text), path)


OVEN = """\
users:
  - id: alice
  - id: bob
turns:
  - user: alice
    device: kitchen_speaker
    set: {oven: {power: "on", temperature: 180}}
    say: what is the temperature
    asr: what is the temper chair
    expect:
      intent: ask_temperature
      reply: "(?i)oven.*180"
      state: {oven: {power: "on"}}
  - user: bob
    device: living_room_tv
    say: play the hunger games
    barge_in: true
    expect:
      intent: play_media
      state: {living_room_tv: {playing: {format: film}}}
"""


def oven_script() -> dict[str, Script | BaseException]:
    def temperature(rt: FakeRuntime, said: str) -> TurnResult:
        oven = rt.home.devices["oven"].state
        return TurnResult(text=said, replies=[f"The oven is at {oven['temperature']} degrees."],
                          intent="ask_temperature")

    return {
        "what is the temper chair": temperature,
        "play the hunger games": reply(
            "play_media", "Playing The Hunger Games (film).",
            living_room_tv={"power": "on", "playing": {"title": "The Hunger Games", "format": "film"}}),
    }


# -- passing and failing ---------------------------------------------------------------


def test_a_passing_run() -> None:
    rt = FakeRuntime(oven_script())
    progress: list[tuple[int, int]] = []

    report = run_scenario(scenario(OVEN), rt, progress=lambda done, total: progress.append((done, total)))

    assert (report.turns, report.passed, report.failed) == (2, 2, 0)
    assert report.failures == []
    assert [r.reply for r in report.results] == ["The oven is at 180 degrees.",
                                                 "Playing The Hunger Games (film)."]
    assert len(rt.homes) == 1 and rt.homes[0].name == "default"
    assert rt.resets == ["alice", "bob"]
    assert rt.calls == [
        {"text": "what is the temper chair", "user_id": "alice", "device_id": "kitchen_speaker",
         "barge_in": False},
        {"text": "play the hunger games", "user_id": "bob", "device_id": "living_room_tv",
         "barge_in": True},
    ]
    assert progress == [(1, 2), (2, 2)]


def test_set_is_applied_before_the_turn() -> None:
    rt = FakeRuntime(oven_script())

    run_scenario(scenario(OVEN), rt)

    assert rt.home.devices["oven"].state == {"power": "on", "temperature": 180}


def test_failed_expectations_name_field_and_line() -> None:
    rt = FakeRuntime({
        "what is the temper chair": reply("ask_weather", "It's 21 degrees inside.", oven={"power": "off"}),
        "play the hunger games": reply("play_media", "Playing.",
                                       living_room_tv={"playing": {"title": "X", "format": "audiobook"}}),
    })

    report = run_scenario(scenario(OVEN), rt)

    assert (report.turns, report.passed, report.failed) == (2, 0, 2)
    got = [(f.turn, f.line, f.field, f.expected, f.got) for f in report.failures]
    assert got == [
        (1, 11, "intent", "ask_temperature", "ask_weather"),
        (1, 12, "reply", "/(?i)oven.*180/", '"It\'s 21 degrees inside."'),
        (1, 13, "state.oven.power", "on", "off"),
        (2, 20, "state.living_room_tv.playing.format", "film", "audiobook"),
    ]
    assert {f.file for f in report.failures} == {"conv.yml"}


def test_a_turn_with_several_failures_counts_once() -> None:
    rt = FakeRuntime({"hi": reply("goodbye", "Bye.")})
    text = "turns:\n  - say: hi\n    expect: {intent: greet, reply: hello}\n  - say: hi\n"

    report = run_scenario(scenario(text), rt)

    assert (report.turns, report.passed, report.failed) == (2, 1, 1)
    assert len(report.failures) == 2


def test_users_omitted_resets_the_users_the_turns_name() -> None:
    rt = FakeRuntime({"hi": reply("greet", "Hi.")})

    run_scenario(scenario("turns:\n  - say: hi\n  - {user: carol, say: hi}\n"), rt)

    assert rt.resets == ["user", "carol"]
    assert [c["user_id"] for c in rt.calls] == ["user", "carol"]


# -- state matching --------------------------------------------------------------------


@pytest.mark.parametrize(("expected", "actual", "matches"), [
    ('"on"', "on", True),
    ("on", "on", True),          # YAML reads a bare on as True
    ("true", "on", True),
    ('"ON"', "on", True),
    ("off", "off", True),
    ('"off"', "on", False),
    ("on", "off", False),
    ("true", True, True),
    ("false", True, False),
    ("180", "180", True),
    ('"180"', 180, True),
    ("180.0", 180, True),
    ('"180.0"', 180, True),
    ('"21.50"', 21.5, True),
    ("180", 181, False),
    ('"Open"', "open", True),
    ("open", "closed", False),
    ("null", None, True),
    ("null", "on", False),
    ("{format: film}", {"title": "The Hunger Games", "format": "film"}, True),
    ("{format: Film, title: the hunger games}", {"title": "The Hunger Games", "format": "film"}, True),
    ("{format: film}", None, False),
    ("film", {"format": "film"}, False),
    ('["07:30"]', ["07:30"], True),
    ('["07:30"]', ["07:30", "08:00"], False),
])
def test_state_subset_matching(expected: str, actual: Any, matches: bool) -> None:
    rt = FakeRuntime({"hi": reply("greet", "Hi.", kitchen_light={"value": actual})})
    text = f"turns:\n  - say: hi\n    expect:\n      state: {{kitchen_light: {{value: {expected}}}}}\n"

    report = run_scenario(scenario(text), rt)

    assert (report.failed == 0) is matches, report.failures


def test_state_checks_only_the_keys_given() -> None:
    rt = FakeRuntime({"hi": reply("greet", "Hi.", kitchen_light={"power": "on"})})
    text = "turns:\n  - say: hi\n    expect:\n      state: {kitchen_light: {power: on}, oven: {power: off}}\n"

    assert run_scenario(scenario(text), rt).failed == 0


def test_missing_state_key_and_unknown_device_fail() -> None:
    rt = FakeRuntime({"hi": reply("greet", "Hi.")})
    text = textwrap.dedent("""\
        turns:
          - say: hi
            expect:
              state:
                kitchen_light: {colour: red}
                garage_door: {position: open}
        """)

    report = run_scenario(scenario(text), rt)

    got = [(f.line, f.field, f.got) for f in report.failures]
    assert got == [(5, "state.kitchen_light.colour", "(missing)"),
                   (6, "state.garage_door", "no device 'garage_door' in the home")]


@pytest.mark.parametrize(("value", "text"), [
    (True, "true"), ("on", "true"), ("Yes", "true"), (False, "false"), ("OFF", "false"),
    (180, "180"), (180.0, "180"), ("180", "180"), ("180.0", "180"), ("+7", "7"), (" 21.5 ", "21.5"), (None, "null"),
    ("Living  Room", "living room"),
])
def test_normalize(value: Any, text: str) -> None:
    assert normalize(value) == text


# -- set, preferences, errors ----------------------------------------------------------


def test_a_refused_set_fails_the_turn_naming_device_and_reason() -> None:
    rt = FakeRuntime({"hi": reply("greet", "Hi.")})
    text = textwrap.dedent("""\
        turns:
          - say: hi
            set:
              oven: {temperature: -5}
              dishwasher: {power: on}
        """)

    report = run_scenario(scenario(text), rt)

    assert report.failed == 1
    assert [(f.line, f.field) for f in report.failures] == [(4, "set.oven"), (5, "set.dishwasher")]
    assert "INVALID_VALUE" in report.failures[0].got and "out of range" in report.failures[0].got
    assert "NO_SUCH_DEVICE" in report.failures[1].got and "dishwasher" in report.failures[1].got
    assert len(rt.calls) == 1  # the turn is still played


PREFERENCE = """\
users:
  - id: alice
    preferences: {music_genre: jazz}
turns:
  - say: play some music
    expect:
      preference: {key: music_genre, value: jazz}
"""


def test_preference_without_a_store_fails() -> None:
    rt = FakeRuntime({"play some music": reply("play_media", "Playing jazz.")})

    report = run_scenario(scenario(PREFERENCE), rt)

    assert [(f.field, f.got) for f in report.failures] == [
        ("preference.music_genre", "preference store not available")]


@pytest.mark.parametrize(("stored", "passes", "got"), [
    ("jazz", True, None),
    ("Jazz", True, None),
    ("rock", False, "rock"),
    (None, False, "nothing stored"),
])
def test_preference_from_the_store(stored: str | None, passes: bool, got: str | None) -> None:
    rt = FakeRuntime({"play some music": reply("play_media", "Playing jazz.")})
    asked: list[tuple[str, str]] = []

    def lookup(user_id: str, key: str) -> str | None:
        asked.append((user_id, key))
        return stored

    report = run_scenario(scenario(PREFERENCE), rt, preferences=lookup)

    assert asked == [("alice", "music_genre")]
    assert (report.failed == 0) is passes
    assert [f.got for f in report.failures] == ([] if passes else [got])


@pytest.mark.parametrize("error", [
    LookupError("unknown device 'garage'; known: oven, kitchen_light"),
    ConnectionError("the action server is down"),
])
def test_runtime_errors_fail_the_turn_and_the_run_goes_on(error: Exception) -> None:
    rt = FakeRuntime({"open the garage": error, "hi": reply("greet", "Hi.")})
    text = textwrap.dedent("""\
        turns:
          - say: hi
          - device: garage
            say: open the garage
            expect: {intent: open_device}
          - say: hi
            expect: {intent: greet}
        """)

    report = run_scenario(scenario(text), rt)

    assert (report.turns, report.passed, report.failed) == (3, 2, 1)
    [failure] = report.failures
    assert (failure.turn, failure.line, failure.field) == (2, 3, "turn")
    assert failure.got == f"{type(error).__name__}: {error}"
    assert len(report.results) == 3 and report.results[1].notice == failure.got
    assert len(rt.calls) == 3


@pytest.mark.parametrize("error", [KeyError("bug"), IndexError("bug"), TypeError("bug")])
def test_other_exceptions_propagate(error: Exception) -> None:
    rt = FakeRuntime({"hi": error})

    with pytest.raises(type(error)):
        run_scenario(scenario("turns:\n  - say: hi\n"), rt)


# -- homes -----------------------------------------------------------------------------


def test_a_home_file_is_loaded(tmp_path: Path) -> None:
    (tmp_path / "small.yml").write_text("name: small\n")
    path = tmp_path / "conv.yml"
    rt = FakeRuntime({"hi": reply("greet", "Hi.")})

    run_scenario(scenario("home: small.yml\nturns:\n  - say: hi\n", path), rt)

    assert FakeHome.loaded == [str(tmp_path / "small.yml")]
    assert rt.homes[0].name == str(tmp_path / "small.yml")


def test_a_broken_home_file_is_a_scenario_error_naming_the_home_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yml").write_text("devices: 3\n")
    path = tmp_path / "conv.yml"
    rt = FakeRuntime({"hi": reply("greet", "Hi.")})

    with pytest.raises(ScenarioError) as caught:
        run_scenario(scenario("# a comment\nhome: broken.yml\nturns:\n  - say: hi\n", path), rt)

    assert str(caught.value).startswith(f"{path}:2: home: ")
    assert "devices must be a list" in str(caught.value)
    assert rt.calls == []


# -- reporting -------------------------------------------------------------------------


def test_format_failure() -> None:
    failure = Failure(turn=3, line=17, field="intent", expected="greet", got="goodbye",
                      file="tests/conversations/x.yml")

    assert format_failure(failure) == \
        "tests/conversations/x.yml:17: turn 3: expected intent greet, got goodbye"


def test_report_to_json() -> None:
    rt = FakeRuntime({"hi": reply("goodbye", "Bye.")})

    report = run_scenario(scenario("turns:\n  - say: hi\n    expect: {intent: greet}\n  - say: hi\n"), rt)
    data = json.loads(json.dumps(report.to_json()))

    assert set(data) == {"turns", "passed", "failed", "failures", "asr", "heard"}
    assert (data["asr"], data["heard"]) == ("none", ["hi", "hi"])
    assert (data["turns"], data["passed"], data["failed"]) == (2, 1, 1)
    assert data["failures"] == [{"turn": 1, "expected": "greet", "got": "goodbye", "line": 3,
                                 "field": "intent", "file": "conv.yml"}]
    assert [format_failure(f) for f in report.failures] == \
        ["conv.yml:3: turn 1: expected intent greet, got goodbye"]


def test_the_oven_off_reply_pattern_rejects_the_oven() -> None:
    """oven_temperature.yml says "indoors, not the oven" with a lookahead; check that it bites."""
    conversation = load_scenario(CONVERSATIONS / "oven_temperature.yml")
    pattern = conversation.turns[1].expect.reply
    text = f"turns:\n  - say: hi\n    expect:\n      reply: {json.dumps(pattern)}\n"
    indoors = "It's 21 degrees inside; the thermostat is set to 21."

    passed = run_scenario(scenario(text), FakeRuntime({"hi": reply("ask_temperature", indoors)}))
    oven = run_scenario(scenario(text), FakeRuntime(
        {"hi": reply("ask_temperature", "The oven is off; it's 21 degrees inside.")}))

    assert passed.failed == 0
    assert oven.failed == 1


def test_failures_show_bare_words_as_written() -> None:
    rt = FakeRuntime({"hi": reply("greet", "Hi.", kitchen_light={"power": "on"})})
    text = "turns:\n  - say: hi\n    expect:\n      state: {kitchen_light: {power: off}}\n"

    [failure] = run_scenario(scenario(text), rt).failures

    assert (failure.expected, failure.got) == ("off", "on")


# -- heard through a channel -------------------------------------------------------------


@dataclass
class RecordingChannel:
    """Hears every word in capitals and records where (a fake of one unit: the runner)."""

    name: str = "fake"
    heard: list[tuple[str, str, bool]] = field(default_factory=list)

    def accent_for(self, phrases: list[str], rng: Any, *, key: str = "") -> Any:
        from simulator.population.asr import Accent

        return Accent()

    def hear(self, said: str, accent: Any, rng: Any, *, where: Any = None) -> Any:
        from simulator.population.asr import Heard

        self.heard.append((said, where.device_id, where.media_playing))
        return Heard(said=said, text=said.upper(), confidence=0.42, damaged=True)

    def false_wake(self, rng: Any, *, where: Any = None) -> Any:
        return None


def test_a_channel_hears_the_turns_without_asr_text_and_the_report_says_so() -> None:
    script = oven_script()
    script["PLAY THE HUNGER GAMES"] = script.pop("play the hunger games")
    rt = FakeRuntime(script)
    channel = RecordingChannel()

    report = run_scenario(scenario(OVEN), rt, channel=channel, seed=3)

    assert [c["text"] for c in rt.calls] == ["what is the temper chair", "PLAY THE HUNGER GAMES"]
    assert channel.heard == [("play the hunger games", "living_room_tv", False)]
    assert report.asr == "fake" and report.heard == ["what is the temper chair", "PLAY THE HUNGER GAMES"]
    assert report.to_json()["asr"] == "fake"


def test_without_a_channel_the_words_go_as_written() -> None:
    report = run_scenario(scenario(OVEN), FakeRuntime(oven_script()))
    assert report.asr == "none" and report.heard == ["what is the temper chair", "play the hunger games"]
