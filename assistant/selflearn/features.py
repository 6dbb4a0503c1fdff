"""What the contextual label model sees of a candidate: the turn and its neighbours (the
analytics feature row: replies, NLU and ASR confidence and margin, feedback signals, time gaps),
the turn whose label it takes, how alike the two are, and the failure point analytics gave each.

One plain dict per candidate, for a DictVectorizer. Nothing here reads the simulator's truth.
Bump FEATURE_VERSION when a feature changes meaning: saved models record it.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

from rapidfuzz import fuzz

from assistant.analytics import turns as tk
from assistant.analytics.features import margin_of
from assistant.learning.log import Feedback, TurnRecord
from assistant.selflearn.candidates import Candidate, LabelKind
from assistant.text import jaccard, tokens

FEATURE_VERSION = 1


def features(candidate: Candidate, similarity: float | None = None) -> dict[str, Any]:
    """The feature dict of one candidate (``similarity``: MiniLM cosine of turn and source)."""
    c, t, s = candidate, candidate.turn, candidate.source
    f: dict[str, Any] = {"kind=" + c.kind.value: 1.0, "label=" + c.intent: 1.0,
                         "fp=" + c.point: 1.0, "source_fp=" + c.source_point: 1.0}
    for name, value in c.row.items():
        if isinstance(value, (int, float)):
            f["t_" + name] = float(value)
    f.update(_turn("src", s))
    f["same_intent"] = float((t.intent or "") == c.intent)
    f["turn_intent=" + str(t.intent or "none")] = 1.0
    f["between"] = float(c.between)
    f["goal_requests"] = float(len(c.context.goal.goal.requests))
    f["goal_turns"] = float(len(c.context.goal.goal.turns))
    f["goal_score_max"] = max((v.score for v in c.context.goal.turns), default=0.0)
    wanted = len([e for e in s.entities or [] if isinstance(e, dict) and e.get("entity")])
    f["source_entities"] = float(wanted)
    f["entities_placed"] = float(len(c.entities))
    f["entities_missing"] = float(max(wanted - len(c.entities), 0))
    if c.kind is LabelKind.CORRECTION:
        gap = abs(tk.seconds(s) - tk.seconds(t))
        f["gap_log"] = math.log1p(gap)
        f["pair_jaccard"] = jaccard(t.text or "", s.text or "")
        f["pair_char_ratio"] = fuzz.ratio((t.text or "").lower(), (s.text or "").lower()) / 100
        mine, theirs = set(tokens(t.text or "")), set(tokens(s.text or ""))
        f["pair_words_only_turn"] = float(len(mine - theirs))
        f["pair_words_only_source"] = float(len(theirs - mine))
        f["pair_similarity"] = float(similarity) if similarity is not None else f["pair_jaccard"]
        f["pair_similarity_missing"] = float(similarity is None)
    return f


def _turn(prefix: str, turn: TurnRecord) -> dict[str, float]:
    said = tk.feedback(turn)
    margin = margin_of(turn)
    f = {prefix + "_confidence": float(turn.confidence) if turn.confidence is not None else 1.0,
         prefix + "_asr_confidence": float(turn.asr_confidence) if turn.asr_confidence is not None else 1.0,
         prefix + "_margin": margin if margin is not None else 1.0,
         prefix + "_n_directives": float(len(turn.directives or [])),
         prefix + "_refused": float(bool(tk.refusal_reasons(turn) or tk.problems(turn))),
         prefix + "_apology": float(tk.reply_apologises(turn)),
         prefix + "_question": float("?" in (turn.reply or "")),
         prefix + "_rewritten": float(bool(turn.text_rewritten)),
         prefix + "_fallback": float(tk.is_fallback(turn)),
         prefix + "_n_tokens": float(len(tokens(turn.text or "")))}
    for name in Feedback.DEFECT_SIGNALS:
        if said.get(name):
            f[prefix + "_fb_" + name] = 1.0
    answer = tk.explicit(turn)
    if answer:
        f[prefix + "_explicit_" + answer] = 1.0
    return f


def rows(candidates: Sequence[Candidate], similarities: Sequence[float | None] | None = None) -> list[dict[str, Any]]:
    sims = list(similarities) if similarities is not None else [None] * len(candidates)
    return [features(c, s) for c, s in zip(candidates, sims)]
