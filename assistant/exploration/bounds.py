"""When the assistant may ask which reading was meant.

NLU is torn when its two best in-scope readings are close (top-1 minus top-2 confidence below
``margin``, the second at least ``min_second``), both askable. Even then it asks only within
bounds, read from the interaction log:
- at most ``max_share`` of the user's turns are questions (counting this one; 0.2 rather than
  0.1 by a population run, seed 41: 0.1 held back 6 of 13 torn requests, all early in a user's
  history, and a tenth of a user's turns is still far above the ~2 in 100 asked);
- never twice in a row: not when one of the user's last two logged turns asked (a question
  and its answer);
- never for words that usually work: the same text (any user, case aside) succeeded at least
  ``known_good_successes`` times and more often than it failed (implicit signals only,
  `assistant.learning.outcome`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from assistant.exploration.options import askable

if TYPE_CHECKING:
    from assistant.learning.log import ExploreHistory

FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Bounds:
    """The thresholds (config.yml, the ExplorationPolicy's entry)."""

    margin: float = 0.15
    min_second: float = 0.15
    max_share: float = 0.2
    known_good_successes: int = 2


class Refusal(str, enum.Enum):
    """Why a torn request was not asked about."""

    SHARE = "share"                  # the user's share of questions is used up
    IN_A_ROW = "in_a_row"            # the user's previous request was asked about
    USUALLY_WORKS = "usually_works"  # these words usually succeed
    NO_LOG = "no_log"                # no interaction log to check the bounds against


def torn(ranking: Sequence[dict[str, Any]], bounds: Bounds) -> tuple[str, str] | None:
    """The two readings NLU is torn between (best first), or None."""
    scored = sorted(((str(r.get("name")), float(r.get("confidence") or 0.0)) for r in ranking
                     if isinstance(r, dict) and r.get("name") and r.get("name") != FALLBACK),
                    key=lambda p: -p[1])
    if len(scored) < 2:
        return None
    (first, p1), (second, p2) = scored[0], scored[1]
    if p1 - p2 >= bounds.margin or p2 < bounds.min_second or not (askable(first) and askable(second)):
        return None
    return first, second


def refusal(history: "ExploreHistory | None", bounds: Bounds) -> Refusal | None:
    """Why the bounds forbid asking now (None: asking is allowed)."""
    from assistant.learning.outcome import succeeded

    if history is None:
        return Refusal.NO_LOG
    if history.questions + 1 > bounds.max_share * (history.turns + 1):
        return Refusal.SHARE
    if history.asked_recently:
        return Refusal.IN_A_ROW
    wins = sum(succeeded(r) for r in history.same_text)
    if wins >= bounds.known_good_successes and wins > len(history.same_text) - wins:
        return Refusal.USUALLY_WORKS
    return None
