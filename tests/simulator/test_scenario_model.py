"""Scenario files: parsing, defaults, and errors that name the file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from simulator.scenario import (
    DEFAULT_DEVICE,
    Expectation,
    PreferenceExpectation,
    ScenarioError,
    ScenarioUser,
    load_scenario,
    parse_scenario,
)
from tests.test_training_data import load_domain

CONVERSATIONS = sorted((Path(__file__).parents[1] / "conversations").glob("*.yml"))

DEFAULT_HOME_DEVICES = {
    "kitchen_light", "living_room_light", "bedroom_light", "office_light", "oven", "thermostat",
    "garage_door", "front_door_lock", "coffee_maker", "living_room_tv", "kitchen_speaker",
    "bedroom_speaker", "office_speaker", "bedroom_alarm_clock",
}
# The domain's intents (one source of truth), plus Rasa's fallback.
INTENTS = load_domain().intents | {"nlu_fallback"}

FULL = """\
home: default
users:
  - id: alice
    preferences: {music_genre: jazz}
  - id: bob
turns:
  - user: alice
    device: kitchen_speaker
    set: {oven: {power: "on", temperature: 180}}
    say: "what is the temperature"
    asr: "what is the temper chair"
    barge_in: false
    expect:
      intent: ask_temperature
      reply: "(?i)oven"
      state: {oven: {power: "on"}}
      preference: {key: music_genre, value: jazz}
  - user: bob
    device: bedroom_speaker
    say: turn on the lights
    barge_in: true
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def parse(text: str):
    return parse_scenario(textwrap.dedent(text), "s.yml")


# -- a valid file ----------------------------------------------------------------------


def test_parses_a_valid_file(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)

    scenario = load_scenario(path)

    assert scenario.path == path
    assert scenario.home == "default"
    assert scenario.home_line == 1
    assert scenario.users == [ScenarioUser("alice", {"music_genre": "jazz"}), ScenarioUser("bob", {})]
    first, second = scenario.turns
    assert (first.index, first.line, first.user, first.device) == (1, 7, "alice", "kitchen_speaker")
    assert first.say == "what is the temperature"
    assert first.asr == "what is the temper chair"
    assert first.heard == "what is the temper chair"
    assert first.set == {"oven": {"power": "on", "temperature": 180}}
    assert first.barge_in is False
    assert first.expect == Expectation(
        intent="ask_temperature", reply="(?i)oven", state={"oven": {"power": "on"}},
        preference=PreferenceExpectation("music_genre", "jazz"),
    )
    assert first.line_of("expect.intent") == 14
    assert first.line_of("expect.reply") == 15
    assert first.line_of("set.oven") == 9
    assert first.line_of("expect.state.oven.power") == 16
    assert (second.index, second.line, second.user, second.device) == (2, 18, "bob", "bedroom_speaker")
    assert second.heard == "turn on the lights"
    assert second.barge_in is True
    assert second.expect.is_empty()


def test_relative_home_path_is_relative_to_the_scenario_file(tmp_path: Path) -> None:
    (tmp_path / "homes").mkdir()
    (tmp_path / "homes" / "small.yml").write_text("name: small\n")
    (tmp_path / "scenarios").mkdir()
    path = write(tmp_path / "scenarios", "home: ../homes/small.yml\nturns:\n  - say: hi\n")

    scenario = load_scenario(path)

    assert Path(scenario.home).resolve() == (tmp_path / "homes" / "small.yml").resolve()
    assert scenario.home_line == 1


# -- defaults and liberal reading ------------------------------------------------------


def test_defaults_when_users_are_omitted() -> None:
    scenario = parse("""\
        turns:
          - say: hello
          - user: carol
            say: hi
        """)

    assert scenario.home == "default"
    first, second = scenario.turns
    assert first.user == "user"
    assert first.device == DEFAULT_DEVICE == "kitchen_speaker"
    assert first.asr is None and first.set == {} and first.barge_in is False
    assert first.expect.is_empty()
    assert second.user == "carol"  # any id is allowed without a users list
    assert [u.id for u in scenario.users] == ["user", "carol"]


