"""What the rewrite table holds: a rewrite with its record and state, what mining proposes,
what applying it changed, and the rule that retires a rewrite on its record.

Plain dataclasses and enums, no database: the store (`assistant.learning.rewrites`) reads and
writes them, and re-exports every name here.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from assistant.text import normalize

GLOBAL = "*"   # the user_id column of a global rewrite


class Origin(str, enum.Enum):
    MARKOV = "markov"          # precomputed from rephrase chains
    RETRIEVAL = "retrieval"    # found online by embedding retrieval
    PHRASE = "phrase"          # a phrase rule mined across people: a span inside any request


class State(str, enum.Enum):
    ACTIVE = "active"
    RETIRED = "retired"
    BLOCKED = "blocked"   # by an operator; mining leaves it blocked


class RewriteStoreError(RuntimeError):
    """The rewrite table could not be opened, read or written."""


@dataclass(frozen=True)
class RetirePolicy:
    """Retire a rewrite once it has `min_trials` outcomes and its win share is below `min_win_rate`."""

    min_trials: int = 3
    min_win_rate: float = 0.5

    def retires(self, wins: int, losses: int) -> bool:
        trials = wins + losses
        return trials >= self.min_trials and wins / trials < self.min_win_rate


@dataclass
class Rewrite:
    source: str
    target: str
    user_id: str = GLOBAL
    origin: Origin = Origin.MARKOV
    support: int = 0            # distinct users whose chains back it
    probability: float = 0.0    # absorption probability of success from the target
    wins: int = 0
    losses: int = 0
    state: State = State.ACTIVE
    reason: str = ""
    id: int | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    supporters: tuple[str, ...] = ()   # users whose chains backed it when it was last mined

    @property
    def is_global(self) -> bool:
        return self.user_id == GLOBAL

    @property
    def scope(self) -> str:
        return "global" if self.is_global else "personal"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "target": self.target, "scope": self.scope,
                "user_id": None if self.is_global else self.user_id, "origin": self.origin.value,
                "support": self.support, "probability": round(self.probability, 4),
                "wins": self.wins, "losses": self.losses, "state": self.state.value,
                "reason": self.reason, "supporters": list(self.supporters)}


@dataclass(frozen=True)
class MinedPair:
    """What mining proposes: a pair and the evidence for it."""

    source: str
    target: str
    support: int
    probability: float
    user_id: str = GLOBAL
    supporters: tuple[str, ...] = ()   # the users behind it (mining fills it for global pairs)


@dataclass
class MineDiff:
    """What `apply_mined` changed."""

    added: list[Rewrite] = field(default_factory=list)
    updated: list[Rewrite] = field(default_factory=list)
    retired: list[Rewrite] = field(default_factory=list)
    unchanged: int = 0


def checked_pair(pair: MinedPair) -> MinedPair:
    """A mined pair fit to store, or ValueError."""
    if not isinstance(pair.source, str) or not isinstance(pair.target, str) \
            or not normalize(pair.source) or not pair.target.strip():
        raise ValueError(f"a rewrite needs a source and a target text: {pair!r}")
    if not 0.0 <= float(pair.probability) <= 1.0 or int(pair.support) < 0:
        raise ValueError(f"support must be >= 0 and probability in 0..1: {pair!r}")
    return pair


def utc_now() -> dt.datetime:
    """Now, in UTC without a zone (as the table stores it)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

