"""How a simulated user answers the assistant's "Should I A, or B?" (exploration), and how the
question is judged against the user's goal."""

from __future__ import annotations

import random

from assistant.outcomes import FailurePoint
from assistant.turn import TurnResult
from simulator.population.goals import Goal
from simulator.population.truth import Verdict

EXPLORE_MISTAKE = 0.05     # a user says "neither" by mistake this often
NEITHER_ANSWERS = ("neither", "no, something else", "neither of those")


def judge_question(goal: Goal, result: TurnResult) -> Verdict:
    """A question "Should I A, or B?" instead of an answer: fair when one of the two is what
    the goal wants (it costs a turn, counted apart), an NLU failure when neither is."""
    if any(goal.accepts_intent(option) for option in result.explore_asked):
        return Verdict(True)
    return Verdict(False, FailurePoint.NLU)


def explore_answer(options: list[str], index: int, rng: random.Random) -> str:
    """How a user picks option ``index``: by its place ("the second one") or by its words
    ("play something")."""
    from assistant.exploration.options import descriptions

    places = ("the first one", "the second one")
    if index < len(places) and rng.random() < 0.4:
        return places[index]
    said = descriptions()[options[index]].says if options[index] in descriptions() else options[index]
    return said if rng.random() < 0.5 else f"{said} please"
