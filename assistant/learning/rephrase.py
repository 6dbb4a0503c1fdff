"""Rephrase detection: is the next request of a session the same request said again?

A candidate pair is two consecutive *requests* of one session (answers such as "no" or
"stop" in between are skipped, not counted as requests) at most `window_seconds` apart. The
decision weighs how alike the two texts are (MiniLM cosine and token overlap) against what
happened after the first one: the more evidence that it failed (a defect signal, a fallback,
a refusal, low NLU confidence, a barge-in or complaint right after it) and that the second
one worked, the less alike they need to be. Without any sign of failure only a near-identical
request counts: saying the same thing twice within a minute after it worked is rare.

Everything here is pure: the similarity is passed in (`PairSimilarity`), so tests use a fake
and mining embeds each distinct text once (`assistant.similarity.minilm_similarity`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from assistant.learning.log import Feedback, TurnRecord
from assistant.learning.outcome import is_request, succeeded
from assistant.similarity import PairSimilarity, minilm_similarity
from assistant.text import jaccard, normalize

# Intents said after a request that mean it failed ("no, that's wrong").
_FAILURE_REACTIONS = frozenset({"deny", "complain"})


class Evidence(enum.IntEnum):
    """How much says the first turn of a pair failed."""

    NONE = 0             # it seemed to work
    FIRST_FAILED = 1     # it failed (signals, fallback, low confidence, barge-in, complaint)
    FAILED_THEN_WORKED = 2  # it failed and the second one worked


@dataclass(frozen=True)
class RephraseThresholds:
    """When two consecutive requests count as one request said again."""

    window_seconds: float = 120.0
    strong_window_seconds: float = 30.0  # without evidence of failure, the repeat must come this soon
    low_confidence: float = 0.5          # NLU confidence below this is evidence of failure
    similarity: float = 0.6              # cosine needed when the first turn failed
    similarity_worked: float = 0.5       # ... when it failed and the second worked
    overlap: float = 0.5                 # token overlap that suffices when the first failed
    strong_similarity: float = 0.9       # without evidence of failure
    strong_overlap: float = 0.9
    min_overlap_to_embed: float = 0.34   # without evidence, pairs below this are not embedded

    def __post_init__(self) -> None:
        for name in ("low_confidence", "similarity", "similarity_worked", "overlap",
                     "strong_similarity", "strong_overlap", "min_overlap_to_embed"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within 0..1, got {value}")
        if self.window_seconds <= 0 or self.strong_window_seconds < 0:
            raise ValueError("window_seconds must be positive and strong_window_seconds not negative")


@dataclass(frozen=True)
class TurnFacts:
    """What detection needs to know about one logged turn."""

    id: int
    user_id: str
    session_id: str
    seconds: float            # the turn's timestamp, as seconds
    text: str                 # what NLU read: the rewritten text when rewritten
    key: str                  # normalize(text): the Markov state
    request: bool
    failed: bool              # evidence it failed (for detection)
    succeeded: bool           # it worked (for the chain's outcome)
    low_confidence: bool
    barge_in: bool            # this turn cut the previous reply off
    failure_reaction: bool    # this turn is a "no"/complaint
    gave_up: bool             # the user abandoned the goal after this turn
    position: int = -1        # where mining keeps it (its row in mining's arrays)


def effective_text(turn: TurnRecord) -> str:
    """The text a turn's outcome belongs to: what NLU read, not what was heard when rewritten."""
    return turn.text_rewritten if turn.text_rewritten is not None else turn.text


def is_corrupt(turn: TurnRecord) -> bool:
    """A row mining cannot use (fields missing or of the wrong type)."""
    import datetime as dt

    return not (isinstance(turn.user_id, str) and turn.user_id
                and isinstance(turn.session_id, str) and turn.session_id
                and isinstance(turn.timestamp, dt.datetime)
                and isinstance(turn.text, str)
                and (turn.text_rewritten is None or isinstance(turn.text_rewritten, str))
                and isinstance(turn.feedback, dict) and isinstance(turn.id, int))


