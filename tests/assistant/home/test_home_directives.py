"""Directives: parsing, what each verb does, refusals, no-ops, all-or-nothing."""

from __future__ import annotations

import pytest

from assistant.home import (
    Directive,
    DirectiveParseError,
    DirectiveVerb,
    Home,
    Refusal,
)


@pytest.fixture
def home() -> Home:
    return Home.default()


def apply_all(home: Home, texts: list[str]) -> None:
    for text in texts:
        assert home.apply(text).ok, text


# -- parsing -----------------------------------------------------------------------------

ROUND_TRIP = [
    "turn_on kitchen_light",
    "turn_off kitchen_light",
    "set_brightness kitchen_light 40",
    "set_color kitchen_light blue",
    "set_color kitchen_light warm white",
    "set_temperature oven 180",
    "set_temperature thermostat 21.5",
    "open garage_door",
    "close garage_door",
    "lock front_door_lock",
    "unlock front_door_lock",
    "brew coffee_maker",
    "play living_room_tv The Hunger Games|film",
    "stop kitchen_speaker",
    "set_alarm bedroom_alarm_clock 07:00",
    "cancel_alarm bedroom_alarm_clock",
    "cancel_alarm bedroom_alarm_clock 07:00",
    "start_timer kitchen_speaker 600",
    "cancel_timer kitchen_speaker",
]


def test_round_trip_examples_cover_every_verb() -> None:
    assert {Directive.parse(text).verb for text in ROUND_TRIP} == set(DirectiveVerb)


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_parse_and_str_round_trip(text: str) -> None:
    directive = Directive.parse(text)
    assert str(directive) == text
    assert Directive.parse(str(directive)) == directive


@pytest.mark.parametrize(
    ("text", "verb", "device_id", "value"),
    [
        ("set_temperature oven 180", DirectiveVerb.SET_TEMPERATURE, "oven", 180),
        ("start_timer kitchen_speaker 90.5", DirectiveVerb.START_TIMER, "kitchen_speaker", 90.5),
        ("set_color kitchen_light warm white", DirectiveVerb.SET_COLOR, "kitchen_light", "warm white"),
        ("set_color  kitchen_light   warm   white ", DirectiveVerb.SET_COLOR, "kitchen_light", "warm white"),
        ("play living_room_tv The Hunger Games|film", DirectiveVerb.PLAY, "living_room_tv",
         "The Hunger Games|film"),
        ("  turn_on   kitchen_light ", DirectiveVerb.TURN_ON, "kitchen_light", None),
        ("TURN_OFF oven", DirectiveVerb.TURN_OFF, "oven", None),
        ("cancel_alarm bedroom_alarm_clock", DirectiveVerb.CANCEL_ALARM, "bedroom_alarm_clock", None),
    ],
)
def test_parse_fields(text: str, verb: DirectiveVerb, device_id: str, value: object) -> None:
    directive = Directive.parse(text)
    assert (directive.verb, directive.device_id, directive.value) == (verb, device_id, value)
    assert type(directive.value) is type(value)


@pytest.mark.parametrize(
    ("directive", "text"),
    [
        (Directive(DirectiveVerb.SET_BRIGHTNESS, "kitchen_light", 40.0), "set_brightness kitchen_light 40"),
        (Directive(DirectiveVerb.SET_TEMPERATURE, "thermostat", 22.5), "set_temperature thermostat 22.5"),
        (Directive(DirectiveVerb.TURN_ON, "kitchen_light"), "turn_on kitchen_light"),
    ],
)
def test_str_of_built_directive(directive: Directive, text: str) -> None:
    assert str(directive) == text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "expected 'VERB DEVICE_ID"),
        ("turn_on", "expected 'VERB DEVICE_ID"),
        ("fly kitchen_light", "unknown verb 'fly'"),
        ("turn_on kitchen_light please", "turn_on takes no value"),
        ("set_brightness kitchen_light", "set_brightness needs a value"),
        ("play kitchen_speaker", "play needs a value"),
        ("set_brightness kitchen_light bright", "'bright' is not a number"),
        ("start_timer kitchen_speaker nan", "'nan' is not a number"),
        ("set_temperature oven inf", "'inf' is not a number"),
    ],
)
def test_parse_errors_are_value_errors_with_a_clear_message(text: str, problem: str) -> None:
    with pytest.raises(DirectiveParseError) as caught:
        Directive.parse(text)
    assert isinstance(caught.value, ValueError)
    assert problem in str(caught.value)
    assert repr(text) in str(caught.value)


