"""Requests the home can't do: real HWU64 rows ("what's on my calendar tomorrow") as goals.

Success is a clear refusal judged from the turn's typed result (the out-of-scope intent, no
directive applied), not from the reply's wording. Only users who speak real phrasing ask them;
the rest of the agenda is unchanged (its goals keep their ids and their random draws).
"""

from __future__ import annotations

import random

from simulator.population.goals import Goal, GoalKind, Outcome
from simulator.population.hwu64 import HwuRow, to_speech
from simulator.population.users import SimUser
from simulator.population.voice import Voice

OUT_OF_SCOPE_PER_DAY = 0.5     # chance a real-speaking user's day holds one such request
OUT_OF_SCOPE_INTENT = "out_of_scope"


def out_of_scope_goal(row: HwuRow, user: SimUser, goal_id: str, time: str, rng: random.Random) -> Goal:
    """A goal that asks for ``row``'s request; the right answer is a refusal."""
    return Goal(goal_id=goal_id, kind=GoalKind.OUT_OF_SCOPE, intent=OUT_OF_SCOPE_INTENT,
                device_id=user.device_in(rng.choice(user.rooms)), time=time,
                phrasings=(to_speech(row.sentence),), outcome=Outcome(out_of_scope=True),
                slots={"hwu64_intent": row.intent}, hwu64_id=row.id)


def with_out_of_scope(goals: list[Goal], user: SimUser, day: int, seed: int, voice: Voice) -> list[Goal]:
    """The day's goals plus, now and then, one request the home can't do (in time order)."""
    if voice.phrasing is None or voice.share <= 0.0 or not voice.phrasing.out_of_scope:
        return goals
    rng = random.Random(f"out-of-scope:{seed}:{user.user_id}:{day}")
    if rng.random() >= OUT_OF_SCOPE_PER_DAY * voice.share:
        return goals
    row = rng.choice(voice.phrasing.out_of_scope)
    time = f"{rng.randint(9, 20):02d}:{rng.choice((10, 25, 40, 55)):02d}"
    goal = out_of_scope_goal(row, user, f"{user.user_id}-d{day}-oos", time, rng)
    return sorted([*goals, goal], key=lambda g: g.time)
