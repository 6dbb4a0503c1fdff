"""Self-supervised training data for the failure-point model, made from any interaction log
without its truth: turns that look like they worked are kept as ``correct``, and copies of them
are damaged at one pipeline stage so that the damage names the failure point:

- ``result``: the reply, directives and actions are swapped for those of another dialogue
  (a reply that does not fit the request);
- ``nlu``: the intent (and the reply that goes with it) is swapped for another dialogue's;
- ``asr``: a word of the text is garbled into one the assistant never learnt;
- ``entity_resolution``: the entities are dropped and the action reports a typed problem;
- ``false_wake``: the text is background words, a lone turn nobody follows up.

A damaged turn is followed by what users do after a failure (repeat, rephrase, complain,
barge in, give up), flagged as the runtime's detectors would (imperfectly). Every draw comes
from one `random.Random(seed)`. The data inherits the log's own words, intents and replies,
which is what lets it transfer to that log better than a generator's invented ones.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import random
from dataclasses import dataclass
from typing import Any, Sequence

from assistant.analytics import turns as tk
from assistant.learning.log import Feedback, TurnRecord
from assistant.outcomes import FailurePoint, Problem
from assistant.text import tokens


class Damage(str, enum.Enum):
    """The stage a contrastive copy is damaged at (its label, a `FailurePoint` value), or none."""

    NONE = FailurePoint.CORRECT.value
    RESULT = FailurePoint.RESULT.value
    NLU = FailurePoint.NLU.value
    ASR = FailurePoint.ASR.value
    ENTITY = FailurePoint.ENTITY_RESOLUTION.value
    FALSE_WAKE = FailurePoint.FALSE_WAKE.value


class Reaction(str, enum.Enum):
    """What the imagined user does after a damaged turn."""

    REPEAT = "repeat"
    REPHRASE = "rephrase"
    COMPLAIN = "complain"
    BARGE_IN = "barge_in"
    GIVE_UP = "give_up"


@dataclass(frozen=True)
class ContrastiveConfig:
    """How many copies, and how users react."""

    copies_per_turn: int = 1          # damaged copies of each kept turn (one stage each)
    max_turns: int = 1500             # kept turns sampled from the log at most
    detector_recall: float = 0.8      # the runtime flags a repeat/rephrase this often
    reactions: tuple[tuple[Reaction, float], ...] = (
        (Reaction.REPEAT, 0.3), (Reaction.REPHRASE, 0.3), (Reaction.COMPLAIN, 0.12),
        (Reaction.BARGE_IN, 0.13), (Reaction.GIVE_UP, 0.15))


_ENTITY_PROBLEMS = tuple(p.value for p in (Problem.NO_TARGET, Problem.NOT_FOUND, Problem.NO_SUCH_DEVICE,
                                            Problem.UNKNOWN_CITY))
_COMPLAINTS = ("no that's wrong", "that's not what i asked", "wrong")
_VOWELS = "aeiou"


def _looks_fine(turn: TurnRecord) -> bool:
    """A request that nothing says failed (the candidates to keep and damage)."""
    intent = turn.intent or ""
    return bool(turn.text) and intent not in tk.ANSWERS and intent not in tk.SOCIAL \
        and not tk.is_fallback(turn) and not tk.problems(turn) and not tk.refusal_reasons(turn) \
        and not turn.defect_signalled and not turn.barge_in


def generate(records: Sequence[TurnRecord], seed: int,
             config: ContrastiveConfig = ContrastiveConfig()) -> tuple[list[TurnRecord], list[str]]:
    """Contrastive sessions built from ``records`` and the label of each of their turns (the
    follow-up turns are labelled ``correct``). The records are not changed."""
    rng = random.Random(seed)
    fine = [t for t in records if _looks_fine(t)]
    if not fine:
        return [], []
    rng.shuffle(fine)
    fine = fine[: config.max_turns]
    pools = _Pools(records, fine)
    out: list[TurnRecord] = []
    labels: list[str] = []
    stages = [d for d in Damage if d is not Damage.NONE]
    for index, turn in enumerate(fine):
        session = _session(turn, f"c{seed}-{index}")
        kept = _copy(turn, session, turn.timestamp)
        out.append(kept)
        labels.append(Damage.NONE.value)
        for copy_index in range(config.copies_per_turn):
            damage = rng.choice(stages)
            damaged_session = f"{session}-{copy_index}"
            start = turn.timestamp + dt.timedelta(hours=1 + copy_index)
            made = _damaged(turn, damage, damaged_session, start, pools, rng, config)
            out.extend(made)
            labels.extend([damage.value] + [Damage.NONE.value] * (len(made) - 1))
    return out, labels


class _Pools:
    """What damaged turns borrow from other dialogues."""

    def __init__(self, records: Sequence[TurnRecord], fine: Sequence[TurnRecord]) -> None:
        self.fine = list(fine)
        self.by_intent: dict[str, list[TurnRecord]] = {}
        for turn in fine:
            self.by_intent.setdefault(turn.intent or "none", []).append(turn)
        self.fallbacks = [t for t in records if tk.is_fallback(t)]
        self.with_problem = [t for t in records if tk.problems(t) or tk.refusal_reasons(t)]
        self.words = sorted({w for t in fine for w in tokens(t.text or "")})
        self.confidences = sorted(t.confidence for t in records if t.confidence is not None) or [0.9]

    def other(self, turn: TurnRecord, rng: random.Random) -> TurnRecord:
        """A kept turn of another intent (the same one when the log has only one)."""
        others = [i for i in self.by_intent if i != (turn.intent or "none")]
        if not others:
            return rng.choice(self.fine)
        return rng.choice(self.by_intent[rng.choice(sorted(others))])

    def same_intent(self, turn: TurnRecord, rng: random.Random) -> TurnRecord:
        return rng.choice(self.by_intent.get(turn.intent or "none") or [turn])

    def low_confidence(self, rng: random.Random) -> float:
        """A confidence from the lower half of the log's."""
        return self.confidences[rng.randrange(max(1, len(self.confidences) // 2))]


def _session(turn: TurnRecord, tag: str) -> str:
    return f"{turn.session_id}~{tag}"


def _copy(turn: TurnRecord, session: str, when: dt.datetime, **changes: Any) -> TurnRecord:
    record = copy.deepcopy(turn)
    record.truth = None
    record.feedback = {}
    record.barge_in = False
    record.session_id = session
    record.timestamp = when
    record.id = None
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def _garble(text: str, rng: random.Random) -> str:
    """One word heard as something else (a vowel changed, a word split or a letter lost)."""
    words = text.split()
    if not words:
        return text
    candidates = [i for i, w in enumerate(words) if len(w) > 3] or list(range(len(words)))
    i = rng.choice(candidates)
    word = words[i]
    way = rng.randrange(3)
    if way == 0 and any(c in _VOWELS for c in word):
        spots = [j for j, c in enumerate(word) if c in _VOWELS]
        j = rng.choice(spots)
        word = word[:j] + rng.choice([v for v in _VOWELS if v != word[j]]) + word[j + 1:]
    elif way == 1 and len(word) > 4:
        cut = rng.randrange(2, len(word) - 1)
        word = word[:cut] + " " + word[cut:]
    else:
        word = word[:-1] if len(word) > 2 else word + "h"
    words[i] = word
    return " ".join(words)


def _damaged(turn: TurnRecord, damage: Damage, session: str, start: dt.datetime, pools: _Pools,
             rng: random.Random, config: ContrastiveConfig) -> list[TurnRecord]:
    """The damaged copy and the turns of the user's reaction."""
    if damage is Damage.FALSE_WAKE:
        n = rng.randint(3, 7)
        text = " ".join(rng.choice(pools.words) for _ in range(n)) if pools.words else "hmm"
        source = rng.choice(pools.fallbacks) if pools.fallbacks and rng.random() < 0.6 else pools.other(turn, rng)
        wake = _copy(source, session, start, text=text, text_rewritten=None, rewrite_source=None,
                     confidence=pools.low_confidence(rng))
        if rng.random() < 0.3:
            wake.feedback = {Feedback.DISSATISFACTION: True}
        return [wake]
    bad = _copy(turn, session, start)
    if damage is Damage.RESULT:
        other = pools.other(turn, rng) if rng.random() < 0.5 else pools.same_intent(turn, rng)
        bad.reply, bad.directives, bad.actions = other.reply, list(other.directives), list(other.actions)
    elif damage is Damage.NLU:
        other = rng.choice(pools.fallbacks) if pools.fallbacks and rng.random() < 0.4 else pools.other(turn, rng)
        bad.intent, bad.confidence, bad.nlu_margin = other.intent, other.confidence, other.nlu_margin
        bad.reply, bad.directives, bad.actions = other.reply, [], list(other.actions)
        bad.entities = list(other.entities) if rng.random() < 0.3 else []
    elif damage is Damage.ASR:
        bad.text = _garble(turn.text or "", rng)
        if rng.random() < 0.5:
            source = rng.choice(pools.fallbacks) if pools.fallbacks else pools.other(turn, rng)
            bad.intent, bad.confidence, bad.reply = source.intent, source.confidence, source.reply
            bad.actions, bad.directives, bad.entities = list(source.actions), [], []
        else:
            bad.entities = bad.entities[:-1]
            bad.confidence = pools.low_confidence(rng)
    elif damage is Damage.ENTITY:
        source = rng.choice(pools.with_problem) if pools.with_problem else None
        bad.entities, bad.directives = [], []
        if source is not None and rng.random() < 0.7:
            bad.problems, bad.refused, bad.reply = list(source.problems), list(source.refused), source.reply
        else:
            bad.problems = [rng.choice(_ENTITY_PROBLEMS)]
            bad.reply = "Sorry, which one do you mean?"
    return [bad, *_reaction(turn, bad, session, pools, rng, config)]


def _reaction(turn: TurnRecord, bad: TurnRecord, session: str, pools: _Pools, rng: random.Random,
              config: ContrastiveConfig) -> list[TurnRecord]:
    names = [r for r, _ in config.reactions]
    reaction = rng.choices(names, [w for _, w in config.reactions])[0]
    later = bad.timestamp + dt.timedelta(seconds=rng.uniform(2, 5) if reaction is Reaction.BARGE_IN
                                         else rng.uniform(4, 15))
    if reaction is Reaction.GIVE_UP:
        bad.feedback = {Feedback.GIVE_UP: True}
        return []
    if reaction is Reaction.COMPLAIN:
        bad.feedback = {Feedback.DISSATISFACTION: True}
        complaint = _copy(turn, session, later, text=rng.choice(_COMPLAINTS), intent="complain", entities=[],
                          directives=[], refused=[], problems=[], actions=[], reply="Sorry about that.",
                          text_rewritten=None, rewrite_source=None)
        retry = _copy(turn, session, later + dt.timedelta(seconds=rng.uniform(3, 10)))
        return [complaint, retry]
    retry = pools.same_intent(turn, rng) if reaction is Reaction.REPHRASE else turn
    follow = _copy(retry, session, later, barge_in=reaction is Reaction.BARGE_IN)
    if reaction is Reaction.BARGE_IN:
        bad.feedback = {Feedback.BARGE_IN: True}
    elif rng.random() < config.detector_recall:
        bad.feedback = {reaction.value: True}
    return [follow]