# -- what each verb does ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "text", "device_id", "expected"),
    [
        ([], "turn_on kitchen_light", "kitchen_light", {"power": "on", "brightness": 100}),
        (["turn_on kitchen_light"], "turn_off kitchen_light", "kitchen_light", {"power": "off"}),
        ([], "set_brightness kitchen_light 40", "kitchen_light", {"power": "on", "brightness": 40}),
        ([], "set_brightness office_light 40.6", "office_light", {"power": "on", "brightness": 41}),
        (["turn_on kitchen_light"], "set_brightness kitchen_light 0", "kitchen_light",
         {"power": "off", "brightness": 100}),
        ([], "set_color kitchen_light warm white", "kitchen_light", {"power": "on", "color": "warm white"}),
        ([], "set_color bedroom_light BLUE", "bedroom_light", {"color": "blue"}),
        ([], "set_temperature oven 180", "oven",
         {"power": "on", "target_temperature": 180, "temperature": 20}),
        (["set_temperature oven 180"], "turn_off oven", "oven",
         {"power": "off", "target_temperature": None}),
        ([], "set_temperature thermostat 23.5", "thermostat",
         {"target_temperature": 23.5, "current_temperature": 21}),
        ([], "open garage_door", "garage_door", {"position": "open"}),
        (["open garage_door"], "close garage_door", "garage_door", {"position": "closed"}),
        ([], "unlock front_door_lock", "front_door_lock", {"locked": False}),
        (["unlock front_door_lock"], "lock front_door_lock", "front_door_lock", {"locked": True}),
        ([], "brew coffee_maker", "coffee_maker", {"power": "on", "brewing": True}),
        (["brew coffee_maker"], "turn_off coffee_maker", "coffee_maker", {"power": "off", "brewing": False}),
        ([], "play living_room_tv The Hunger Games|film", "living_room_tv",
         {"power": "on", "playing": {"title": "The Hunger Games", "format": "film"}}),
        (["play living_room_tv Dune|film"], "turn_off living_room_tv", "living_room_tv",
         {"power": "off", "playing": None}),
        ([], "play kitchen_speaker Dune|audiobook", "kitchen_speaker",
         {"playing": {"title": "Dune", "format": "audiobook"}}),
        ([], "play office_speaker some jazz|music", "office_speaker",
         {"playing": {"title": "some jazz", "format": "music"}}),
        (["play kitchen_speaker Serial|podcast"], "stop kitchen_speaker", "kitchen_speaker",
         {"playing": None}),
        (["play living_room_tv Dune|film"], "stop living_room_tv", "living_room_tv",
         {"power": "on", "playing": None}),
        ([], "set_alarm bedroom_alarm_clock 7:30", "bedroom_alarm_clock", {"alarms": ["07:30"]}),
        (["set_alarm bedroom_alarm_clock 07:30"], "set_alarm bedroom_alarm_clock 06:45",
         "bedroom_alarm_clock", {"alarms": ["06:45", "07:30"]}),
        (["set_alarm bedroom_alarm_clock 07:30", "set_alarm bedroom_alarm_clock 06:45"],
         "cancel_alarm bedroom_alarm_clock 7:30", "bedroom_alarm_clock", {"alarms": ["06:45"]}),
        (["set_alarm bedroom_alarm_clock 07:30", "set_alarm bedroom_alarm_clock 06:45"],
         "cancel_alarm bedroom_alarm_clock", "bedroom_alarm_clock", {"alarms": []}),
        ([], "start_timer kitchen_speaker 600", "kitchen_speaker",
         {"timers": [{"ends_at": "2026-01-05T07:10:00", "label": "10 minutes", "seconds": 600}]}),
        (["start_timer bedroom_alarm_clock 5400"], "start_timer bedroom_alarm_clock 45",
         "bedroom_alarm_clock",
         {"timers": [{"ends_at": "2026-01-05T07:00:45", "label": "45 seconds", "seconds": 45},
                     {"ends_at": "2026-01-05T08:30:00", "label": "1 hour 30 minutes", "seconds": 5400}]}),
        (["start_timer kitchen_speaker 600"], "cancel_timer kitchen_speaker", "kitchen_speaker",
         {"timers": []}),
    ],
)
def test_directive_changes_state(home: Home, setup: list[str], text: str, device_id: str,
                                 expected: dict) -> None:
    apply_all(home, setup)
    result = home.apply(text)
    assert result.ok and result.refusal is None and not result.unchanged
    assert result.directive == Directive.parse(text)
    state = home.devices[device_id].state
    assert {key: state[key] for key in expected} == expected


