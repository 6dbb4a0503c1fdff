"""Ground truth: judging each turn against what the user wanted.

A request turn succeeds when the goal's outcome happened (a directive applied, a reply that
matches, a preference stored). A failed turn gets the failure point: the first stage that
failed irrecoverably: ``false_wake`` (nobody spoke to the device), ``asr`` (the channel
damaged what mattered and the rewriter did not restore it), ``nlu`` (heard well enough, wrong
intent), ``entity_resolution`` (right intent, wrong or missing target or value), ``result``
(understood, but the outcome was wrong: a refusal, or a preference the assistant lacked), or
``correct`` (nothing failed: the request was impossible and the assistant said why).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any, Callable

from assistant.outcomes import FailurePoint
from assistant.text import jaccard, normalize
from assistant.turn import TurnResult
from simulator.population.asr import Heard
from simulator.population.goals import Goal
from simulator.speech.spoken import spoken_form

PreferenceLookup = Callable[[str, str], "str | None"]


# `FailurePoint` lives in assistant.outcomes (one taxonomy with the analytics); re-exported here.
__all__ = ["FailurePoint", "TurnKind", "Verdict"]


class TurnKind(str, enum.Enum):
    """Why the user spoke (kept in the truth as ``turn_kind``)."""

    REQUEST = "request"        # an attempt at the goal
    COMPLAINT = "complaint"    # "no, that's wrong"
    ANSWER = "answer"          # an answer to an offer to learn or to the guided Q&A
    DECLINE = "decline"        # "no thanks" to an offer
    CONFIRM = "confirm"        # yes/no to "Did I answer your question?"
    FALSE_WAKE = "false_wake"  # nobody meant it


@dataclass(frozen=True)
class Verdict:
    """The judgement of one turn."""

    success: bool
    failure_point: FailurePoint | None = None
    preference_correct: bool | None = None


def effective_text(heard: Heard, result: TurnResult) -> str:
    """What NLU read: the rewritten text when the rewriter changed it, else what was heard."""
    rewrite = result.rewrite or {}
    return str(rewrite.get("rewritten") or result.text or heard.text)


def lost_phrases(said: str, phrases: tuple[str, ...], heard: Heard, result: TurnResult) -> list[str]:
    """Phrases said that NLU never read (the channel damaged them and no rewrite restored them)."""
    if not heard.damaged:
        return []
    said_n = f" {_words(said)} "
    read_n = f" {_words(effective_text(heard, result))} "
    return [p for p in phrases if f" {_words(p)} " in said_n and f" {_words(p)} " not in read_n]


def _words(text: str) -> str:
    """Both sides in spoken form ("7:30" and "seven thirty" alike), then the utterance key."""
    return normalize(spoken_form(text))


def asr_damaged(said: str, critical: tuple[str, ...], heard: Heard, result: TurnResult) -> bool:
    """Whether the channel destroyed a phrase that mattered."""
    return bool(lost_phrases(said, critical, heard, result))


def outcome_met(goal: Goal, result: TurnResult, user_id: str, lookup: PreferenceLookup | None) -> bool:
    """Whether the goal's outcome happened on this turn."""
    out = goal.outcome
    if out.impossible:
        return False
    if out.out_of_scope:  # a clear refusal: the typed result, never the reply's wording
        return goal.accepts_intent(result.intent) and not result.applied
    if out.directive is not None:
        return any(re.fullmatch(out.directive, d) for d in result.applied)
    if out.preference is not None:
        return preference_stored(out.preference[0], out.preference[1], result, user_id, lookup)
    if out.answer is not None:
        key, value = out.answer
        return str(result.answered.get(key, "")).lower() == value.lower()
    return False


def preference_stored(key: str, value: str, result: TurnResult, user_id: str,
                      lookup: PreferenceLookup | None) -> bool:
    """Whether the assistant now holds ``value`` for ``key`` (the store, else the reply)."""
    if lookup is not None:
        stored = lookup(user_id, key)
        return stored is not None and stored.lower() == value.lower()
    return value.lower() in result.reply.lower()


