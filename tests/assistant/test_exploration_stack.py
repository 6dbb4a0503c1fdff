"""Exploration through the real stack: a torn request gets the question, the answer runs the
chosen reading and both are logged, so the label pipeline turns them into a label; "neither"
asks again and gives none; the next torn request right after is not asked about."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.exploration import NEITHER
from assistant.learning.log import TurnRecord

TORN = "turn radiolab on"   # the model is torn between play_media and turn_on (checked below)


def history(runtime, user: str, turns: int = 12) -> None:
    """Earlier turns of the user, so that a question fits in their share."""
    start = dt.datetime(2026, 1, 5, 8)
    runtime.log.record_many([TurnRecord(user_id=user, device_id="kitchen_speaker", session_id=f"{user}-old",
                                        timestamp=start + dt.timedelta(minutes=i), text=f"hello there {i}",
                                        intent="greet", confidence=0.9) for i in range(turns)])


@pytest.mark.stack
def test_a_torn_request_is_asked_about_and_the_answer_runs_and_is_logged(fresh) -> None:
    from assistant.selflearn.candidates import LabelKind
    from assistant.selflearn.pipeline import propose, score

    user = "explorer-a"
    history(fresh, user)
    asked = fresh.handle(TORN, user_id=user, device_id="kitchen_speaker")
    assert asked.actions == ["action_explore"], asked.replies
    assert asked.explore_asked == ["play_media", "turn_on"]
    assert asked.reply == "Sorry, I'm not sure what you meant. Should I play something, or turn something on?"
    answered = fresh.handle("play something", user_id=user, device_id="kitchen_speaker")
    assert answered.explore_choice == "play_media" and answered.explore_options == ["play_media", "turn_on"]
    assert answered.intent == "play_media" and answered.actions == ["action_play_media"]
    assert "radiolab" in answered.reply.lower()   # the original words were played, not the answer's
    again = fresh.handle(TORN, user_id=user, device_id="kitchen_speaker")
    assert "action_explore" not in again.actions    # never twice in a row
    rows = {r.id: r for r in fresh.log.turns(user_id=user)}
    assert rows[asked.turn_id].explore_asked == ["play_media", "turn_on"]
    assert rows[answered.turn_id].explore_choice == "play_media"
    labels = score(propose(list(fresh.log.turns(user_id=user))), None).labels
    assert [(lb.text, lb.intent) for lb in labels if lb.kind is LabelKind.EXPLORATION] == [(TORN, "play_media")]


@pytest.mark.stack
def test_neither_asks_to_rephrase_and_is_logged(fresh) -> None:
    user = "explorer-b"
    history(fresh, user)
    asked = fresh.handle(TORN, user_id=user, device_id="kitchen_speaker")
    assert asked.explore_asked
    neither = fresh.handle("neither", user_id=user, device_id="kitchen_speaker")
    assert neither.explore_choice == NEITHER and not neither.applied
    assert neither.reply == "Okay, neither. Could you say it another way?"
    assert next(r for r in fresh.log.turns(user_id=user) if r.id == neither.turn_id).explore_choice == NEITHER


@pytest.mark.stack
def test_off_when_the_learning_flags_say_so(fresh) -> None:
    from assistant.learning.config import Arm

    user = "explorer-c"
    history(fresh, user)
    before = fresh.learning
    fresh.learning = Arm.TEACHABLE.flags
    try:
        result = fresh.handle(TORN, user_id=user, device_id="kitchen_speaker")
    finally:
        fresh.learning = before
    assert "action_explore" not in result.actions and not result.explore_asked