def test_changes_name_exactly_what_changed(home: Home) -> None:
    result = home.apply("set_temperature oven 180")
    assert result.changes == {"power": "on", "target_temperature": 180}
    assert "oven" in result.message


def test_only_the_target_device_changes(home: Home) -> None:
    before = {d.id: dict(d.state) for d in home.devices.values()}
    home.apply("turn_on kitchen_light")
    after = {d.id: dict(d.state) for d in home.devices.values()}
    assert [d for d in after if after[d] != before[d]] == ["kitchen_light"]


def test_check_is_a_dry_run(home: Home) -> None:
    before = home.snapshot()
    checked = home.check(Directive.parse("set_temperature oven 180"))
    assert checked.ok and checked.changes == {"power": "on", "target_temperature": 180}
    assert home.snapshot() == before
    assert home.apply("set_temperature oven 180") == checked
    assert home.snapshot() != before


def test_apply_takes_a_directive_or_its_text(home: Home) -> None:
    other = Home.default()
    assert home.apply(Directive(DirectiveVerb.BREW, "coffee_maker")) == other.apply("brew coffee_maker")
    assert home.devices == other.devices


def test_numeric_text_values_act_like_numbers(home: Home) -> None:
    assert home.apply(Directive(DirectiveVerb.SET_TEMPERATURE, "oven", "180")).ok
    assert home.devices["oven"].state["target_temperature"] == 180


# -- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "directive", "refusal", "fragment"),
    [
        ([], "turn_on toaster", Refusal.NO_SUCH_DEVICE, "'toaster'"),
        ([], "turn_on garage_door", Refusal.UNSUPPORTED, "garage door can't be turned on"),
        ([], "turn_off thermostat", Refusal.UNSUPPORTED, "thermostat can't be turned off"),
        ([], "set_color office_light blue", Refusal.UNSUPPORTED, "office light can't change colour"),
        ([], "set_brightness oven 50", Refusal.UNSUPPORTED, "oven can't be dimmed"),
        ([], "set_temperature kitchen_light 20", Refusal.UNSUPPORTED, "kitchen light can't be set to a temp"),
        ([], "brew oven", Refusal.UNSUPPORTED, "oven can't brew"),
        ([], "lock garage_door", Refusal.UNSUPPORTED, "garage door can't lock"),
        ([], "open front_door_lock", Refusal.UNSUPPORTED, "front door lock can't open"),
        ([], "play coffee_maker Dune|audiobook", Refusal.UNSUPPORTED, "coffee maker can't play"),
        ([], "set_alarm kitchen_speaker 07:00", Refusal.UNSUPPORTED, "kitchen speaker can't set alarms"),
        ([], "start_timer living_room_tv 60", Refusal.UNSUPPORTED, "living room TV can't run timers"),
        ([], "play kitchen_speaker Dune|film", Refusal.UNSUPPORTED, "no screen"),
        ([], "set_brightness kitchen_light 101", Refusal.INVALID_VALUE, "from 0 to 100"),
        ([], "set_brightness kitchen_light -1", Refusal.INVALID_VALUE, "from 0 to 100"),
        ([], "set_temperature oven 300", Refusal.INVALID_VALUE, "between 50 and 290"),
        ([], "set_temperature oven 49", Refusal.INVALID_VALUE, "between 50 and 290"),
        ([], "set_temperature thermostat 31", Refusal.INVALID_VALUE, "between 10 and 30"),
        ([], "set_temperature thermostat 9.5", Refusal.INVALID_VALUE, "between 10 and 30"),
        ([], "set_color kitchen_light magenta", Refusal.INVALID_VALUE, "can't be magenta"),
        ([], "set_alarm bedroom_alarm_clock 25:00", Refusal.INVALID_VALUE, "not a time like 07:30"),
        ([], "set_alarm bedroom_alarm_clock 7pm", Refusal.INVALID_VALUE, "not a time like 07:30"),
        (["set_alarm bedroom_alarm_clock 07:00"], "cancel_alarm bedroom_alarm_clock 7h",
         Refusal.INVALID_VALUE, "not a time"),
        ([], "start_timer kitchen_speaker 0", Refusal.INVALID_VALUE, "1 second to 24 hours"),
        ([], "start_timer kitchen_speaker 86401", Refusal.INVALID_VALUE, "1 second to 24 hours"),
        ([], "play kitchen_speaker Dune", Refusal.INVALID_VALUE, "TITLE|FORMAT"),
        ([], "play kitchen_speaker Dune|hologram", Refusal.INVALID_VALUE, "unknown format 'hologram'"),
        ([], "play kitchen_speaker |music", Refusal.INVALID_VALUE, "no title"),
        ([], "stop living_room_tv", Refusal.DEVICE_OFF, "living room TV is off"),
    ],
)
def test_refusals_have_exact_reasons_and_change_nothing(
        home: Home, setup: list[str], directive: str, refusal: Refusal, fragment: str) -> None:
    apply_all(home, setup)
    before = home.snapshot()
    checked = home.check(directive)
    result = home.apply(directive)
    assert result == checked
    assert (result.ok, result.refusal, result.unchanged, result.changes) == (False, refusal, False, {})
    assert fragment in result.message
    assert result.directive == Directive.parse(directive)
    assert home.snapshot() == before


