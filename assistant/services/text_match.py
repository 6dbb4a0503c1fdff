"""Find catalog words inside free text (a fallback when NLU missed an entity)."""

from __future__ import annotations

from typing import Iterable

from assistant.text import closest_spelling, plain


def find_phrase(text: str, phrases: Iterable[str]) -> str | None:
    """The longest phrase that occurs in `text` as whole words, or None."""
    haystack = f" {plain(text)} "
    best: str | None = None
    for phrase in phrases:
        needle = plain(phrase)
        if needle and f" {needle} " in haystack and (best is None or len(needle) > len(plain(best))):
            best = phrase
    return best


def closest(value: str, options: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The option closest to `value` (case and a leading "the" ignored), or None."""
    by_key = {_key(o): o for o in options}
    key = _key(value)
    if key in by_key:
        return by_key[key]
    match = closest_spelling(key, list(by_key), cutoff=cutoff)
    return by_key[match] if match is not None else None


def _key(text: str) -> str:
    words = plain(text).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)
