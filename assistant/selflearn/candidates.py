"""Label candidates from the log alone: which turns get a label, and which label.

- A **correction**: a request of a goal that later succeeded (goal success judged from implicit
  signals by `assistant.analytics`) gets the label of the turn that succeeded: its intent, and
  its entities placed on the failed turn's own words where they occur there.
- A **self-label**: the request that achieved its goal, with no feedback signal after it,
  keeps its own intent and entities.
- An **exploration** label: the user answered "Should I A, or B?" (`assistant.exploration`)
  with one of the two; the request asked about gets the chosen intent and its own entities,
  with high confidence (the user said so). "Neither" or an unclear answer gives no label; a
  question or its answer is never a self-label (the assistant was unsure; "the music" is not
  a request).

Nothing here reads the simulator's truth (a test removes it and compares).
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from assistant.learning.log import TurnRecord
from assistant.paths import PROJECT_ROOT
from assistant.selflearn import entities as ent

if TYPE_CHECKING:
    from assistant.analytics.features import TurnContext
    from assistant.analytics.pipeline import Analysis

# Intents never learned as a label: answers and reactions belong to the dialogue, not to a
# request; a fallback is no intent at all.
NEVER_LABELS = frozenset({"nlu_fallback", "affirm", "deny", "complain", "thank", "stop"})
# Intents a failed turn is never corrected to: "out of scope" after a failure says nothing
# about what the failed words meant.
NEVER_CORRECTIONS = frozenset({"out_of_scope", "greet", "goodbye", "help"})


class LabelKind(str, enum.Enum):
    """Where a label came from."""

    CORRECTION = "correction"   # a failed turn, labelled from the turn of its goal that worked
    SELF = "self"               # a confident success, labelled from itself
    EXPLORATION = "exploration"  # a torn request, labelled by the user's answer to "A, or B?"


# How sure an exploration label is: the user chose between two readings themselves.
EXPLORATION_CONFIDENCE = 0.97


@dataclass
class Candidate:
    """One proposed label for one logged turn."""

    turn: TurnRecord
    source: TurnRecord                 # the turn whose label it takes (itself for a self-label)
    kind: LabelKind
    intent: str
    entities: list[dict[str, Any]]     # on ``turn.text``: entity, value, start, end
    context: "TurnContext"
    source_context: "TurnContext"
    point: str                         # the turn's failure point from analytics ("correct": none)
    source_point: str
    row: dict[str, Any] = field(default_factory=dict)   # the turn's analytics feature row
    between: int = 0                   # requests of the goal between the turn and its source

    @property
    def turn_id(self) -> int:
        return int(self.turn.id or 0)

    @property
    def user_id(self) -> str:
        return str(self.turn.user_id)

    @property
    def text(self) -> str:
        return str(self.turn.text or "")


@functools.lru_cache(maxsize=4)
def domain_intents(root: Path = PROJECT_ROOT / "domain") -> frozenset[str]:
    """The intents the Rasa domain declares (a label must be one of them)."""
    import yaml

    found: set[str] = set()
    for path in sorted(root.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for item in (data.get("intents") or []) if isinstance(data, dict) else []:
            name = item if isinstance(item, str) else next(iter(item), None) if isinstance(item, dict) else None
            if name:
                found.add(str(name))
    return frozenset(found)


def build(analysis: "Analysis", intents: frozenset[str] | None = None) -> list[Candidate]:
    """Every candidate of the analysed log, in log order of the labelled turn."""
    intents = domain_intents() if intents is None else intents
    where = {id(c.turn): (c, p, r) for c, p, r in zip(analysis.contexts, analysis.points, analysis.rows)}
    out: list[Candidate] = []
    for verdict in analysis.goals:
        goal = verdict.goal
        if not verdict.achieved or not goal.requests:
            continue
        source = goal.last_request
        label = source.intent or ""
        if label not in intents or label in NEVER_LABELS or id(source) not in where:
            continue
        source_ctx, source_point, source_row = where[id(source)]
        judged = {id(v.turn): v for v in verdict.turns}
        requests = goal.requests
        if not source.defect_signalled and not judged[id(source)].defect and not _explored(source):
            out.append(Candidate(source, source, LabelKind.SELF, label, ent.own(source.entities, source.text),
                                 source_ctx, source_ctx, source_point, source_point, source_row))
        if label in NEVER_CORRECTIONS:
            continue
        for index, turn in enumerate(requests[:-1]):
            if id(turn) not in where or not (turn.text or "").strip() or turn.explore_choice is not None:
                continue   # an answer to "A, or B?" ("the first one") is no request of its own
            ctx, point, row = where[id(turn)]
            out.append(Candidate(turn, source, LabelKind.CORRECTION, label,
                                 ent.place(source.entities, source.text, turn.text), ctx, source_ctx,
                                 point, source_point, row, between=len(requests) - 2 - index))
    out.extend(explorations(analysis, intents, where))
    out.sort(key=lambda c: (c.turn_id, c.kind.value))
    return out


def _explored(turn: TurnRecord) -> bool:
    """The turn asked which reading was meant, or answered that question."""
    return bool(turn.explore_asked) or turn.explore_choice is not None


def explorations(analysis: "Analysis", intents: frozenset[str],
                 where: dict[int, tuple["TurnContext", str, dict[str, Any]]]) -> list[Candidate]:
    """A label for each answered exploration question: the turn asked about, the chosen intent
    (the answer is the turn right after it in the session and names one of its two options)."""
    out: list[Candidate] = []
    for ctx in analysis.contexts:
        answer, question = ctx.turn, ctx.previous
        choice = answer.explore_choice
        if question is None or not choice or choice not in (question.explore_asked or []) \
                or choice not in intents or choice in NEVER_LABELS or not (question.text or "").strip():
            continue
        if id(question) not in where or id(answer) not in where:
            continue
        q_ctx, q_point, q_row = where[id(question)]
        a_ctx, a_point, _ = where[id(answer)]
        out.append(Candidate(question, answer, LabelKind.EXPLORATION, choice,
                             ent.own(question.entities, question.text), q_ctx, a_ctx, q_point, a_point, q_row))
    return out


def days(records: Sequence[TurnRecord]) -> int:
    """How many distinct days the records span (for labels per day)."""
    return len({r.timestamp.date() for r in records if r.timestamp is not None}) or 1


@dataclass(frozen=True)
class Label:
    """An accepted label: what the learned file and the evaluation read."""

    turn_id: int
    user_id: str
    text: str
    intent: str
    kind: LabelKind
    confidence: float
    source_turn_id: int
    entities: tuple[tuple[str, str, int, int], ...] = ()   # (entity, value, start, end) on text

    def to_json(self) -> dict[str, Any]:
        return {"turn_id": self.turn_id, "user": self.user_id, "text": self.text, "intent": self.intent,
                "kind": self.kind.value, "confidence": round(self.confidence, 4),
                "source_turn_id": self.source_turn_id,
                "entities": [{"entity": e, "value": v, "start": s, "end": n} for e, v, s, n in self.entities]}


def accept(candidate: Candidate, confidence: float) -> Label:
    """The label a candidate becomes when accepted with ``confidence``."""
    return Label(candidate.turn_id, candidate.user_id, candidate.text, candidate.intent, candidate.kind,
                 float(confidence), int(candidate.source.id or 0),
                 tuple((e["entity"], e["value"], e["start"], e["end"]) for e in candidate.entities))
