"""The spoken form both sides of a comparison go through."""

from __future__ import annotations

import pytest

from simulator.speech.spoken import MAX_WORDS, spoken_form


@pytest.mark.parametrize(("text", "spoken"), [
    ("Set an alarm for 7:30 am", "set an alarm for seven thirty am"),
    ("wake me at 6:05", "wake me at six oh five"),
    ("at 7:00", "at seven"),
    ("dim the lights to 30%", "dim the lights to thirty percent"),
    ("set it to 22 degrees", "set it to twenty two degrees"),
    ("What's the weather in Boston?", "what's the weather in boston"),
    ("rock & roll", "rock and roll"),
    ("'quoted'", "quoted"),
    ("🙂🙂", ""),
    ("\x00\x07 hi\tthere\n", "hi there"),
    ("", ""),
])
def test_numbers_times_and_symbols_are_spoken_and_punctuation_goes(text: str, spoken: str) -> None:
    assert spoken_form(text) == spoken


def test_very_long_text_is_cut_to_one_breath() -> None:
    assert len(spoken_form("lights " * 5000).split()) == MAX_WORDS
