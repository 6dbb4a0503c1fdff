from __future__ import annotations

from assistant.actions.cancel_alarm import ActionCancelAlarm
from assistant.actions.set_alarm import ActionSetAlarm
from assistant.actions.set_timer import ActionSetTimer
from tests.assistant.actions.conftest import run_action


def test_set_alarm_on_the_alarm_clock(make_tracker) -> None:
    tracker = make_tracker("set an alarm for 7 am", "set_alarm", device="bedroom_speaker",
                           entities=[{"entity": "time", "value": "7 am"}])
    _, texts, sent = run_action(ActionSetAlarm(), tracker)
    assert texts == ["Alarm set for 7:00 AM on the bedroom alarm clock."]
    assert sent == ["set_alarm bedroom_alarm_clock 07:00"]


def test_set_alarm_without_a_time_asks(make_tracker) -> None:
    _, texts, sent = run_action(ActionSetAlarm(), make_tracker("set an alarm", "set_alarm"))
    assert texts[0].startswith("For what time?") and sent == []


def test_cancel_alarm(home, make_tracker) -> None:
    assert home.set_state("bedroom_alarm_clock", {"alarms": ["07:00"]}).ok
    _, texts, sent = run_action(ActionCancelAlarm(), make_tracker("cancel my alarm", "cancel_alarm"))
    assert texts == ["Cancelled your alarms."]
    assert sent == ["cancel_alarm bedroom_alarm_clock"]


def test_cancel_when_none_is_set(make_tracker) -> None:
    _, texts, sent = run_action(ActionCancelAlarm(), make_tracker("cancel my alarm", "cancel_alarm"))
    assert texts == ["There's no alarm to cancel."] and sent == []


def test_timer_on_the_speaking_device(make_tracker) -> None:
    _, texts, sent = run_action(ActionSetTimer(), make_tracker("set a timer for 10 minutes", "set_timer"))
    assert texts == ["Timer set for 10 minutes."]
    assert sent == ["start_timer kitchen_speaker 600"]
