"""The clock, time of day, and events firing as time passes (alarms, timers, oven, thermostat)."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.home import Event, EventKind, Home, TimeOfDay
from assistant.home.home import MAX_EVENTS


@pytest.fixture
def home() -> Home:
    return Home.default()


def at(hhmm: str, day: int = 5) -> dt.datetime:
    hour, minute, *second = (int(part) for part in hhmm.split(":"))
    return dt.datetime(2026, 1, day, hour, minute, *second)


def kinds(events: list[Event]) -> list[tuple[EventKind, str, dt.datetime]]:
    return [(e.kind, e.device_id, e.at) for e in events]


# -- clock and time of day ----------------------------------------------------------------


def test_the_clock_starts_on_a_fixed_morning(home: Home) -> None:
    assert home.clock.now == at("07:00")
    assert home.clock.time_of_day is TimeOfDay.MORNING


@pytest.mark.parametrize(
    ("hhmm", "expected"),
    [
        ("00:00", TimeOfDay.NIGHT), ("04:59", TimeOfDay.NIGHT), ("05:00", TimeOfDay.MORNING),
        ("11:59", TimeOfDay.MORNING), ("12:00", TimeOfDay.AFTERNOON), ("16:59", TimeOfDay.AFTERNOON),
        ("17:00", TimeOfDay.EVENING), ("21:59", TimeOfDay.EVENING), ("22:00", TimeOfDay.NIGHT),
        ("23:59", TimeOfDay.NIGHT),
    ],
)
def test_time_of_day(home: Home, hhmm: str, expected: TimeOfDay) -> None:
    home.set_time(hhmm)
    assert home.clock.now.strftime("%H:%M") == hhmm
    assert home.clock.time_of_day is expected


@pytest.mark.parametrize(
    ("hhmm", "now"),
    [("07:30", at("07:30")), ("7:05", at("07:05")), ("23:00", at("23:00")),
     ("06:00", at("06:00", day=6)), ("07:00", at("07:00"))],
)
def test_set_time_moves_forward_to_the_next_such_time(home: Home, hhmm: str, now: dt.datetime) -> None:
    home.set_time(hhmm)
    assert home.clock.now == now


@pytest.mark.parametrize("bad", ["7:60", "24:00", "noon", ""])
def test_set_time_rejects_malformed_times(home: Home, bad: str) -> None:
    with pytest.raises(ValueError, match="not a time like 07:30"):
        home.set_time(bad)
    assert home.clock.now == at("07:00")


@pytest.mark.parametrize(("minutes", "now"), [(0, at("07:00")), (1.5, at("07:01:30")), (90, at("08:30")),
                                               (24 * 60, at("07:00", day=6))])
def test_advance_moves_the_clock(home: Home, minutes: float, now: dt.datetime) -> None:
    assert home.advance(minutes) == []
    assert home.clock.now == now


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "5", True])
def test_advance_only_moves_forward_by_a_number(home: Home, bad: object) -> None:
    with pytest.raises(ValueError):
        home.advance(bad)  # type: ignore[arg-type]
    assert home.clock.now == at("07:00")


# -- alarms -------------------------------------------------------------------------------


def test_an_alarm_rings_at_its_time(home: Home) -> None:
    home.apply("set_alarm bedroom_alarm_clock 07:30")
    assert home.advance(29) == []
    fired = home.advance(1)
    assert kinds(fired) == [(EventKind.ALARM_RANG, "bedroom_alarm_clock", at("07:30"))]
    assert fired[0].detail == {"time": "07:30"}
    assert home.advance(60) == []


def test_an_alarm_rings_every_day_until_cancelled(home: Home) -> None:
    home.apply("set_alarm bedroom_alarm_clock 06:30")
    fired = home.advance(3 * 24 * 60)
    assert [e.at for e in fired] == [at("06:30", day=6), at("06:30", day=7), at("06:30", day=8)]
    home.apply("cancel_alarm bedroom_alarm_clock")
    assert home.advance(3 * 24 * 60) == []


def test_an_alarm_set_for_now_rings_tomorrow(home: Home) -> None:
    home.apply("set_alarm bedroom_alarm_clock 07:00")
    assert home.advance(1) == []
    assert [e.at for e in home.set_time("07:00")] == [at("07:00", day=6)]


def test_set_time_fires_what_it_passes(home: Home) -> None:
    home.apply("set_alarm bedroom_alarm_clock 22:15")
    assert kinds(home.set_time("22:30")) == [(EventKind.ALARM_RANG, "bedroom_alarm_clock", at("22:15"))]


# -- timers -------------------------------------------------------------------------------


def test_a_timer_finishes_and_is_removed(home: Home) -> None:
    home.apply("start_timer kitchen_speaker 600")
    assert home.advance(9) == []
    fired = home.advance(1)
    assert kinds(fired) == [(EventKind.TIMER_DONE, "kitchen_speaker", at("07:10"))]
    assert fired[0].detail["label"] == "10 minutes"
    assert home.devices["kitchen_speaker"].state["timers"] == []


def test_a_timer_finishes_to_the_second(home: Home) -> None:
    home.apply("start_timer bedroom_speaker 90")
    assert [e.at for e in home.advance(5)] == [at("07:01:30")]


def test_a_timer_that_ended_before_now_finishes_at_once(home: Home) -> None:
    home.set_state("office_speaker", {"timers": [{"ends_at": "2026-01-05T06:00:00", "label": "late"}]})
    assert kinds(home.advance(0)) == [(EventKind.TIMER_DONE, "office_speaker", at("06:00"))]


# -- oven and thermostat ------------------------------------------------------------------


def test_the_oven_heats_and_says_when_it_reached_its_target(home: Home) -> None:
    home.apply("set_temperature oven 180")
    assert home.advance(15) == []
    assert home.devices["oven"].state["temperature"] == 170
    fired = home.advance(1)
    assert kinds(fired) == [(EventKind.OVEN_PREHEATED, "oven", at("07:16"))]
    assert fired[0].detail == {"temperature": 180}
    assert home.advance(30) == []
    assert home.devices["oven"].state["temperature"] == 180


def test_the_oven_event_has_its_exact_time_within_a_long_advance(home: Home) -> None:
    home.apply("set_temperature oven 185")
    assert kinds(home.advance(120)) == [(EventKind.OVEN_PREHEATED, "oven", at("07:16:30"))]


def test_the_oven_cools_when_off(home: Home) -> None:
    home.set_state("oven", {"power": "on", "temperature": 180})
    home.apply("turn_off oven")
    home.advance(10)
    assert home.devices["oven"].state["temperature"] == 150
    home.advance(120)
    assert home.devices["oven"].state["temperature"] == 20


def test_a_lower_oven_target_cools_without_an_event(home: Home) -> None:
    home.set_state("oven", {"power": "on", "temperature": 200})
    home.apply("set_temperature oven 180")
    assert home.advance(60) == []
    assert home.devices["oven"].state == {"power": "on", "temperature": 180, "target_temperature": 180}


@pytest.mark.parametrize(("target", "after_10", "after_100"), [(23, 22, 23), (19, 20, 19), (21, 21, 21)])
def test_the_indoor_temperature_drifts_toward_the_thermostat(
        home: Home, target: int, after_10: float, after_100: float) -> None:
    home.apply(f"set_temperature thermostat {target}")
    home.advance(10)
    assert home.devices["thermostat"].state["current_temperature"] == after_10
    home.advance(90)
    assert home.devices["thermostat"].state["current_temperature"] == after_100


# -- order and history --------------------------------------------------------------------


def test_events_fire_in_time_order_across_devices(home: Home) -> None:
    home.apply("start_timer kitchen_speaker 600")
    home.apply("set_temperature oven 180")
    home.apply("set_alarm bedroom_alarm_clock 07:05")
    fired = home.advance(30)
    assert kinds(fired) == [
        (EventKind.ALARM_RANG, "bedroom_alarm_clock", at("07:05")),
        (EventKind.TIMER_DONE, "kitchen_speaker", at("07:10")),
        (EventKind.OVEN_PREHEATED, "oven", at("07:16")),
    ]
    assert home.recent_events() == fired
    assert home.recent_events(2) == fired[1:]
    assert home.recent_events(0) == []


def test_recent_events_keep_the_newest(home: Home) -> None:
    home.apply("set_alarm bedroom_alarm_clock 06:00")
    home.apply("set_alarm bedroom_alarm_clock 18:00")
    home.advance((MAX_EVENTS + 10) / 2 * 24 * 60)
    assert len(home.events) == MAX_EVENTS
    newest = home.recent_events(1)[0]
    assert newest.at <= home.clock.now and newest.at > home.clock.now - dt.timedelta(hours=12)
    assert home.recent_events(3) == home.events[-3:]


def test_event_describe_and_dict_round_trip(home: Home) -> None:
    home.apply("set_alarm bedroom_alarm_clock 07:05")
    event = home.advance(10)[0]
    assert event.describe() == "07:05 bedroom_alarm_clock: alarm rang (07:05)"
    assert event.to_dict() == {"at": "2026-01-05T07:05:00", "kind": "alarm_rang",
                               "device_id": "bedroom_alarm_clock", "detail": {"time": "07:05"}}
    assert Event.from_dict(event.to_dict()) == event
