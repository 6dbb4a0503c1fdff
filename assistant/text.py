"""The one text normalizer: the words of a text, and the key utterances are stored under.

Catalog lookups, taught concepts, rewrites and the retrieval index all read text through
`words`, so "Hey, play Luigi's jazz!" is the same words everywhere.
"""

from __future__ import annotations

import re
from typing import Iterable

from rapidfuzz import fuzz, process

# Punctuation goes, except an apostrophe inside a word ("luigi's") and a colon or point
# between digits ("7:30", "2.5") that a time or a number needs.
_NON_WORD = re.compile(r"(?!(?<=\d)[:.](?=\d))[^\w\s']+", re.UNICODE)
MAX_KEY = 200
# Words that never change what a request means: left out of the key, so that "hey, play jazz
# please" and "play jazz" are one utterance to mining and retrieval.
FILLERS = frozenset({"uh", "um", "er", "erm", "hmm", "hey", "please"})


def words(text: str) -> list[str]:
    """The words of any text: lowercased, punctuation and quotes dropped (no cap)."""
    spaced = _NON_WORD.sub(" ", str(text).lower().replace("\u2019", "'")).replace("_", " ")
    return [w for w in (word.strip("'") for word in spaced.split()) if w]


def plain(text: str) -> str:
    """The words of a text joined by single spaces ("Turn ON the 'lights'!" -> "turn on the lights")."""
    return " ".join(words(text))


def normalize(text: str) -> str:
    """The key of an utterance: its words without fillers, capped at 200 characters."""
    kept = [w for w in words(text) if w not in FILLERS]
    return " ".join(kept or words(text))[:MAX_KEY]


def tokens(text: str) -> list[str]:
    return normalize(text).split()


def jaccard(a: str, b: str) -> float:
    """Token-set overlap of two utterances, 0..1."""
    left, right = set(tokens(a)), set(tokens(b))
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


def closest_spelling(value: str, options: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The option spelt most like `value` (edit-distance likeness at least `cutoff`, 0..1), or None."""
    found = process.extractOne(value, list(options), scorer=fuzz.ratio, score_cutoff=cutoff * 100)
    return found[0] if found else None