def test_user_defaults_to_the_first_user() -> None:
    scenario = parse("""\
        users:
          - id: dana
          - id: erin
        turns:
          - say: hello
        """)

    assert scenario.turns[0].user == "dana"


def test_liberal_values() -> None:
    scenario = parse("""\
        users: [alice, 42]
        turns:
          - just a line of text
          - user: 42
            say: no
            asr:
            set:
              oven: {power: on, temperature: "180"}
              thermostat: {target_temperature: 21.5}
            expect:
          - say: hi
            expect:
              intent: greet
              reply: hello
              preference: {key: music_genre, value: null}
        """)

    assert [u.id for u in scenario.users] == ["alice", "42"]
    bare, second, third = scenario.turns
    assert (bare.say, bare.user, bare.device) == ("just a line of text", "alice", "kitchen_speaker")
    assert second.user == "42"
    assert second.say == "no"  # YAML 1.1 would make this False; the text is what was written
    assert second.asr is None
    assert second.set == {"oven": {"power": True, "temperature": "180"},
                          "thermostat": {"target_temperature": 21.5}}
    assert second.expect.is_empty()
    assert third.expect.preference == PreferenceExpectation("music_genre", None)


# -- malformed files -------------------------------------------------------------------

MALFORMED = [
    pytest.param("turns:\n  - say: [unclosed\n  - say: hi\n", 3, "YAML syntax error", id="yaml-syntax"),
    pytest.param("turns:\n  - say: hi\n---\nturns: []\n", 3, "YAML syntax error", id="two-documents"),
    pytest.param("", 1, "empty", id="empty-file"),
    pytest.param("# only a comment\n", 1, "empty", id="only-comment"),
    pytest.param("\n- say: hi\n", 2, "top level must be a mapping", id="top-level-list"),
    pytest.param("just text\n", 1, "top level must be a mapping", id="top-level-text"),
    pytest.param("home: default\nusers: [alice]\n", 1, "missing 'turns'", id="missing-turns"),
    pytest.param("home: default\nturn:\n  - say: hi\n", 2,
                 "unknown key 'turn'; allowed: home, users, turns", id="unknown-top-key"),
    pytest.param("turns:\n  - say: hi\n  - device: oven\n    user: bob\n", 3, "turn 2 has no 'say'",
                 id="turn-without-say"),
    pytest.param("turns:\n  - say:\n", 2, "say needs a value", id="say-empty"),
    pytest.param("turns:\n  - say: {text: hi}\n", 2, "say must be text", id="say-mapping"),
    pytest.param("turns:\n  - say: hi\n    expext: {intent: greet}\n", 3,
                 "unknown key 'expext'; allowed: user, device, set, say, say_hwu64, asr, barge_in, expect",
                 id="unknown-turn-key"),
    pytest.param("turns:\n  - say: hi\n    expect:\n      intents: greet\n", 4,
                 "unknown key 'intents'; allowed: intent, reply, state, preference",
                 id="unknown-expect-key"),
    pytest.param("users:\n  - id: alice\n    prefs: {}\nturns:\n  - say: hi\n", 3,
                 "unknown key 'prefs'; allowed: id, preferences", id="unknown-user-key"),
    pytest.param("users:\n  - id: alice\nturns:\n  - say: hi\n  - user: bob\n    say: hi\n", 5,
                 "user 'bob' is not in 'users'", id="unknown-user"),
    pytest.param("turns:\n  - say: hi\n    expect:\n      reply: \"(unclosed\"\n", 4,
                 "not a valid regular expression", id="bad-regex"),
    pytest.param("turns:\n  - say: hi\n    barge_in: sometimes\n", 3, "barge_in must be true or false",
                 id="barge-in-text"),
    pytest.param("turns:\n  - say: hi\n    barge_in: 1\n", 3, "barge_in must be true or false",
                 id="barge-in-number"),
    pytest.param("turns:\n  - say: hi\n    set: [oven]\n", 3, "must map device ids to states",
                 id="set-list"),
    pytest.param("turns:\n  - say: hi\n    set:\n      oven: on\n", 4,
                 "oven must be a mapping of state keys", id="set-device-not-mapping"),
    pytest.param("turns:\n  - say: hi\n    set:\n      oven: {}\n", 4, "oven has no state keys",
                 id="set-device-empty"),
    pytest.param("turns:\n  - say: hi\n    expect:\n      state: {oven: on}\n", 4,
                 "oven must be a mapping of state keys", id="expect-state-not-mapping"),
    pytest.param("turns:\n  - say: hi\n    expect:\n      preference: {key: genre}\n", 4,
                 "needs value", id="preference-without-value"),
    pytest.param("turns:\n  - say: hi\n    say: ho\n", 3, "'say' is given twice (first on line 2)",
                 id="duplicate-key"),
    pytest.param("turns: []\n", 1, "turns is empty", id="turns-empty"),
    pytest.param("turns:\n  say: hi\n", 2, "turns must be a list", id="turns-mapping"),
    pytest.param("turns:\n  - say: hi\n  -\n", 3, "turn 2 must be a mapping", id="turn-null"),
    pytest.param("users:\n  - preferences: {}\nturns:\n  - say: hi\n", 2, "needs an 'id'",
                 id="user-without-id"),
    pytest.param("users:\n  - id: alice\n  - alice\nturns:\n  - say: hi\n", 3, "listed twice",
                 id="duplicate-user"),
    pytest.param("users: alice\nturns:\n  - say: hi\n", 1, "users must be a list", id="users-text"),
    pytest.param("turns:\n  - say: hi\n    set:\n      oven:\n        since: 2024-13-45\n", 5,
                 "bad value '2024-13-45'", id="bad-date-value"),
    pytest.param("home: no_such_home.yml\nturns:\n  - say: hi\n", 1, "no home file",
                 id="home-missing"),
    pytest.param("turns:\n  - say: hi\n    say_hwu64: 1\n", 3, "gives both 'say' and 'say_hwu64'",
                 id="say-and-hwu64"),
    pytest.param("turns:\n  - say_hwu64: first\n", 2, "must be a HWU64 row id", id="hwu64-not-a-number"),
    pytest.param("turns:\n  - say: hi\n  - say_hwu64: 99999999\n", 3, "hwu64.jsonl: no row with id 99999999",
                 id="hwu64-no-such-row"),
]