def facts(turn: TurnRecord, thresholds: RephraseThresholds, position: int = -1,
          keys: dict[str, str] | None = None) -> TurnFacts | None:
    """The facts of one turn, or None for a corrupt row.

    ``keys`` caches normalized texts across calls (a log repeats the same utterances a lot).
    """
    if is_corrupt(turn):
        return None
    text = effective_text(turn)
    if keys is None:
        key = normalize(text)
    else:
        cached = keys.get(text)
        if cached is None:
            cached = keys[text] = normalize(text)
        key = cached
    confidence = turn.confidence if isinstance(turn.confidence, (int, float)) else None
    low = confidence is not None and confidence < thresholds.low_confidence
    worked = succeeded(turn)
    return TurnFacts(
        id=int(turn.id or 0), user_id=turn.user_id, session_id=turn.session_id,
        seconds=turn.timestamp.timestamp(), text=text, key=key,
        request=bool(key) and _is_request(turn, low),
        failed=not worked or low,
        succeeded=worked, low_confidence=low, barge_in=bool(turn.barge_in),
        failure_reaction=turn.intent in _FAILURE_REACTIONS, position=position,
        gave_up=bool(turn.feedback.get(Feedback.GIVE_UP)),
    )


def _is_request(turn: TurnRecord, low_confidence: bool) -> bool:
    # A garbled request is often read as "deny" or "greet" with low confidence: keep those.
    return is_request(turn) or low_confidence


def candidate_pairs(turns: Iterable[TurnFacts],
                    thresholds: RephraseThresholds) -> Iterator[tuple[TurnFacts, TurnFacts, Evidence]]:
    """Consecutive requests of each session within the window, in log order, with the evidence.

    Non-requests between two requests are skipped; a "no"/complaint or a barge-in after the
    first request counts as evidence that it failed. A request the user gave up on starts no
    pair: what follows is a new goal. Without evidence of failure the second request must
    come within `strong_window_seconds`.
    """
    last: dict[str, TurnFacts] = {}
    reacted: dict[str, bool] = {}
    latest: dict[str, float] = {}   # each user's newest timestamp (a user's clock only moves on)
    for seen, turn in enumerate(turns, start=1):
        if seen % _SWEEP_EVERY == 0:
            _forget_closed(last, reacted, latest, thresholds.window_seconds)
        session = turn.session_id
        if turn.seconds > latest.get(turn.user_id, float("-inf")):
            latest[turn.user_id] = turn.seconds
        if not turn.request:
            if turn.failure_reaction or turn.barge_in:
                reacted[session] = True
            continue
        previous = last.get(session)
        gap = turn.seconds - previous.seconds if previous is not None else -1.0
        if previous is not None and not previous.gave_up and 0 <= gap <= thresholds.window_seconds:
            failed = previous.failed or turn.barge_in or reacted.get(session, False)
            evidence = Evidence.NONE
            if failed:
                evidence = Evidence.FAILED_THEN_WORKED if turn.succeeded else Evidence.FIRST_FAILED
            if failed or gap <= thresholds.strong_window_seconds:
                yield previous, turn, evidence
        last[session] = turn
        reacted[session] = False


_SWEEP_EVERY = 50_000


def _forget_closed(last: dict[str, TurnFacts], reacted: dict[str, bool], latest: dict[str, float],
                   window: float) -> None:
    """Drop sessions whose last request is out of the window (keeps a long log's memory flat)."""
    for session in [s for s, f in last.items() if latest.get(f.user_id, f.seconds) - f.seconds > window]:
        del last[session]
        reacted.pop(session, None)


def decide_without_similarity(evidence: Evidence, overlap: float,
                              thresholds: RephraseThresholds) -> bool | None:
    """Decide from token overlap alone when it settles the question; None means embed."""
    if evidence is Evidence.NONE:
        if overlap >= thresholds.strong_overlap:
            return True
        if overlap < thresholds.min_overlap_to_embed:
            return False
        return None
    if overlap >= thresholds.overlap:
        return True
    return None


