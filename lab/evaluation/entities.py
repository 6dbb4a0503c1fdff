"""Entity F1 on SLURP rows, for the SLURP entity types that map to ours.

SLURP annotates entities as token spans (``{"span": [4, 5], "type": "place_name"}``, both
ends inclusive) over the row's tokens. A predicted entity matches a gold one of the same
(mapped) type when their words agree: the same normalised text, or one inside the other
with at least half of the words in common. Each gold span is matched at most once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Span:
    """One entity: our entity name and the words it covers."""

    entity: str
    text: str

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(_NON_WORD.sub(" ", self.text.lower()).split())


@dataclass
class EntityScore:
    """Counts for one entity type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def n_gold(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "n_gold": self.n_gold, "tp": self.tp, "fp": self.fp, "fn": self.fn}


def gold_spans(row: Mapping[str, Any], types: Mapping[str, str]) -> list[Span]:
    """The row's gold entities whose SLURP type maps to one of ours (others are dropped)."""
    tokens = [str(t.get("surface", "")) for t in row.get("tokens") or []]
    spans: list[Span] = []
    for entity in row.get("entities") or []:
        ours = types.get(str(entity.get("type")))
        span = entity.get("span") or []
        if ours is None or not span or not tokens:
            continue
        first, last = int(span[0]), int(span[-1])
        text = " ".join(tokens[first:last + 1])
        if text:
            spans.append(Span(ours, text))
    return spans


def predicted_spans(text: str, entities: Iterable[Mapping[str, Any]], kept: Iterable[str]) -> list[Span]:
    """Rasa's entities as spans of the parsed text, one per (entity, start, end)."""
    keep = set(kept)
    seen: set[tuple[str, int, int]] = set()
    spans: list[Span] = []
    for entity in entities:
        name = str(entity.get("entity"))
        start, end = entity.get("start"), entity.get("end")
        if name not in keep or not isinstance(start, int) or not isinstance(end, int):
            continue
        if (name, start, end) in seen:
            continue
        seen.add((name, start, end))
        spans.append(Span(name, text[start:end]))
    return spans


def same(a: Span, b: Span) -> bool:
    """Whether two spans of one type cover the same words (see the module docstring)."""
    if a.entity != b.entity:
        return False
    wa, wb = a.words, b.words
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    joined_a, joined_b = " ".join(wa), " ".join(wb)
    inside = joined_a in joined_b or joined_b in joined_a
    overlap = len(set(wa) & set(wb)) / len(set(wa) | set(wb))
    return inside and overlap >= 0.5


def score(pairs: Iterable[tuple[list[Span], list[Span]]], types: Iterable[str]) -> dict[str, EntityScore]:
    """Per-type counts over (gold, predicted) pairs, one pair per sentence."""
    scores = {name: EntityScore() for name in sorted(set(types))}
    for gold, predicted in pairs:
        unmatched = list(gold)
        for span in predicted:
            match = next((g for g in unmatched if same(g, span)), None)
            if match is None:
                scores.setdefault(span.entity, EntityScore()).fp += 1
            else:
                unmatched.remove(match)
                scores.setdefault(span.entity, EntityScore()).tp += 1
        for span in unmatched:
            scores.setdefault(span.entity, EntityScore()).fn += 1
    return scores


def micro(scores: Mapping[str, EntityScore]) -> EntityScore:
    """All types pooled."""
    total = EntityScore()
    for s in scores.values():
        total.tp += s.tp
        total.fp += s.fp
        total.fn += s.fn
    return total
