"""Word errors: what was heard against what was said, both in their spoken form.

Each pair is aligned word by word (Levenshtein over words, rapidfuzz); the errors are counted as
substitutions, deletions and insertions, and each error is put in the class of the said word it
hit (an insertion: of the heard word): an action word, a number, an entity (a catalog name, a
device or a room), a function word, or another word.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from simulator.speech.spoken import spoken_words

ACTION_WORDS = frozenset(
    "turn switch start stop play pause resume skip set dim brighten raise lower increase decrease open "
    "close lock unlock on off up down cancel brew make wake snooze mute unmute change put show tell "
    "remind remember".split())
NUMBER_WORDS = frozenset(
    "zero oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "thousand point percent degrees am pm".split())
CLASSES = ("action", "number", "entity", "function", "other")


@functools.lru_cache(maxsize=1)
def entity_words() -> frozenset[str]:
    """Words of the catalogs' names and the default home's devices and rooms."""
    from assistant.catalog import load_catalog
    from assistant.home.loader import default_home_path, load_home

    catalog = load_catalog()
    names: list[str] = [a.name for a in catalog.artists] + list(catalog.genres) + [c.name for c in catalog.cities]
    names += [t.name for t in catalog.teams] + [t.short for t in catalog.teams] + list(catalog.cuisines)
    names += [t.title for t in catalog.titles] + list(catalog.news_sources)
    home = load_home(default_home_path())
    names += [d.name for d in home.devices.values()] + [room.replace("_", " ") for room in home.rooms]
    return frozenset(w for name in names for w in spoken_words(name)) - function_words() - ACTION_WORDS


@functools.lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) - ACTION_WORDS - NUMBER_WORDS


def word_class(word: str) -> str:
    if word in ACTION_WORDS:
        return "action"
    if word in NUMBER_WORDS:
        return "number"
    if word in entity_words():
        return "entity"
    if word in function_words():
        return "function"
    return "other"


@dataclass
class WordErrors:
    """Errors over a set of (said, heard) pairs."""

    words: int = 0
    utterances: int = 0
    with_error: int = 0
    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0
    hits: Counter[str] = field(default_factory=Counter)       # errors by the class of the word hit
    said_by_class: Counter[str] = field(default_factory=Counter)

    def add(self, said: str, heard: str) -> int:
        """Count one utterance; returns its number of errors."""
        from rapidfuzz.distance import Levenshtein

        ref, hyp = spoken_words(said), spoken_words(heard)
        self.words += len(ref)
        self.utterances += 1
        self.said_by_class.update(word_class(w) for w in ref)
        errors = 0
        for op in Levenshtein.editops(ref, hyp):
            errors += 1
            if op.tag == "replace":
                self.substitutions += 1
                self.hits[word_class(ref[op.src_pos])] += 1
            elif op.tag == "delete":
                self.deletions += 1
                self.hits[word_class(ref[op.src_pos])] += 1
            else:
                self.insertions += 1
                self.hits[word_class(hyp[op.dest_pos])] += 1
        self.with_error += errors > 0
        return errors

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float | None:
        return None if self.words == 0 else round(self.errors / self.words, 4)

    def to_json(self) -> dict[str, Any]:
        return {
            "word_error_rate": self.rate, "words": self.words, "utterances": self.utterances,
            "utterances_with_error": None if not self.utterances else round(self.with_error / self.utterances, 4),
            "substitutions": self.substitutions, "deletions": self.deletions, "insertions": self.insertions,
            "errors_by_word_class": {c: self.hits.get(c, 0) for c in CLASSES},
            "class_error_rate": {c: None if not self.said_by_class.get(c) else
                                 round(self.hits.get(c, 0) / self.said_by_class[c], 4) for c in CLASSES},
        }


def speech_figures(pairs: Iterable[tuple[str, str, str, str]]) -> dict[str, Any]:
    """Errors of (user, device, said, heard) pairs: overall, per device, per user decile
    (users sorted by their own word error rate, easiest first)."""
    overall = WordErrors()
    by_device: dict[str, WordErrors] = {}
    by_user: dict[str, WordErrors] = {}
    for user, device, said, heard in pairs:
        overall.add(said, heard)
        by_device.setdefault(device or "-", WordErrors()).add(said, heard)
        by_user.setdefault(user, WordErrors()).add(said, heard)
    ranked = sorted(by_user.values(), key=lambda e: (e.rate or 0.0))
    deciles: list[float | None] = []
    for decile in range(10):
        group = ranked[decile * len(ranked) // 10:(decile + 1) * len(ranked) // 10]
        words = sum(e.words for e in group)
        deciles.append(None if not words else round(sum(e.errors for e in group) / words, 4))
    figures = overall.to_json()
    figures["by_device"] = {d: e.rate for d, e in sorted(by_device.items())}
    figures["by_user_decile"] = deciles
    return figures
