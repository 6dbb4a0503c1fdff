from __future__ import annotations

import pytest

from assistant.services.timeparse import format_clock, format_duration, parse_clock, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("set an alarm for 7 am", "07:00"),
        ("wake me at 6:30", "06:30"),
        ("alarm at 6:30 pm", "18:30"),
        ("alarm for half past six", "06:30"),
        ("quarter past seven in the evening", "19:15"),
        ("set an alarm at noon", "12:00"),
        ("alarm for 12 am", "00:00"),
        ("seven o'clock alarm", None),  # apostrophe form is not "o clock"
        ("seven o clock", "07:00"),
        ("alarm for 25:00", None),
        ("set an alarm", None),
    ],
)
def test_parse_clock(text: str, expected: str | None) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("set a timer for 10 minutes", 600),
        ("timer for an hour", 3600),
        ("90 seconds timer", 90),
        ("1 hour 30 minutes", 5400),
        ("one and a half hours", 5400),
        ("half an hour", 1800),
        ("set a timer", None),
    ],
)
def test_parse_duration(text: str, expected: int | None) -> None:
    assert parse_duration(text) == expected


def test_format_clock_and_duration() -> None:
    assert format_clock("07:05") == "7:05 AM"
    assert format_clock("00:00") == "12:00 AM"
    assert format_clock("18:30") == "6:30 PM"
    assert format_duration(5400) == "1 hour and 30 minutes"
    assert format_duration(60) == "1 minute"
