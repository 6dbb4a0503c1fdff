"""Goal segmentation from the log alone: each session's turns grouped into goals.

A repeat or rephrase of the previous request continues its goal; a different request starts
a new one; answers (yes, no, "that's wrong", thanks) belong to the goal they answer; a long
pause ends a goal. The evidence: time gaps, text similarity (MiniLM or token overlap, one
batched call), intents, NLU confidence, entities, and the runtime's own repeat/rephrase flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from assistant.analytics import turns as tk
from assistant.learning.log import Feedback, TurnRecord
from assistant.similarity import PairSimilarity, token_similarity
from assistant.text import jaccard


@dataclass(frozen=True)
class SegmentConfig:
    """Thresholds (seconds are the home's simulated clock)."""

    max_gap_seconds: float = 180.0     # a longer pause ends the goal
    repeat_similarity: float = 0.8     # this alike: the same request again, whatever NLU said
    rephrase_similarity: float = 0.5   # this alike and not confidently different: a rephrase
    same_intent_similarity: float = 0.4  # the same intent again, this alike: a rephrase
    after_complaint_similarity: float = 0.3  # after a failure ("that's wrong", a fallback...), looser
    low_confidence: float = 0.5        # NLU confidence below this looks like a failure
    sure_confidence: float = 0.9       # two requests this sure of different intents differ


@dataclass
class Goal:
    """One goal: consecutive turns of a session that pursue the same request."""

    id: str
    user_id: str
    session_id: str
    turns: list[TurnRecord] = field(default_factory=list)
    answer_ids: set[int] = field(default_factory=set)   # id() of the turns that are answers

    def is_answer(self, turn: TurnRecord) -> bool:
        return id(turn) in self.answer_ids

    @property
    def requests(self) -> list[TurnRecord]:
        return [t for t in self.turns if id(t) not in self.answer_ids]

    @property
    def last_request(self) -> TurnRecord:
        requests = self.requests
        return requests[-1] if requests else self.turns[-1]

    @property
    def intent(self) -> str | None:
        return self.last_request.intent


@dataclass
class _Pending:
    """A request whose goal depends on its similarity to the previous request."""

    previous: TurnRecord
    current: TurnRecord


def sessions(records: Iterable[TurnRecord]) -> dict[tuple[str, str], list[TurnRecord]]:
    """Turns grouped by (user, session), each in log order."""
    grouped: dict[tuple[str, str], list[TurnRecord]] = {}
    for record in records:
        key = (str(record.user_id or "?"), str(record.session_id or record.user_id or "?"))
        grouped.setdefault(key, []).append(record)
    return grouped


def segment(records: Iterable[TurnRecord], similarity: PairSimilarity = token_similarity,
            config: SegmentConfig = SegmentConfig()) -> list[Goal]:
    """Goals in log order of their first turn. ``similarity`` is called once, for all pairs."""
    grouped = sessions(records)
    answer_ids: set[int] = set()
    pairs: list[_Pending] = []
    for session in grouped.values():
        answer_ids |= answers(session)
        pairs.extend(_candidate_pairs(session, answer_ids, config))
    score_of: dict[int, float] = {}
    ambiguous: list[_Pending] = []
    for pair in pairs:
        overlap = jaccard(pair.previous.text or "", pair.current.text or "")
        if settled_without_similarity(pair.previous, pair.current, overlap, config):
            score_of[id(pair.current)] = overlap
        else:
            ambiguous.append(pair)
    scores = similarity([(p.previous.text or "", p.current.text or "") for p in ambiguous]) if ambiguous else []
    score_of.update({id(p.current): float(s) for p, s in zip(ambiguous, scores)})
    goals: list[Goal] = []
    for (user, session_id), session in grouped.items():
        goals.extend(_segment_session(user, session_id, session, score_of, answer_ids, config))
    goals.sort(key=lambda g: (g.turns[0].id or 0))
    return goals


def answers(session: Sequence[TurnRecord]) -> set[int]:
    """id() of the session's turns that answer rather than ask."""
    return {id(turn) for before, turn in zip([None, *session[:-1]], session) if tk.is_answer(turn, before)}


def _candidate_pairs(session: Sequence[TurnRecord], answer_ids: set[int],
                     config: SegmentConfig) -> list[_Pending]:
    """(previous request, request) pairs close enough in time to be one goal."""
    out: list[_Pending] = []
    previous: TurnRecord | None = None
    last_time: float | None = None
    for turn in session:
        now = tk.seconds(turn)
        if last_time is not None and now - last_time > config.max_gap_seconds:
            previous = None
        last_time = now
        if id(turn) in answer_ids:
            continue
        if (turn.intent or "") in tk.SOCIAL and not tk.chose_reading(turn):
            previous = None
            continue
        if previous is not None:
            out.append(_Pending(previous, turn))
        previous = turn
    return out


def _segment_session(user: str, session_id: str, session: Sequence[TurnRecord],
                     score_of: dict[int, float], answer_ids: set[int], config: SegmentConfig) -> list[Goal]:
    goals: list[Goal] = []
    current: Goal | None = None
    last_request: TurnRecord | None = None
    answered_no = False      # a "no"/"that's wrong" since the last request
    last_time = 0.0
    for turn in session:
        now = tk.seconds(turn)
        answer = id(turn) in answer_ids
        # An answer to the assistant's question, or a reading chosen from its exploration
        # question, belongs to the goal asked about, whatever its intent.
        replies = answer or tk.chose_reading(turn)
        starts = (current is None or now - last_time > config.max_gap_seconds
                  or ((turn.intent or "") in tk.SOCIAL and not replies))
        if not starts and not answer:
            assert current is not None
            starts = last_request is None or not continues(
                last_request, turn, score_of.get(id(turn), 0.0), config, answered_no=answered_no)
        if starts:
            current = Goal(f"{session_id}:{len(goals)}", user, session_id)
            goals.append(current)
            last_request = None
        assert current is not None
        current.turns.append(turn)
        if answer and len(current.turns) > 1:
            current.answer_ids.add(id(turn))
            answered_no = answered_no or (turn.intent or "") in ("deny", "complain")
        else:
            last_request, answered_no = turn, False
        last_time = now
    return goals


def continues(previous: TurnRecord, current: TurnRecord, similarity: float,
              config: SegmentConfig = SegmentConfig(), *, answered_no: bool = False) -> bool:
    """Whether ``current`` pursues the goal of the ``previous`` request (``answered_no``: the
    user said "no"/"that's wrong" in between)."""
    said = tk.feedback(previous)
    if tk.chose_reading(current):
        return True          # the reading chosen from the assistant's question about this goal
    if tk.explicit(previous) == "yes":
        return False
    failed = answered_no or current.barge_in or looks_failed(previous, config)
    if _conflicting_entities(previous, current) and not failed and similarity < config.repeat_similarity:
        return False
    if said.get(Feedback.REPEAT) or said.get(Feedback.REPHRASE):
        return True
    if similarity >= config.repeat_similarity:
        return True
    same_intent = previous.intent == current.intent
    sure = config.sure_confidence
    different = (not same_intent and (previous.confidence or 0.0) >= sure
                 and (current.confidence or 0.0) >= sure)
    if different and not failed:
        return False
    if similarity >= config.rephrase_similarity:
        return True
    if same_intent and (failed or similarity >= config.same_intent_similarity):
        return True
    return failed and similarity >= config.after_complaint_similarity


def looks_failed(turn: TurnRecord, config: SegmentConfig = SegmentConfig()) -> bool:
    """What the log shows of a failure right after the turn: a defect signal, a fallback, a
    refusal or problem, a question back, low NLU confidence."""
    said = tk.feedback(turn)
    low = turn.confidence is not None and turn.confidence < config.low_confidence
    return (any(said.get(name) for name in Feedback.DEFECT_SIGNALS) or tk.explicit(turn) == "no"
            or tk.is_fallback(turn) or bool(tk.refusal_reasons(turn)) or bool(tk.problems(turn))
            or "?" in (turn.reply or "") or tk.reply_apologises(turn) or low)


def settled_without_similarity(previous: TurnRecord, current: TurnRecord, overlap: float,
                               config: SegmentConfig = SegmentConfig()) -> bool:
    """Whether `continues` decides the same whatever the similarity above the token overlap
    (so the pair needs no embedding)."""
    said = tk.feedback(previous)
    return (tk.explicit(previous) == "yes" or overlap >= config.repeat_similarity or tk.chose_reading(current)
            or (not _conflicting_entities(previous, current)
                and bool(said.get(Feedback.REPEAT) or said.get(Feedback.REPHRASE))))


def _conflicting_entities(a: TurnRecord, b: TurnRecord) -> bool:
    """Both name a value for the same entity and the values differ (kitchen vs bedroom)."""
    va, vb = tk.entity_values(a), tk.entity_values(b)
    return any(name in vb and vb[name] != value for name, value in va.items())


def goal_of_turn(goals: Sequence[Goal]) -> dict[int, Goal]:
    """Turn id -> its goal."""
    return {t.id: g for g in goals for t in g.turns if t.id is not None}
