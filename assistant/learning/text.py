"""Normalizing utterances: the key under which rewrites and the retrieval index store them."""

from __future__ import annotations

import re

# Punctuation goes, except a colon or point between digits ("7:30", "2.5") that a time or a
# number needs.
_NON_WORD = re.compile(r"(?!(?<=\d)[:.](?=\d))[^\w\s']+", re.UNICODE)
MAX_KEY = 200
# Words that never change what a request means: left out of the key, so that "hey, play jazz
# please" and "play jazz" are one utterance to mining and retrieval.
FILLERS = frozenset({"uh", "um", "er", "erm", "hmm", "hey", "please"})


def normalize(text: str) -> str:
    """Lowercase, punctuation and fillers dropped, whitespace collapsed, capped at 200 characters."""
    kept = [w for w in words(text) if w not in FILLERS]
    return " ".join(kept or words(text))[:MAX_KEY]


def words(text: str) -> list[str]:
    """The words of any text, lowercased, punctuation dropped (no cap)."""
    return _NON_WORD.sub(" ", str(text).lower()).replace("_", " ").split()


def tokens(text: str) -> list[str]:
    return normalize(text).split()


def jaccard(a: str, b: str) -> float:
    """Token-set overlap of two utterances, 0..1."""
    left, right = set(tokens(a)), set(tokens(b))
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)
