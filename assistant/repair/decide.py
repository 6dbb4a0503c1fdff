"""Whether to repair: the best candidate must be good enough and clearly ahead.

Home Assistant shipped a fuzzy matcher in Assist in 2025 and took it out in 2026 for "causing
confusion and incorrect matching": a wrong repair costs more than no repair (the user hears
something they did not ask for, and must undo it). So repair is conservative:
- the heard words must be a name-sized span (3 letters or more, not over-long);
- the best value (by sound and spelling, meaning when the two best are close, plus the
  priors) must score at least `min_score` (`min_short_score` for one short word, where one
  sound in common is most of the word);
- and lead the best *other value* by `min_margin` (two spoken forms of one value, "seahawks"
  and "seattle seahawks", do not compete).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from assistant.repair.candidates import Candidate
from assistant.repair.outcome import MAX_HEARD, Repair, Scope, valid_value
from assistant.repair.priors import Priors
from assistant.repair.scoring import Scored, score
from assistant.similarity import PairSimilarity
from assistant.text import plain

SHORTLIST = 12    # candidates the priors rerank


@dataclass(frozen=True)
class Thresholds:
    """The bars a repair must clear (calibrated on the simulator's confusions, see
    tests/assistant/repair/test_precision.py and docs/ARCHITECTURE.md)."""

    min_score: float = 0.78
    min_short_score: float = 0.88   # a single word of at most 5 letters ("jas", "quinn")
    short_letters: int = 5
    min_margin: float = 0.12
    min_letters: int = 3


def decide(heard: str, pool: Sequence[Candidate], priors: Priors, *, meaning: PairSimilarity | None = None,
           thresholds: Thresholds = Thresholds()) -> Repair | None:
    """The repair of ``heard`` among ``pool`` under ``priors``, or None when no candidate is
    clearly ahead (or the heard words are no name, or nothing may be repaired)."""
    said = plain(heard)
    joined = said.replace(" ", "")
    # A name spelt out in pieces ("t v") is no guess: its letters are the name's.
    spelt_out = any(c.spoken.replace(" ", "") == joined for c in pool)
    if not (priors.global_on or priors.personal_on) or len(heard) > MAX_HEARD \
            or (len(joined) < thresholds.min_letters and not spelt_out):
        return None
    if any(c.spoken == said for c in pool):
        return None   # it is a name: nothing to repair
    # Only the best few by sound and spelling can win: the priors add at most a few hundredths.
    ranked = _best_per_value(priors.rerank(score(said, pool)[:SHORTLIST]))
    if meaning is not None and len(ranked) > 1 and ranked[0].score - ranked[1].score < thresholds.min_margin:
        # Close on sound and spelling: let meaning weigh in on the few best.
        ranked = _best_per_value(priors.rerank(score(said, [s.candidate for s in ranked[:3]], meaning)))
    if not ranked:
        return None
    best = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else 0.0
    bar = thresholds.min_short_score if (" " not in said and len(said) <= thresholds.short_letters) \
        else thresholds.min_score
    if best.score < bar or best.score - second < thresholds.min_margin or not valid_value(best.candidate.value):
        return None
    lift = priors.personal_bonus(best)
    # Personal: without the user's own history it would not have been clearly ahead.
    needed = lift > 0 and (best.score - lift < bar or best.score - lift - second < thresholds.min_margin)
    scope = Scope.PERSONAL if needed or not priors.global_on else Scope.GLOBAL
    return Repair(best.candidate.kind, heard.strip(), best.candidate.value, best.score, best.score - second, scope)


def _best_per_value(scored: list[Scored]) -> list[Scored]:
    """Each value once, at its best spoken form, best first."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for s in sorted(scored, key=lambda x: x.score, reverse=True):
        key = (s.candidate.kind.value, s.candidate.value)
        if key not in seen:
            seen.add(key)
            kept.append(s)
    return kept