def judge_request(goal: Goal, said: str, heard: Heard, result: TurnResult, user_id: str,
                  lookup: PreferenceLookup | None = None) -> Verdict:
    """Judge an attempt at ``goal``."""
    preference = goal.outcome.preference
    if outcome_met(goal, result, user_id, lookup):
        return Verdict(True, None, True if preference else None)
    pref_ok = False if preference else None
    if goal.outcome.impossible and goal.outcome.problem in result.problems:
        return Verdict(False, FailurePoint.CORRECT)   # the right answer: why it can't be done
    intent_ok = goal.accepts_intent(result.intent)
    # A damaged keyword only matters when the intent was missed; a damaged name always does.
    if asr_damaged(said, goal.critical if intent_ok else goal.critical + goal.keywords, heard, result):
        return Verdict(False, FailurePoint.ASR, pref_ok)
    if not intent_ok:
        if heard.damaged and jaccard(spoken_form(said), spoken_form(effective_text(heard, result))) < 0.5:
            return Verdict(False, FailurePoint.ASR, pref_ok)
        return Verdict(False, FailurePoint.NLU, pref_ok)
    if goal.pref_keys or goal.outcome.out_of_scope:
        return Verdict(False, FailurePoint.RESULT, pref_ok)
    if goal.outcome.directive is not None and goal.target is not None:
        verb = goal.outcome.directive.split()[0]
        if any(r[0].split()[:2] == [verb, goal.target] for r in result.refused):
            return Verdict(False, FailurePoint.RESULT, pref_ok)
    return Verdict(False, FailurePoint.ENTITY_RESOLUTION, pref_ok)


def judge_answer(key: str, value: str | None, said: str, heard: Heard, result: TurnResult,
                 user_id: str, lookup: PreferenceLookup | None = None) -> Verdict:
    """Judge an answer to an offer or a Q&A question: was its meaning captured?"""
    if value is None:
        return Verdict(True)
    if preference_stored(key, value, result, user_id, lookup):
        return Verdict(True, None, True)
    if asr_damaged(said, (value.lower(), said.lower()), heard, result):
        return Verdict(False, FailurePoint.ASR, False)
    return Verdict(False, FailurePoint.RESULT, False)


def judge_intent(expected: tuple[str, ...], said: str, heard: Heard, result: TurnResult) -> Verdict:
    """Judge a complaint, a decline or a yes/no by its intent."""
    if result.intent in expected:
        return Verdict(True)
    if heard.damaged and jaccard(spoken_form(said), spoken_form(heard.text)) < 0.5:
        return Verdict(False, FailurePoint.ASR)
    return Verdict(False, FailurePoint.NLU)


FALSE_WAKE = Verdict(False, FailurePoint.FALSE_WAKE)


def truth_record(*, goal_id: str, goal_intent: str, said: str, heard: str, false_wake: bool,
                 verdict: Verdict, rephrase_of: int | None, reaction: str | None,
                 turn_kind: TurnKind, hwu64_id: int | None = None, teachable: bool = False,
                 moment_closing: bool = False) -> dict[str, Any]:
    """The truth written to the log for one turn (keys in the working agreement); ``hwu64_id``
    is the HWU64 row the user's sentence came from (None: a template); ``teachable``: teaching a
    preference would have helped here (`simulator.population.teachable`); ``moment_closing``: this
    turn is the user's successful repeat that closed such a moment."""
    return {
        "goal_id": goal_id,
        "goal_intent": goal_intent,
        "said": said,
        "heard": heard,
        "false_wake": false_wake,
        "success": verdict.success,
        "failure_point": None if verdict.failure_point is None else verdict.failure_point.value,
        "rephrase_of": rephrase_of,
        "reaction": reaction,
        "preference_correct": verdict.preference_correct,
        "turn_kind": turn_kind.value,
        "hwu64_id": hwu64_id,
        "teachable_moment": teachable,
        "moment_closing": moment_closing,
    }
