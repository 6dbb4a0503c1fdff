"""Goal success from implicit signals, no annotation.

Each turn gets a defect score from what the user did next (barge-in, repeat, rephrase,
"that's wrong", giving up, an explicit yes/no, how soon they spoke again) and what the
system saw (ASR and NLU confidence, fallbacks, refused directives). A goal is achieved when
its last request is not a defect. `baseline_achieved` is the single-signal baseline that the
report compares against: a goal failed if the user repeated or rephrased.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from assistant.analytics import turns as tk
from assistant.analytics.segment import Goal
from assistant.learning.log import Feedback, TurnRecord


@dataclass(frozen=True)
class SignalWeights:
    """How much each signal says "defect" (negative: says "success"). Threshold 1.0."""

    barge_in: float = 1.5
    repeat: float = 1.5
    rephrase: float = 1.5
    dissatisfaction: float = 2.5
    give_up: float = 2.5
    explicit_no: float = 3.0
    explicit_yes: float = -3.0
    retried_in_goal: float = 1.5     # segmentation: another request of the same goal followed
    answered_no: float = 2.0         # a deny/complain answer followed within the goal
    fallback: float = 1.0
    out_of_scope: float = 0.5        # "that's outside what I can do": right for an out-of-scope request
    refused: float = 1.0
    low_nlu: float = 0.4             # confidence below low_confidence
    low_asr: float = 0.3             # ASR confidence below low_confidence
    quick_follow_up: float = 0.3     # spoke again within quick_seconds, in the same goal
    low_confidence: float = 0.5
    quick_seconds: float = 6.0
    threshold: float = 1.0


@dataclass
class TurnVerdict:
    """A turn's defect score and the signals behind it."""

    turn: TurnRecord
    score: float
    signals: list[str] = field(default_factory=list)

    @property
    def defect(self) -> bool:
        return self.score >= SignalWeights().threshold


@dataclass
class GoalVerdict:
    """A goal judged from signals; ``truth`` is the simulator's answer when logged."""

    goal: Goal
    achieved: bool
    baseline_achieved: bool
    turns: list[TurnVerdict]
    truth: bool | None = None


def judge_turns(goal: Goal, weights: SignalWeights = SignalWeights()) -> list[TurnVerdict]:
    """A verdict for each turn of the goal."""
    verdicts: list[TurnVerdict] = []
    for index, turn in enumerate(goal.turns):
        after = goal.turns[index + 1:]
        verdicts.append(_judge(goal, turn, after, weights))
    return verdicts


def _judge(goal: Goal, turn: TurnRecord, after: Sequence[TurnRecord], w: SignalWeights) -> TurnVerdict:
    signals: list[tuple[str, float]] = []
    said = tk.feedback(turn)
    for name, weight in ((Feedback.BARGE_IN, w.barge_in), (Feedback.REPEAT, w.repeat),
                         (Feedback.REPHRASE, w.rephrase), (Feedback.DISSATISFACTION, w.dissatisfaction),
                         (Feedback.GIVE_UP, w.give_up)):
        if said.get(name):
            signals.append((name, weight))
    answer = tk.explicit(turn)
    if answer == "no":
        signals.append(("explicit_no", w.explicit_no))
    elif answer == "yes":
        signals.append(("explicit_yes", w.explicit_yes))
    if after:
        following = after[0]
        if following.barge_in and not said.get(Feedback.BARGE_IN):
            signals.append(("next_barge_in", w.barge_in))
        if not goal.is_answer(turn) and any(not goal.is_answer(t) for t in after):
            signals.append(("retried_in_goal", w.retried_in_goal))
        next_answer = next((t for t in after if goal.is_answer(t)), None)
        if next_answer is not None and next_answer.intent in ("deny", "complain") and next_answer is following:
            if not said.get(Feedback.DISSATISFACTION) and answer != "no":
                signals.append(("answered_" + str(next_answer.intent), w.answered_no))
        if tk.seconds(following) - tk.seconds(turn) < w.quick_seconds:
            signals.append(("quick_follow_up", w.quick_follow_up))
    if not goal.is_answer(turn):
        if tk.refused_as_out_of_scope(turn):
            signals.append(("out_of_scope", w.out_of_scope))
        elif tk.is_fallback(turn):
            signals.append(("fallback", w.fallback))
        if tk.refusal_reasons(turn):
            signals.append(("refused", w.refused))
        if tk.problems(turn):
            signals.append(("problem", w.refused))
        if turn.confidence is not None and turn.confidence < w.low_confidence:
            signals.append(("low_nlu_confidence", w.low_nlu))
        if turn.asr_confidence is not None and turn.asr_confidence < w.low_confidence:
            signals.append(("low_asr_confidence", w.low_asr))
    score = sum(weight for _, weight in signals)
    return TurnVerdict(turn, round(score, 3), [name for name, _ in signals])


def judge_goal(goal: Goal, weights: SignalWeights = SignalWeights()) -> GoalVerdict:
    """Achieved when the goal's last request is not a defect and nobody gave up or said no."""
    verdicts = judge_turns(goal, weights)
    by_id = {id(v.turn): v for v in verdicts}
    last = by_id[id(goal.last_request)]
    gave_up = any(tk.feedback(t).get(Feedback.GIVE_UP) for t in goal.turns)
    tail = goal.turns[goal.turns.index(goal.last_request):]
    said_no = any(tk.explicit(t) == "no" or (t.intent in ("deny", "complain") and t is not goal.last_request)
                  for t in tail)
    said_yes = any(tk.explicit(t) == "yes" for t in tail)
    achieved = said_yes or (not gave_up and not said_no and (not last.defect or taught_late(goal, tail)))
    if getattr(goal.last_request, "explore_asked", None) and not said_yes:
        achieved = False     # asked which reading was meant, and no reading was ever chosen
    return GoalVerdict(goal, achieved, baseline_achieved(goal), verdicts, _truth(goal))


def taught_late(goal: Goal, tail: Sequence[TurnRecord]) -> bool:
    """The request failed, the assistant asked (an offer to learn, "which city?"), and the
    user's answer was taken without a problem: a success reached late."""
    for before, turn in zip(tail, tail[1:]):
        if (goal.is_answer(turn) and (turn.intent or "") in tk.ANSWERS_TO_QUESTIONS and tk.asked_user(before)
                and not tk.is_fallback(turn) and not tk.reply_apologises(turn) and not tk.problems(turn)
                and "?" not in (turn.reply or "")):
            return True
    return False


def baseline_achieved(goal: Goal) -> bool:
    """Single-signal baseline: the goal failed if the user repeated or rephrased."""
    if len(goal.requests) > 1:
        return False
    return not any(tk.feedback(t).get(Feedback.REPEAT) or tk.feedback(t).get(Feedback.REPHRASE)
                   for t in goal.turns)


def _truth(goal: Goal) -> bool | None:
    """The simulator's goal_achieved (on the goal's last turn with truth), if logged."""
    for turn in reversed(goal.turns):
        known = tk.truth(turn)
        if known is not None and known.get("goal_achieved") is not None:
            return bool(known["goal_achieved"])
    for turn in reversed(goal.turns):
        known = tk.truth(turn)
        if known is not None and known.get("success") is not None:
            return bool(known["success"])
    return None


def judge(goals: Sequence[Goal], weights: SignalWeights = SignalWeights()) -> list[GoalVerdict]:
    return [judge_goal(g, weights) for g in goals]
