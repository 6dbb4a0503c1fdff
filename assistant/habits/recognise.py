"""The phrase grammar of concepts as an NLU recogniser: which habits intent a message is
(teaching, running, asking about or forgetting a taught phrase), for the TaughtPhrase
component (assistant/components/taught_phrase.py). Pure text logic over the user's concept
names; the component reads them from the habit store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from assistant.habits import concepts as cx

TEACH, RUN, ASK, FORGET = "teach_concept", "run_concept", "ask_concept", "forget_concept"
HABITS_INTENTS = frozenset({TEACH, RUN, ASK, FORGET})
PRONOUNS = frozenset({"it", "that", "this", "these", "those", "they", "them", "you", "me", "i", "we", "he",
                      "she", "what", "which", "so", "the", "a", "an"})


@dataclass(frozen=True)
class Recognised:
    """A habits intent, the concept it names and (for a teaching) the step texts."""

    intent: str
    name: str
    steps: tuple[str, ...] = field(default_factory=tuple)

    def to_output(self) -> dict[str, object]:
        return {"intent": self.intent, "name": self.name, "steps": list(self.steps)}


def recognise(text: str, known: Sequence[str], *, offer_teaching: bool = True) -> Recognised | None:
    """The habits intent of ``text`` for a user whose concepts are ``known`` (None: not one).
    "What does X mean?" about an unknown X is one only when X looks like a name and the
    assistant may offer to learn it (``offer_teaching``)."""
    teaching = cx.parse_teaching(text)
    if teaching is not None:
        return Recognised(TEACH, teaching.name, teaching.steps)
    forget = cx.parse_forget(text)
    if forget and forget in known:
        return Recognised(FORGET, forget)
    asked = cx.parse_question(text)
    if asked and (asked in known or (offer_teaching and looks_like_name(asked))):
        return Recognised(ASK, asked)
    name = cx.named(text, list(known))
    if name:
        return Recognised(RUN, name)
    return None


def looks_like_name(text: str) -> bool:
    """A short phrase of plain words that names no device, room or command."""
    from assistant.catalog import load_catalog

    words = cx.normalize(text).split()
    if not 1 <= len(words) <= 3 or not all(w.isalpha() and _pronounceable(w) for w in words):
        return False
    if set(words) & (cx.COMMAND_VERBS | cx.RESERVED | PRONOUNS):
        return False
    catalog = load_catalog()
    return catalog.device_kind_for(" ".join(words)) is None and catalog.room_for(" ".join(words)) is None


def names_device(text: str) -> bool:
    """The text names a device kind or a room the home's vocabulary knows."""
    from assistant.catalog import load_catalog

    catalog = load_catalog()
    return catalog.device_kind_for(text) is not None or catalog.room_for(text) is not None


def teaching_question(name: str) -> str:
    return (f"I don't know what \"{name}\" means. Can you teach me? Tell me what to do, "
            "like \"dim the lights and turn on the TV\".")


_VOWELS = re.compile(r"[aeiouy]")
_CONSONANT_RUN = re.compile(r"[^aeiouy]{4,}")


def _pronounceable(word: str) -> bool:
    """A word, not keyboard noise ("asdfgh"): has a vowel, no four consonants in a row."""
    return 2 <= len(word) <= 14 and bool(_VOWELS.search(word)) and not _CONSONANT_RUN.search(word)


METADATA_KEY = "habits"   # the message metadata the teach action reads


def step_metadata(text: str, parse: Callable[[str], dict[str, Any]]) -> dict[str, Any] | None:
    """For a teaching, or a message of several requests (steps answering "Can you teach me?"),
    the NLU parse of each step and of the name (``parse``: the model's NLU alone on one text,
    never a full turn), for the teach action's dry run; None for any other message."""
    from assistant.habits.store import step_parse

    teaching = cx.parse_teaching(text)
    if teaching is not None:
        steps, name = teaching.steps, teaching.name
    else:
        steps, name = tuple(cx.split_steps(text)), ""
        if len(steps) < 2:
            return None
    found: dict[str, Any] = {"steps": [{"text": s, "parse": step_parse(parse(s))}
                                       for s in steps[:cx.MAX_STEPS + 1]]}
    if name:
        found["name"] = step_parse(parse(name))
    return found
