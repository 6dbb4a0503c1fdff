"""Hostile input through the real stack (issue 18): every turn gets a reply, the text that
reaches Rasa encodes, and a turn whose text was cleaned says so."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

# These crashed the MiniLM tokenizer (GraphComponentException ... MiniLMFeaturizer).
CRASHING = ["a\ud83dz", "\udfff hello", "\ud800", "a\ud83dz set an alarm for 7 am"]


@pytest.mark.parametrize("text", CRASHING)
def test_lone_surrogates_get_a_reply_and_a_notice(fresh, text: str) -> None:
    result = fresh.handle(text, user_id="rt_surrogate", device_id="kitchen_speaker")
    assert result.replies, "every turn gets a reply"
    result.text.encode("utf-8")
    assert result.notice is not None and "could not be read" in result.notice


def test_the_cleaned_request_still_works(fresh) -> None:
    result = fresh.handle("a\ud83dz set an alarm for 7 am", user_id="rt_surrogate_alarm",
                          device_id="bedroom_speaker")
    assert result.intent == "set_alarm"
    assert any(d.startswith("set_alarm") for d in result.applied)


def test_cleaned_turns_are_logged_readably(fresh, stack_dir: Path) -> None:
    fresh.handle("\udfff hello", user_id="rt_surrogate_log", device_id="kitchen_speaker")
    with sqlite3.connect(stack_dir / "learning.db") as conn:
        rows = conn.execute("SELECT text FROM turns WHERE user_id = 'rt_surrogate_log'").fetchall()
    assert rows and rows[-1][0] == "hello"
