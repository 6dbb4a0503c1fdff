"""The words of an exploration question and the reading of its answer, without Rasa.

Each askable intent has one short description (``assistant/data/explore_descriptions.yml``):
"Should I play something, or tell you the weather?". The answer is read by simple matching,
in this order: "neither"-like words; an ordinal ("the first one", "the latter"); the words
of one option's description (plus its answer words: "the music"); the answer's own NLU intent
when it is one of the options. Anything else is unclear.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.exploration import NEITHER, UNCLEAR
from assistant.text import words

DESCRIPTIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "explore_descriptions.yml"
NEITHER_WORDS = re.compile(
    r"\b(neither|none|nor|nothing|something else|anything else|not (?:that|those|either|really)|"
    r"other thing|wrong|no(?:pe)?)\b", re.IGNORECASE)
EXPLICIT_NEITHER = re.compile(r"\b(neither|none of (?:them|those|these)|something else)\b", re.IGNORECASE)
FIRST = frozenset({"first", "1st", "former"})
SECOND = frozenset({"second", "2nd", "latter", "last"})
NEW_REQUEST_CONFIDENCE = 0.6
STOP_WORDS = frozenset({"the", "a", "an", "to", "you", "your", "my", "i", "me", "it", "something", "please",
                        "want", "wanted", "meant", "mean", "that", "this", "one", "of", "is", "how", "set",
                        "tell", "yes", "yeah", "oh", "um", "uh", "ok", "okay", "s"})


@dataclass(frozen=True)
class Description:
    """One askable intent: what it does in plain words, and the words that pick it."""

    intent: str
    says: str
    words: frozenset[str]


class DescriptionsError(ValueError):
    """The descriptions file is missing or malformed."""


@functools.lru_cache(maxsize=4)
def descriptions(path: Path = DESCRIPTIONS_FILE) -> dict[str, Description]:
    """The askable intents and their descriptions (read once per process)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise DescriptionsError(f"could not read {path}: {error}") from error
    items = data.get("intents") if isinstance(data, dict) else None
    if not isinstance(items, dict):
        raise DescriptionsError(f"{path}: no `intents:` map")
    out: dict[str, Description] = {}
    for intent, item in items.items():
        if not isinstance(item, dict) or not isinstance(item.get("says"), str):
            raise DescriptionsError(f"{path}: {intent} needs `says:`")
        own = {w for w in words(item["says"]) if w not in STOP_WORDS}
        extra = {str(w).lower() for w in item.get("words") or []} - STOP_WORDS
        out[str(intent)] = Description(str(intent), item["says"], frozenset(own | extra))
    return out


def askable(intent: str | None) -> bool:
    """Whether the intent can be one reading of a question (a request with a description)."""
    return intent is not None and intent in descriptions()


def question(options: tuple[str, str]) -> str:
    """ "Should I play something, or tell you the weather?" """
    first, second = (descriptions()[o].says for o in options)
    return f"Sorry, I'm not sure what you meant. Should I {first}, or {second}?"


def resolve(answer: str, options: tuple[str, ...], answer_intent: str | None = None,
            answer_confidence: float = 0.0) -> str:
    """The option the answer picks, NEITHER, or UNCLEAR. An answer NLU reads confidently (at
    least NEW_REQUEST_CONFIDENCE) as another request is no answer but that request: UNCLEAR."""
    said = words(answer)
    if EXPLICIT_NEITHER.search(answer):
        return NEITHER
    picked = _ordinal(said, options)
    if picked is None and askable(answer_intent) and answer_intent not in options \
            and answer_confidence >= NEW_REQUEST_CONFIDENCE:
        return UNCLEAR
    if picked is None:
        picked = _by_words(set(said), options)
    if picked is None and answer_intent in options:
        picked = answer_intent
    if picked is not None:
        return picked
    if NEITHER_WORDS.search(answer):
        return NEITHER
    return UNCLEAR


def _ordinal(said: list[str], options: tuple[str, ...]) -> str | None:
    firsts, seconds = FIRST.intersection(said), SECOND.intersection(said)
    if firsts and not seconds:
        return options[0]
    if seconds and not firsts:
        return options[-1]
    return None


def _by_words(said: set[str], options: tuple[str, ...]) -> str | None:
    table = descriptions()
    scores = [len(said & table[o].words) if o in table else 0 for o in options]
    best = max(scores, default=0)
    if best == 0 or scores.count(best) > 1:
        return None
    return options[scores.index(best)]