@pytest.mark.parametrize(
    "directive",
    [
        Directive(DirectiveVerb.SET_BRIGHTNESS, "kitchen_light", "bright"),
        Directive(DirectiveVerb.SET_BRIGHTNESS, "kitchen_light", True),
        Directive(DirectiveVerb.SET_TEMPERATURE, "oven", None),
        Directive(DirectiveVerb.SET_COLOR, "kitchen_light", None),
        Directive(DirectiveVerb.SET_ALARM, "bedroom_alarm_clock", None),
        Directive(DirectiveVerb.PLAY, "kitchen_speaker", None),
    ],
)
def test_built_directives_with_bad_values_are_invalid(home: Home, directive: Directive) -> None:
    before = home.snapshot()
    result = home.apply(directive)
    assert (result.ok, result.refusal) == (False, Refusal.INVALID_VALUE)
    assert home.snapshot() == before


def test_a_refused_directive_in_a_sequence_leaves_earlier_ones_applied(home: Home) -> None:
    assert home.apply("set_brightness kitchen_light 30").ok
    assert not home.apply("set_color kitchen_light magenta").ok
    assert home.devices["kitchen_light"].state == {"power": "on", "brightness": 30, "color": "white"}


# -- no-ops -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "directive"),
    [
        (["turn_on kitchen_light"], "turn_on kitchen_light"),
        ([], "turn_off kitchen_light"),
        (["turn_on kitchen_light"], "set_brightness kitchen_light 100"),
        (["set_color kitchen_light blue"], "set_color kitchen_light blue"),
        ([], "set_temperature thermostat 21"),
        (["set_temperature oven 200"], "set_temperature oven 200"),
        ([], "turn_off oven"),
        ([], "close garage_door"),
        ([], "lock front_door_lock"),
        (["brew coffee_maker"], "brew coffee_maker"),
        ([], "stop kitchen_speaker"),
        (["set_alarm bedroom_alarm_clock 07:30"], "set_alarm bedroom_alarm_clock 07:30"),
        ([], "cancel_alarm bedroom_alarm_clock 07:30"),
        ([], "cancel_timer kitchen_speaker"),
    ],
)
def test_a_no_op_is_ok_and_unchanged(home: Home, setup: list[str], directive: str) -> None:
    apply_all(home, setup)
    before = home.snapshot()
    result = home.apply(directive)
    assert (result.ok, result.unchanged, result.refusal, result.changes) == (True, True, None, {})
    assert "already" in result.message
    assert home.snapshot() == before


def test_already_is_a_named_outcome_not_a_refusal_reason(home: Home) -> None:
    assert Refusal.ALREADY.value == "already"
    assert home.apply("turn_off kitchen_light").refusal is None
