"""action_greet: a plain hello, and "good morning" after the alarm running the coffee routine."""

from __future__ import annotations

from assistant.actions.greet import GREETING, ActionGreet
from assistant.prefs.keys import COFFEE_AFTER_ALARM, PrefKey
from tests.assistant.actions.conftest import run_action


def ring_alarm(home) -> None:
    assert home.set_state("bedroom_alarm_clock", {"alarms": ["07:05"]}).ok
    home.advance(10)  # 07:00 -> 07:10: the alarm rang at 07:05


def test_plain_greeting(store, make_tracker) -> None:
    _, texts, directives = run_action(ActionGreet(), make_tracker("hello", "greet"))
    assert (texts, directives) == ([GREETING], [])


def test_good_morning_after_the_alarm_starts_the_coffee_routine(store, home, make_tracker) -> None:
    store.set("alice", PrefKey.MORNING_ROUTINE, COFFEE_AFTER_ALARM)
    ring_alarm(home)
    _, texts, directives = run_action(ActionGreet(), make_tracker("good morning", "greet"))
    assert texts == ["Good morning! Your coffee routine: Starting the coffee maker. "
                     "Coffee will be ready in a few minutes."]
    assert directives == ["brew coffee_maker"]


def test_no_routine_without_the_preference_the_alarm_or_the_morning(store, home, make_tracker) -> None:
    _, texts, _ = run_action(ActionGreet(), make_tracker("good morning", "greet"))
    assert texts == [GREETING]  # no alarm rang
    ring_alarm(home)
    _, texts, _ = run_action(ActionGreet(), make_tracker("good morning", "greet"))
    assert texts == [GREETING]  # no routine stored
    store.set("bob", PrefKey.MORNING_ROUTINE, COFFEE_AFTER_ALARM)
    _, texts, _ = run_action(ActionGreet(), make_tracker("good morning", "greet"))
    assert texts == [GREETING]  # someone else's routine
    store.set("alice", PrefKey.MORNING_ROUTINE, COFFEE_AFTER_ALARM)
    _, texts, _ = run_action(ActionGreet(), make_tracker("hello", "greet"))
    assert texts == [GREETING]  # not "good morning"


def test_an_alarm_long_ago_is_not_waking_up(store, home, make_tracker) -> None:
    store.set("alice", PrefKey.MORNING_ROUTINE, COFFEE_AFTER_ALARM)
    ring_alarm(home)
    home.advance(120)
    _, texts, _ = run_action(ActionGreet(), make_tracker("good morning", "greet"))
    assert texts == [GREETING]