@pytest.mark.parametrize(("text", "line", "problem"), MALFORMED)
def test_malformed_file_names_file_and_line(tmp_path: Path, text: str, line: int, problem: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)

    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert problem in message
    assert (caught.value.file, caught.value.line) == (str(path), line)


def test_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nope\.yml:1: no such file"):
        load_scenario(tmp_path / "nope.yml")


def test_error_lists_the_known_users() -> None:
    with pytest.raises(ScenarioError, match=r"known: alice, bob"):
        parse("users: [bob, alice]\nturns:\n  - {user: carol, say: hi}\n")


# -- the regression conversations ------------------------------------------------------


def test_there_are_conversation_files() -> None:
    assert len(CONVERSATIONS) >= 7


@pytest.mark.parametrize("path", CONVERSATIONS, ids=[p.stem for p in CONVERSATIONS])
def test_conversation_file_parses(path: Path) -> None:
    scenario = load_scenario(path)

    assert scenario.home == "default"
    assert scenario.turns
    assert all(not t.expect.is_empty() for t in scenario.turns), "every turn should check something"
    for turn in scenario.turns:
        named = {turn.device, *turn.set, *turn.expect.state}
        assert named <= DEFAULT_HOME_DEVICES, f"turn {turn.index}: not in the default home: " \
                                              f"{named - DEFAULT_HOME_DEVICES}"
        assert turn.expect.intent is None or turn.expect.intent in INTENTS


def test_a_turn_can_say_a_real_hwu64_sentence(tmp_path: Path) -> None:
    path = tmp_path / "real.yml"
    path.write_text("turns:\n  - say_hwu64: 1\n    expect: {intent: affirm}\n", encoding="utf-8")

    turn = load_scenario(path).turns[0]

    # row 1 is "did you get that correctly?": as speech, lower case without punctuation
    assert (turn.say, turn.hwu64_id, turn.heard) == ("did you get that correctly", 1, "did you get that correctly")
