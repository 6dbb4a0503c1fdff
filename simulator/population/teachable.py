"""The truth of teachable moments: where teaching the assistant a preference would have helped.

A moment opens on a request that failed because the assistant lacked the user's preference (the
goal's outcome rests on it, the store does not hold the user's true value, and the assistant did
not refuse for some other reason, such as a name it doesn't have), and it covers
the user's own repeats, complaints and "no"s about that failure until the goal succeeds. The
simulator knows this from its hidden truth; the assistant never reads it. `simulate` scores
the assistant's offers to learn against these moments (`moment_scores`), beside the older
all-defects figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from assistant.outcomes import FailurePoint
from simulator.population.truth import PreferenceLookup, TurnKind, Verdict

if TYPE_CHECKING:
    from simulator.population.goals import Goal
    from simulator.population.session import GoalTrace
    from simulator.population.users import SimUser

# A nicety, never what decides a goal's outcome (the weather is right in either unit).
NOT_DECISIVE = frozenset({"temperature_unit"})
# The user's turns that speak about a failure: trying again, "no, that's wrong", "no" to a check.
ABOUT_THE_FAILURE = frozenset({TurnKind.REQUEST, TurnKind.COMPLAINT, TurnKind.CONFIRM})


def lacks_preference(goal: "Goal", user: "SimUser", lookup: PreferenceLookup | None) -> bool:
    """True when the goal's outcome rests on a preference and the assistant holds none of the
    user's true values for it (without a store to ask, any such goal lacks it)."""
    from simulator.population.goals import preference_value

    keys = [key for key in goal.pref_keys if key not in NOT_DECISIVE]
    if not keys:
        return False
    if lookup is None:
        return True
    for key in keys:
        stored = lookup(user.user_id, key)
        if stored is not None and stored.lower() == preference_value(user, key)[0].lower():
            return False
    return True


@dataclass
class MomentTruth:
    """Marks one goal's turns: is this a moment where teaching would have helped?

    The user's own repeat that succeeds ("what's the weather in miami" after the guess gave
    Seattle's) is a repeat about the failure too, so it belongs to the moment, and closes it
    (``closing`` says so: before stop 41 it was not marked, see `moment_scores`'s ``strict``)."""

    open: bool = False
    closing: bool = False   # the last turn marked was the successful repeat that closed the moment

    def mark(self, kind: TurnKind, verdict: Verdict, lacking: Callable[[], bool]) -> bool:
        self.closing = False
        if kind not in ABOUT_THE_FAILURE:   # answers to the assistant's questions, false wakes
            return False
        if kind is not TurnKind.REQUEST:    # "no, that's wrong": about the open failure, understood or not
            return self.open
        if verdict.success:
            self.closing = self.open
            self.open = False
            return self.closing
        if verdict.failure_point is FailurePoint.RESULT and lacking():
            self.open = True
            return True
        return self.open


@dataclass(frozen=True)
class MomentScores:
    """Offers to learn against the truth's moments.

    Attributes:
        offers: turns on which the assistant asked to learn a preference.
        offers_at_moments: ... of which on a moment's turn (precision's numerator).
        moments: goals with a moment (each is one chance to offer: "offer once").
        moments_offered: ... in which an offer came on one of the moment's turns.
    """

    offers: int
    offers_at_moments: int
    moments: int
    moments_offered: int

    @property
    def precision(self) -> float | None:
        return None if not self.offers else round(self.offers_at_moments / self.offers, 4)

    @property
    def recall(self) -> float | None:
        return None if not self.moments else round(self.moments_offered / self.moments, 4)


def moment_scores(goals: Iterable["GoalTrace"], *, strict: bool = False) -> MomentScores:
    """Score every goal's offers (``asked_to_learn``) against its moments (``teachable``).
    ``strict``: the measure before stop 41, where the successful repeat that closed a moment
    (``moment_closing``) was no moment turn."""
    offers = at_moments = moments = offered = 0
    for goal in goals:
        marked = [t.teachable and not (strict and t.moment_closing) for t in goal.turns]
        offers += sum(t.asked_to_learn for t in goal.turns)
        at_moments += sum(t.asked_to_learn and m for t, m in zip(goal.turns, marked))
        if any(marked):
            moments += 1
            offered += any(t.asked_to_learn and m for t, m in zip(goal.turns, marked))
    return MomentScores(offers, at_moments, moments, offered)
