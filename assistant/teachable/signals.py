"""Detect a teachable moment from the user turns so far. Pure: the policy feeds it the
tracker's user turns and a `PairSimilarity` (`assistant.similarity`); tests feed it fixed cases."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Sequence

from assistant.similarity import PairSimilarity

# Turns that say the answer before them was wrong (with a barge-in).
FAILURE_INTENTS = frozenset({"complain", "deny"})

# Requests the assistant did not understand: a complaint right after one is about that answer.
NOT_UNDERSTOOD = frozenset({"nlu_fallback", "out_of_scope"})

# Turns that are not requests: never "the same request repeated".
NOT_REQUESTS = frozenset({"affirm", "deny", "stop", "greet", "goodbye", "thank", "help", "complain",
                          "nlu_fallback", "out_of_scope", "ask_my_preferences", "forget_preferences",
                          "learn_preferences", "state_preference"})


class Signal(str, enum.Enum):
    REPEAT = "repeat"                  # the same request again, within a few turns
    DISSATISFACTION = "dissatisfaction"  # "no, that's wrong"
    BARGE_IN = "barge_in"              # the user cut the previous reply off
    NO_TO_CHECK = "no_to_check"        # "no" to "Did I answer your question?"
    NEEDS_PREFERENCE = "needs_preference"  # the answer could not be given for want of the user's preference
    CORRECTED_GUESS = "corrected_guess"    # right after a guess, the same request named a value of its own


# What an answer names, by intent (its `answered` tag), and the preference a guess there stood in for.
NAMED_VALUES = {
    "ask_weather": ("city", "home_city"),
    "play_media": ("genre", "music_genre"),
    "find_restaurant": ("cuisine", "cuisine"),
    "ask_team_score": ("team", "sports_team"),
}


@dataclass(frozen=True)
class UserTurn:
    """One user message as the detector sees it."""

    text: str
    intent: str | None
    confidence: float
    timestamp: float
    barge_in: bool = False
    entities: tuple[tuple[str, str], ...] = ()   # (entity, value)
    succeeded: bool = False   # the answer was a success reply (no problem reported, no fallback)
    rested_on: tuple[str, bool] | None = None   # (preference key, stored): the answer rested on it
    guessed: str | None = None   # ... and the value it guessed for want of it ("pop", the home's city)
    answered: tuple[tuple[str, str], ...] = ()   # what the answer was about: ("city", "Miami, Florida"), ...


@dataclass(frozen=True)
class Thresholds:
    """Configurable in config.yml (the policy's entry)."""

    repeat_similarity: float = 0.7   # cosine of MiniLM embeddings (see `assistant eval-teachable`)
    repeat_overlap: float = 0.8      # or token Jaccard overlap
    repeat_turns: int = 3            # look back this many earlier user turns
    repeat_seconds: float = 180.0    # ... within this many seconds
    check_confidence: float = 0.6    # below: ask "Did I answer your question?"
    distinct_confidence: float = 0.9  # two turns this sure of different intents are not a repeat


@dataclass(frozen=True)
class Moment:
    """A detected teachable moment: its signals and the request that failed."""

    signals: tuple[Signal, ...]
    failing_intent: str | None
    failing_text: str
    similarity: float | None = None
    details: dict = field(default_factory=dict)
    key: str | None = None    # the preference the failed answer rested on: what to offer to learn
    value: str | None = None  # the value the user named after a guess: what to ask them to confirm

    def to_slot(self) -> dict:
        """What the policy stores in the `teachable_moment` slot (and the logs show)."""
        slot = {"signals": [s.value for s in self.signals], "failing_intent": self.failing_intent,
                "failing_text": self.failing_text, "key": self.key,
                "similarity": None if self.similarity is None else round(self.similarity, 3)}
        if self.value is not None:
            slot["value"] = self.value
        return slot


def detect(history: Sequence[UserTurn], similarity: PairSimilarity,
           thresholds: Thresholds = Thresholds()) -> Moment | None:
    """A moment on the latest turn (``history[-1]``), or None."""
    if not history:
        return None
    current = history[-1]
    earlier = list(history[:-1])
    signals: list[Signal] = []
    failing: UserTurn | None = None
    best: float | None = None
    if current.intent == "complain":
        signals.append(Signal.DISSATISFACTION)
        failing = _last_request(earlier)
    if current.barge_in and earlier:
        signals.append(Signal.BARGE_IN)
        failing = failing or _last_request(earlier)
    repeated, best = repeat_of(current, earlier, similarity, thresholds)
    if repeated is not None:
        signals.append(Signal.REPEAT)
        failing = repeated
    if not signals:
        return None
    if signals == [Signal.REPEAT] and served_as_named(current):
        return None   # "play kendrick lamar" again, heard right this time: it played what they named
    intent = failing.intent if failing else None
    if intent in NOT_REQUESTS:
        intent = None
    if Signal.REPEAT in signals and current.intent not in NOT_REQUESTS:
        intent = current.intent
    # The preference to ask for: the one the failed answer rested on; or, on a repeat, the one the
    # answer to the repeat had to guess for want of (a stored one that served the repeat is no sign).
    guessed = current.rested_on if Signal.REPEAT in signals and current.rested_on and not current.rested_on[1] else None
    rested = (failing.rested_on if failing else None) or guessed
    return Moment(tuple(signals), intent, failing.text if failing else "", best,
                  key=rested[0] if rested else None)


def served_as_named(turn: UserTurn) -> bool:
    """The request was answered with a success reply for a value it named itself (an artist, a
    genre, a city): whatever failed before, asking again got the user what they said, and no
    preference of theirs was needed for it."""
    return turn.succeeded and turn.rested_on is None and bool(turn.entities or turn.answered)


def needs_preference(current: UserTurn) -> Moment | None:
    """A moment on an answer that could not be given for want of the user's preference ("how did
    my team do" with no team). An answer that guessed ("play some music": pop played) is no moment
    yet: the guess may be right, and when it is wrong the user says so, or names their own value
    (`corrected_guess`)."""
    if current.rested_on is None or current.rested_on[1] or current.intent in NOT_REQUESTS:
        return None
    if current.guessed is not None:
        return None
    return Moment((Signal.NEEDS_PREFERENCE,), current.intent, current.text, key=current.rested_on[0])


def corrected_guess(history: Sequence[UserTurn], thresholds: Thresholds = Thresholds()) -> Moment | None:
    """A moment on a request that names a value of its own right after the same request was
    answered with a guess for want of the user's preference, when the value named is not the
    one guessed: "what's the weather in miami" after "what's the weather" gave the home's city,
    "play some jazz" after "Playing some pop". The request was answered; the moment is to ask
    whether the value is the user's own ("Is Miami, Florida your home city?")."""
    if not history:
        return None
    current = history[-1]
    named_field = NAMED_VALUES.get(str(current.intent))
    if named_field is None or not current.succeeded or current.rested_on is not None:
        return None
    field_name, key = named_field
    named = dict(current.answered).get(field_name)
    if not named:
        return None
    guess = next((t for t in reversed(history[:-1]) if t.intent not in NOT_REQUESTS), None)
    if (guess is None or guess.intent != current.intent or guess.rested_on != (key, False)
            or guess.guessed is None or guess.guessed.lower() == named.lower()
            or not 0.0 <= current.timestamp - guess.timestamp <= thresholds.repeat_seconds):
        return None
    return Moment((Signal.CORRECTED_GUESS,), current.intent, guess.text, key=key, value=named,
                  details={"guessed": guess.guessed})


def repeat_of(current: UserTurn, earlier: Sequence[UserTurn], similarity: PairSimilarity,
              thresholds: Thresholds) -> tuple[UserTurn | None, float | None]:
    """The earlier turn ``current`` repeats (and the similarity), if any."""
    if current.intent in NOT_REQUESTS or not _words(current.text):
        return None, None
    recent = list(earlier[-thresholds.repeat_turns:])
    window = [t for i, t in enumerate(recent)
              if 0.0 <= current.timestamp - t.timestamp <= thresholds.repeat_seconds
              and t.intent not in NOT_REQUESTS and _words(t.text)
              and not settled(t, [*recent[i + 1:], current])]
    if not window:
        return None, None
    scores = similarity([(current.text, t.text) for t in window])
    best_turn, best_score = None, None
    for turn, score in zip(window, scores):
        if _conflicting_entities(current, turn) or _confidently_different(current, turn, thresholds):
            continue
        same = score >= thresholds.repeat_similarity or overlap(current.text, turn.text) >= thresholds.repeat_overlap
        if same and (best_score is None or score > best_score):
            best_turn, best_score = turn, score
    return best_turn, best_score


def settled(turn: UserTurn, later: Sequence[UserTurn]) -> bool:
    """The request was answered with a success reply for exactly what it named (entities),
    and nothing since said otherwise (a complaint, a "no", a barge-in): asking again is
    asking again, not a sign of failure. A vague request ("play some music") answered with a
    guess is not settled: the repeat may well mean the guess was wrong."""
    if not (turn.succeeded and turn.entities):
        return False
    return not any(t.barge_in or t.intent in FAILURE_INTENTS for t in later)


def overlap(a: str, b: str) -> float:
    """Jaccard overlap of the two texts' word sets."""
    wa, wb = set(_words(a)), set(_words(b))
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def _confidently_different(a: UserTurn, b: UserTurn, thresholds: Thresholds) -> bool:
    """Both understood with confidence, as different intents: a new request, however alike
    the words ("unlock the front door", "is the front door locked")."""
    sure = thresholds.distinct_confidence
    return a.intent != b.intent and a.confidence >= sure and b.confidence >= sure


def _conflicting_entities(a: UserTurn, b: UserTurn) -> bool:
    """Both name a value for the same entity, and the values differ (Seattle vs Boston)."""
    values_a: dict[str, set[str]] = {}
    for name, value in a.entities:
        values_a.setdefault(name, set()).add(value.lower())
    for name, value in b.entities:
        if name in values_a and value.lower() not in values_a[name]:
            return True
    return False


def _last_request(turns: Sequence[UserTurn]) -> UserTurn | None:
    """The request the latest answer was to: the last request, or a turn not understood (the
    complaint is about "Sorry, I didn't understand", not about a request before it)."""
    for turn in reversed(turns):
        if turn.intent not in NOT_REQUESTS or turn.intent in NOT_UNDERSTOOD:
            return turn
    return turns[-1] if turns else None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())
