"""Concepts users teach: the phrases of teaching, naming and forgetting, and expansion.

Pure text logic: whether a step is something the home can do is the hook's business (it asks
the model). A concept may use another of the user's concepts as a step, but never itself,
directly or through a loop.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from assistant.text import plain as normalize

MAX_STEPS = 10
MAX_DEPTH = 3
MAX_NAME_WORDS = 5
# Words a step starts with; they also split "when i say movie time dim the lights".
STEP_VERBS = ("turn", "switch", "dim", "brighten", "set", "play", "put", "open", "close", "shut", "lock",
              "unlock", "start", "stop", "make", "brew", "cancel", "wake", "what", "whats", "tell", "how",
              "preheat", "heat", "lift", "raise", "lower", "change", "pause", "find", "is", "are")
COMMAND_VERBS = frozenset(STEP_VERBS) - {"is", "are"}
RESERVED = frozenset({"yes", "no", "stop", "help", "cancel", "okay", "ok", "thanks", "thank you",
                      "hello", "hi", "bye", "goodbye", "sure", "nope"})
_TEACH = re.compile(r"^(?:when|whenever|if)\s+i\s+say\s+(?P<rest>.+)$", re.IGNORECASE)
_FORGET = re.compile(r"^(?:please\s+)?forget\s+(?:about\s+|what\s+)?(?P<name>.+?)(?:\s+means)?$", re.IGNORECASE)
_ASK = re.compile(r"^(?:what|whats|what's)\s+(?:does|do|did|is)?\s*(?P<name>.+?)\s+mean$", re.IGNORECASE)
_RUN = re.compile(r"^(?:(?:it'?s|it\s+is|start|do|run|activate|let'?s\s+do|time\s+for)\s+)?(?P<name>.+?)"
                  r"(?:\s+please)?$", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:[,;]\s*(?:and\s+)?(?:then\s+)?|\s+and\s+then\s+|\s+then\s+|\s+and\s+(?=(?:"
                    + "|".join(STEP_VERBS) + r")\b))\s*", re.IGNORECASE)
_YES = re.compile(r"^(?:yes|yeah|yep|yup|sure|ok|okay|please do|do it|go ahead|of course|"
                  r"yes please|sounds good|that's right|correct)\b", re.IGNORECASE)
_NO = re.compile(r"^(?:no|nope|nah|not now|never mind|nevermind|don't|do not|cancel|stop)\b", re.IGNORECASE)


class Problem(enum.Enum):
    """Why a concept cannot be stored."""

    NO_NAME = "no_name"
    NAME_IS_COMMAND = "name_is_command"
    NO_STEPS = "no_steps"
    TOO_MANY_STEPS = "too_many_steps"
    SELF_REFERENCE = "self_reference"
    LOOP = "loop"
    TOO_DEEP = "too_deep"


@dataclass(frozen=True)
class Teaching:
    """ "when I say movie time, dim the lights and turn on the TV" read as name and steps."""

    name: str
    steps: tuple[str, ...]


def split_steps(text: str) -> list[str]:
    """ "dim the lights and turn on the TV, then play jazz" -> three requests. "and" splits
    only before a verb, so "rock and roll" stays whole."""
    return [s.strip(" ,;") for s in _SPLIT.split(text.strip()) if s.strip(" ,;")]


def parse_teaching(text: str) -> Teaching | None:
    """Name and steps from "when I say X, do A and B" (a correction, "... I mean ...", is not
    one). None when the text is not a teaching."""
    raw = " ".join(str(text).split())
    found = _TEACH.match(raw)
    if not found or re.search(r"\bi\s+mean(?:t)?\b", raw, re.IGNORECASE):
        return None
    rest = found.group("rest")
    if "," in rest:
        name, _, body = rest.partition(",")
    else:
        words = rest.split()
        cut = next((i for i, w in enumerate(words) if i > 0 and normalize(w) in STEP_VERBS), None)
        if cut is None:
            return Teaching(normalize(rest), ())
        name, body = " ".join(words[:cut]), " ".join(words[cut:])
    body = re.sub(r"^(?:please\s+|you\s+should\s+|i\s+want\s+you\s+to\s+|that\s+means\s+|it\s+means\s+)",
                  "", body.strip(), flags=re.IGNORECASE)
    return Teaching(normalize(name), tuple(split_steps(body)))


def parse_forget(text: str) -> str | None:
    found = _FORGET.match(normalize(text))
    return found.group("name") if found else None


def parse_question(text: str) -> str | None:
    found = _ASK.match(normalize(text))
    return found.group("name").removeprefix("the ").strip() if found else None


def named(text: str, names: Sequence[str]) -> str | None:
    """The concept ``text`` asks to run ("movie time", "it's movie time please"), or None."""
    clean = normalize(text)
    clean = re.sub(r"^(?:hey|ok|okay)\s+", "", clean)
    if clean in names:
        return clean
    found = _RUN.match(clean)
    return found.group("name") if found and found.group("name") in names else None


def is_yes(text: str) -> bool:
    return bool(_YES.match(normalize(text)))


def is_no(text: str) -> bool:
    return bool(_NO.match(normalize(text))) and not is_yes(text)


def check_shape(teaching: Teaching, known: Mapping[str, Sequence[str]]) -> Problem | None:
    """The problems visible in the text alone (``known``: the user's other concepts)."""
    name = teaching.name
    if not name or len(name.split()) > MAX_NAME_WORDS or name in RESERVED:
        return Problem.NO_NAME if not name else Problem.NAME_IS_COMMAND
    if name.split()[0] in COMMAND_VERBS:
        return Problem.NAME_IS_COMMAND
    if not teaching.steps:
        return Problem.NO_STEPS
    if len(teaching.steps) > MAX_STEPS:
        return Problem.TOO_MANY_STEPS
    if any(named(step, [name]) for step in teaching.steps):
        return Problem.SELF_REFERENCE
    graph = {**{k: list(v) for k, v in known.items()}, name: list(teaching.steps)}
    try:
        expand(name, graph)
    except LoopError:
        return Problem.LOOP
    except DepthError:
        return Problem.TOO_DEEP
    return None


class LoopError(ValueError):
    """A concept reaches itself."""


class DepthError(ValueError):
    """Concepts nest deeper than MAX_DEPTH, or expand to more than MAX_STEPS requests."""


def expand(name: str, concepts: Mapping[str, Sequence[str]], _path: tuple[str, ...] = ()) -> list[str]:
    """The plain requests a concept stands for, nested concepts expanded in place."""
    if name in _path:
        raise LoopError(" -> ".join((*_path, name)))
    if len(_path) >= MAX_DEPTH:
        raise DepthError(name)
    out: list[str] = []
    names = list(concepts)
    for step in concepts[name]:
        inner = named(step, names)
        out.extend(expand(inner, concepts, (*_path, name)) if inner else [step])
    if len(out) > MAX_STEPS:
        raise DepthError(name)
    return out


PROBLEM_REPLIES = {
    Problem.NO_NAME: "I didn't catch the phrase to remember. Say, for example: \"when I say movie time, "
                     "dim the living room lights and turn on the TV\".",
    Problem.NAME_IS_COMMAND: "\"{name}\" already means something to me, so I can't use it as a name. "
                             "Pick a phrase that isn't a request, like \"movie time\".",
    Problem.NO_STEPS: "What should \"{name}\" do? Say, for example: \"when I say {name}, dim the lights "
                      "and turn on the TV\".",
    Problem.TOO_MANY_STEPS: "That's {count} steps; I can remember up to " + str(MAX_STEPS)
                            + " for one phrase. Nothing was saved.",
    Problem.SELF_REFERENCE: "\"{name}\" can't use itself as one of its steps. Nothing was saved.",
    Problem.LOOP: "That would make \"{name}\" go round in a loop with your other phrases. Nothing was saved.",
    Problem.TOO_DEEP: "That nests your phrases too deeply (or adds up to more than " + str(MAX_STEPS)
                      + " steps). Nothing was saved.",
}


def describe_steps(steps: Sequence[str]) -> str:
    """ "dim the lights, then turn on the TV"."""
    steps = [s.rstrip(".") for s in steps]
    if len(steps) <= 1:
        return "".join(steps)
    return ", then ".join([", ".join(steps[:-1]), steps[-1]])
