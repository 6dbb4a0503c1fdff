"""Whether a mined pair may enter the global rewrite table: real consensus, and no change of
what the request does.

A global rewrite changes what everybody's words mean, so colluding users must not be able to
write one: it needs `min_users` distinct users behind it **and** `min_share` of the users who
said the source. A pair that turns a well-formed request into another action (open/close,
lock/unlock, on/off, set/cancel, another device or room, another number, or another intent or
entity value where NLU understood the source with confidence) never enters the global table
from mining, however many back it; genuine mishearings ("turn of the lights" -> "turn off the
lights") still do, because their source names no action of its own. A user's own personal
pair is not judged here: it only changes that user's words.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

# Words that say what to do, by the action they name. Two words of one group are the same action.
ACTION_WORDS: dict[str, tuple[str, ...]] = {
    "open": ("open", "raise"),
    "close": ("close", "shut", "lower"),
    "lock": ("lock",),
    "unlock": ("unlock",),
    "on": ("on",),
    "off": ("off",),
    "set": ("set", "add", "create", "schedule", "make"),
    "cancel": ("cancel", "delete", "remove", "clear", "disable"),
    "start": ("start", "begin", "brew", "resume"),
    "stop": ("stop", "end", "pause", "halt"),
    "play": ("play",),
    "up": ("up", "increase", "raise", "brighter", "warmer", "louder"),
    "down": ("down", "decrease", "dim", "dimmer", "cooler", "quieter"),
}
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope", ""})
_WORD = re.compile(r"[a-z0-9']+")


class Verdict(str, enum.Enum):
    """What the consensus check said about a global pair."""

    KEPT = "kept"
    TOO_FEW_USERS = "too_few_users"
    TOO_SMALL_SHARE = "too_small_share"
    CHANGES_ACTION = "changes_action"


@dataclass(frozen=True)
class ConsensusPolicy:
    """The bar a mined pair must clear to become global.

    Attributes:
        min_users: distinct users whose chains went from the source to the target.
        min_share: ... as a share of the distinct users who said the source.
        well_formed_confidence: NLU's mean confidence at which the source is a well-formed
            request whose intent and entities a rewrite must keep.
    """

    min_users: int = 3
    min_share: float = 0.3
    well_formed_confidence: float = 0.85

    def __post_init__(self) -> None:
        if self.min_users < 1 or not 0.0 <= self.min_share <= 1.0 \
                or not 0.0 <= self.well_formed_confidence <= 1.0:
            raise ValueError("min_users must be >= 1; min_share and well_formed_confidence within 0..1")


@dataclass
class StateStats:
    """What the log says about one utterance (a Markov state): who said it and how NLU read it."""

    users: set[str] = field(default_factory=set)
    turns: int = 0
    confidence: float = 0.0            # sum over turns with a confidence
    intents: Counter[str] = field(default_factory=Counter)
    entities: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, user_id: str, intent: str | None, confidence: float | None,
            entities: Iterable[tuple[str, str]] = ()) -> None:
        self.users.add(user_id)
        self.turns += 1
        self.confidence += float(confidence or 0.0)
        self.intents[intent or ""] += 1
        for pair in set(entities):
            self.entities[pair] += 1

    @property
    def intent(self) -> str:
        """The intent NLU gave it most often ("" when none)."""
        return self.intents.most_common(1)[0][0] if self.intents else ""

    @property
    def mean_confidence(self) -> float:
        return self.confidence / self.turns if self.turns else 0.0

    def entity_values(self) -> dict[str, set[str]]:
        """Entity values seen in at least half of its turns, by entity name."""
        values: dict[str, set[str]] = {}
        for (name, value), count in self.entities.items():
            if 2 * count >= self.turns:
                values.setdefault(name, set()).add(value.lower())
        return values


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str = ""

    @property
    def kept(self) -> bool:
        return self.verdict is Verdict.KEPT


def judge(source: str, target: str, supporters: set[str], policy: ConsensusPolicy,
          source_stats: StateStats | None = None, target_stats: StateStats | None = None) -> Judgement:
    """May ``source -> target``, backed by ``supporters``, enter the global table?"""
    if len(supporters) < policy.min_users:
        return Judgement(Verdict.TOO_FEW_USERS, f"{len(supporters)} users < {policy.min_users}")
    said = len(source_stats.users | supporters) if source_stats is not None else len(supporters)
    share = len(supporters) / said if said else 0.0
    if share < policy.min_share:
        return Judgement(Verdict.TOO_SMALL_SHARE,
                         f"{len(supporters)} of the {said} users who said it ({share:.0%} < {policy.min_share:.0%})")
    change = action_change(source, target, policy, source_stats, target_stats)
    if change:
        return Judgement(Verdict.CHANGES_ACTION, change)
    return Judgement(Verdict.KEPT)


def action_change(source: str, target: str, policy: ConsensusPolicy = ConsensusPolicy(),
                  source_stats: StateStats | None = None, target_stats: StateStats | None = None) -> str:
    """Why ``target`` asks for something else than ``source`` does ("" when it does not).

    Words are compared first (action words, devices, rooms, numbers from the catalogs); then,
    when NLU read the source as a confident request, its intent and entity values.
    """
    said, meant = _words(source), _words(target)
    for what, found in (("action", _actions), ("device", _devices), ("room", _rooms)):
        before, after = found(said), found(meant)
        if before and after - before:
            return f"{what} {'/'.join(sorted(before))} becomes {'/'.join(sorted(after - before))}"
    numbers_before = {w for w in said if w.isdigit()}
    if numbers_before and numbers_before != {w for w in meant if w.isdigit()}:
        return "another number"
    if source_stats is None or target_stats is None:
        return ""
    if source_stats.intent in FALLBACK_INTENTS or source_stats.mean_confidence < policy.well_formed_confidence:
        return ""   # not a well-formed request: what NLU made of it is no meaning to keep
    if target_stats.intent != source_stats.intent:
        return f"intent {source_stats.intent} becomes {target_stats.intent or 'nothing'}"
    after_values = target_stats.entity_values()
    for name, values in source_stats.entity_values().items():
        if name in after_values and not values & after_values[name]:
            return f"{name} {'/'.join(sorted(values))} becomes {'/'.join(sorted(after_values[name]))}"
    return ""


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


@lru_cache(maxsize=1)
def _action_index() -> dict[str, str]:
    return {word: action for action, words in ACTION_WORDS.items() for word in words}


def _actions(words: tuple[str, ...]) -> set[str]:
    index = _action_index()
    return {index[w] for w in words if w in index}


@lru_cache(maxsize=1)
def _phrases() -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], str]]:
    from assistant.catalog import load_catalog

    catalog = load_catalog()
    devices = {tuple(_words(name)): kind for kind, names in catalog.device_words.items() for name in names}
    rooms = {tuple(_words(name)): room for room, names in catalog.room_words.items()
             for name in (*names, room.replace("_", " "))}
    return devices, rooms


def _longest_matches(words: tuple[str, ...], phrases: dict[tuple[str, ...], str]) -> set[str]:
    """What the phrases name in ``words``, longest phrase first at each position."""
    longest = max((len(p) for p in phrases), default=0)
    found: set[str] = set()
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            name = phrases.get(words[i:i + size])
            if name is not None:
                found.add(name)
                i += size
                break
        else:
            i += 1
    return found


def _devices(words: tuple[str, ...]) -> set[str]:
    return _longest_matches(words, _phrases()[0])


def _rooms(words: tuple[str, ...]) -> set[str]:
    return _longest_matches(words, _phrases()[1])


def named(words: tuple[str, ...]) -> dict[str, set[str]]:
    """The actions, devices and rooms some words name (a phrase rule may touch none of them)."""
    return {"action": _actions(words), "device": _devices(words), "room": _rooms(words)}