def decide(evidence: Evidence, overlap: float, similarity: float,
           thresholds: RephraseThresholds) -> bool:
    """Whether a candidate pair is a rephrase, given its overlap and cosine similarity."""
    settled = decide_without_similarity(evidence, overlap, thresholds)
    if settled is not None:
        return settled
    if evidence is Evidence.NONE:
        return similarity >= thresholds.strong_similarity
    needed = thresholds.similarity_worked if evidence is Evidence.FAILED_THEN_WORKED else thresholds.similarity
    return similarity >= needed


def detect(turns: Iterable[TurnRecord], thresholds: RephraseThresholds,
           similarity: PairSimilarity) -> list[tuple[int, int]]:
    """The rephrase pairs of a log as (first turn id, second turn id), in log order.

    Token overlap settles most pairs; the rest are scored in one batch by ``similarity``.
    """
    all_facts = (f for f in (facts(t, thresholds) for t in turns) if f is not None)
    settled: list[tuple[int, int, bool | None]] = []
    pending: list[tuple[str, str]] = []
    waiting: list[tuple[int, int, Evidence, float]] = []
    for first, second, evidence in candidate_pairs(all_facts, thresholds):
        overlap = jaccard(first.key, second.key)
        verdict = decide_without_similarity(evidence, overlap, thresholds)
        if verdict is None:
            pending.append((first.key, second.key))
            waiting.append((first.id, second.id, evidence, overlap))
        elif verdict:
            settled.append((first.id, second.id, True))
    scores = similarity(pending) if pending else []
    found = [(a, b) for a, b, _ in settled]
    for (a, b, evidence, overlap), score in zip(waiting, scores):
        if decide(evidence, overlap, float(score), thresholds):
            found.append((a, b))
    return sorted(found, key=lambda pair: pair[1])


# -- measuring detection against the simulator's ground truth ----------------------------


@dataclass(frozen=True)
class DetectionQuality:
    """Precision and recall of rephrase detection against `truth['rephrase_of']`."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "true_positives": self.true_positives,
                "false_positives": self.false_positives, "false_negatives": self.false_negatives}


def true_pairs(turns: Iterable[TurnRecord]) -> set[tuple[int, int]]:
    """(earlier id, later id) for every turn whose truth says it repeats or rephrases another."""
    pairs = set()
    for turn in turns:
        truth = turn.truth if isinstance(turn.truth, dict) else None
        earlier = truth.get("rephrase_of") if truth else None
        if isinstance(earlier, int) and turn.id is not None:
            pairs.add((earlier, int(turn.id)))
    return pairs


def score_detection(detected: Iterable[tuple[int, int]], truth: set[tuple[int, int]],
                    annotated: set[int] | None = None) -> DetectionQuality:
    """Compare detected pairs with the true ones.

    Args:
        detected: pairs found by `detect`.
        truth: pairs from `true_pairs`.
        annotated: ids of turns that carry ground truth; detected pairs whose second turn has
            none are not scored (a real user's turns mixed into a simulated log).
    """
    found = {pair for pair in detected if annotated is None or pair[1] in annotated}
    tp = len(found & truth)
    return DetectionQuality(true_positives=tp, false_positives=len(found - truth),
                            false_negatives=len(truth - found))


def measure(turns: Sequence[TurnRecord], thresholds: RephraseThresholds = RephraseThresholds(),
            similarity: PairSimilarity | None = None) -> DetectionQuality:
    """Detect rephrases in a simulated log and score them against its ground truth."""
    detected = detect(turns, thresholds, similarity or minilm_similarity)
    annotated = {int(t.id) for t in turns if t.id is not None and isinstance(t.truth, dict)}
    return score_detection(detected, true_pairs(turns), annotated)
