"""Find catalog words inside free text (a fallback when NLU missed an entity)."""

from __future__ import annotations

import difflib
import re
from typing import Iterable


def normalize(text: str) -> str:
    """Lowercase, punctuation to spaces, single spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def find_phrase(text: str, phrases: Iterable[str]) -> str | None:
    """The longest phrase that occurs in `text` as whole words, or None."""
    haystack = f" {normalize(text)} "
    best: str | None = None
    for phrase in phrases:
        needle = normalize(phrase)
        if needle and f" {needle} " in haystack and (best is None or len(needle) > len(normalize(best))):
            best = phrase
    return best


def closest(value: str, options: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The option closest to `value` (case and a leading "the" ignored), or None."""
    by_key = {_key(o): o for o in options}
    key = _key(value)
    if key in by_key:
        return by_key[key]
    match = difflib.get_close_matches(key, list(by_key), n=1, cutoff=cutoff)
    return by_key[match[0]] if match else None


def _key(text: str) -> str:
    words = normalize(text).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)
