"""Entities of the turn that worked, placed on the failed turn's own words.

An entity is kept only where its words occur in the failed turn's text (the span the
successful turn said, or the entity's value), at word boundaries, or, failing that, where the
same number of the failed turn's words sound like them (the same metaphone key, or a spelling
at least `CLOSE_SPELLING` alike): "did the bowls win" after "did the bulls win" marks "bowls" as
the team with the value the working turn had, so the model learns the misheard form as a synonym
instead of an intent with nothing to act on. Nothing else is invented.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from assistant.text import CLOSE_SPELLING as CLOSE_SPELLING
from assistant.text import sounds_like as sounds_like


def spans(entities: Sequence[dict[str, Any]], source_text: str) -> list[dict[str, Any]]:
    """The entities of ``source_text`` as ``{entity, value, said}`` (``said``: the words)."""
    out: list[dict[str, Any]] = []
    for entity in entities or []:
        if not isinstance(entity, dict) or not entity.get("entity") or entity.get("value") in (None, ""):
            continue
        said = None
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(source_text):
            said = source_text[start:end]
        out.append({"entity": str(entity["entity"]), "value": str(entity["value"]), "said": said})
    return out


def find(words: str, text: str, taken: Sequence[tuple[int, int]] = ()) -> tuple[int, int] | None:
    """The first case-insensitive, word-bounded occurrence of ``words`` in ``text`` that
    overlaps nothing in ``taken``."""
    words = words.strip()
    if not words:
        return None
    pattern = re.compile(r"(?<![\w'])" + re.escape(words) + r"(?![\w'])", re.IGNORECASE)
    for match in pattern.finditer(text):
        if not any(match.start() < e and s < match.end() for s, e in taken):
            return match.start(), match.end()
    return None


def place(entities: Sequence[dict[str, Any]], source_text: str, target_text: str) -> list[dict[str, Any]]:
    """Rasa entities (``entity, value, start, end``) on ``target_text`` for each entity of
    ``source_text`` whose words (or value) occur there; the others are dropped."""
    placed: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for entity in spans(entities, source_text):
        where = None
        for words in (entity["value"], entity["said"]):
            if words:
                where = find(str(words), target_text, taken)
                if where is not None:
                    break
        if where is None:
            where = sounds_like(str(entity["said"] or entity["value"]), target_text, taken)
        if where is None:
            continue
        taken.append(where)
        placed.append({"entity": entity["entity"], "value": entity["value"], "start": where[0], "end": where[1]})
    return sorted(placed, key=lambda e: e["start"])


def own(entities: Sequence[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """A turn's own entities, kept only where their span lies inside the text."""
    return place(entities, text, text)
