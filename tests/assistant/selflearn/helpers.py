"""Hand-made logs for the selflearn tests: a failed turn mended by a rephrase, confident
successes, a false wake; with the simulator's truth on every turn."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assistant.learning.log import TurnRecord

T0 = dt.datetime(2026, 1, 5, 8, 0, 0)


def turn(seconds: float, text: str, intent: str, *, user: str = "alice", session: str | None = None,
         confidence: float = 0.97, entities: list[dict[str, Any]] | None = None,
         feedback: dict[str, Any] | None = None, truth: dict[str, Any] | None = None, reply: str = "Done.",
         directives: list[str] | None = None, asr: float | None = 0.95, **extra: Any) -> TurnRecord:
    return TurnRecord(user_id=user, device_id="kitchen_speaker", session_id=session or user,
                      timestamp=T0 + dt.timedelta(seconds=seconds), text=text, intent=intent,
                      confidence=confidence, entities=entities or [], feedback=feedback or {}, truth=truth,
                      reply=reply, directives=directives or [], asr_confidence=asr, actions=["action_x"], **extra)


def request_truth(goal: str, intent: str, *, success: bool, achieved: bool | None = None) -> dict[str, Any]:
    out = {"goal_id": goal, "goal_intent": intent, "turn_kind": "request", "success": success,
           "false_wake": False}
    if achieved is not None:
        out["goal_achieved"] = achieved
    return out


def mended(user: str, start: float, goal: str) -> list[TurnRecord]:
    """A failed "turn of the kitchen likes" (fallback), then "turn off the kitchen lights" worked."""
    return [
        turn(start, "turn of the kitchen likes", "nlu_fallback", user=user, confidence=0.4, asr=0.6,
             reply="Sorry, I didn't understand that. Could you say it another way?",
             feedback={"rephrase": True}, truth=request_truth(goal, "turn_off", success=False)),
        turn(start + 12, "turn off the kitchen lights", "turn_off", user=user,
             entities=[{"entity": "room", "value": "kitchen", "start": 13, "end": 20},
                       {"entity": "device", "value": "lights", "start": 21, "end": 27}],
             reply="Turning off the kitchen light.", directives=["turn_off kitchen_light"],
             truth=request_truth(goal, "turn_off", success=True, achieved=True)),
    ]


def log() -> list[TurnRecord]:
    """Three users' turns, numbered as the log would."""
    records: list[TurnRecord] = []
    for index, user in enumerate(("alice", "bob", "carol")):
        base = index * 3600
        records += mended(user, base, f"{user}-g0")
        records.append(turn(base + 900, "coffee machine on right now", "start_coffee", user=user,
                            reply="Starting the coffee maker.", directives=["brew coffee_maker"],
                            truth=request_truth(f"{user}-g1", "start_coffee", success=True, achieved=True)))
        records.append(turn(base + 1800, "put on a bit of jazz", "play_media", user=user,
                            entities=[{"entity": "genre", "value": "jazz", "start": 16, "end": 20}],
                            reply="Playing some jazz.", directives=["play kitchen_speaker jazz|music"],
                            truth=request_truth(f"{user}-g2", "play_media", success=True, achieved=True)))
    for i, record in enumerate(records, start=1):
        record.id = i
    return records


def without_truth(records: list[TurnRecord]) -> list[TurnRecord]:
    import copy

    out = copy.deepcopy(records)
    for record in out:
        record.truth = None
    return out
