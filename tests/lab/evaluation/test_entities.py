"""Entity F1 on SLURP spans."""

from __future__ import annotations

import pytest

from lab.evaluation import entities as ents

TYPES = {"house_place": "room", "place_name": "city", "color_type": "color"}
ROW = {
    "tokens": [{"surface": w} for w in "turn the kitchen lights blue in new york".split()],
    "entities": [{"span": [2, 2], "type": "house_place"}, {"span": [4, 4], "type": "color_type"},
                 {"span": [6, 7], "type": "place_name"}, {"span": [3, 3], "type": "device_type"}],
}


def test_gold_spans_keep_only_mapped_types_with_inclusive_ends() -> None:
    spans = ents.gold_spans(ROW, TYPES)
    assert spans == [ents.Span("room", "kitchen"), ents.Span("color", "blue"), ents.Span("city", "new york")]


def test_predicted_spans_dedupe_extractors_and_drop_other_entities() -> None:
    text = "turn the kitchen lights blue"
    found = [{"entity": "room", "start": 9, "end": 16}, {"entity": "room", "start": 9, "end": 16},
             {"entity": "device", "start": 17, "end": 23}]
    assert ents.predicted_spans(text, found, ["room"]) == [ents.Span("room", "kitchen")]


@pytest.mark.parametrize(("a", "b", "match"), [
    ("new york", "New York", True),
    ("new york", "new york city", True),
    ("the kitchen", "kitchen", True),
    ("seven am tomorrow morning", "am", False),
    ("kitchen", "bedroom", False),
])
def test_same_words(a: str, b: str, match: bool) -> None:
    assert ents.same(ents.Span("x", a), ents.Span("x", b)) is match


def test_score_counts_each_gold_once_and_types_apart() -> None:
    gold = [ents.Span("room", "kitchen"), ents.Span("city", "paris")]
    predicted = [ents.Span("room", "kitchen"), ents.Span("room", "kitchen"), ents.Span("color", "paris")]
    scores = ents.score([(gold, predicted)], ["room", "city", "color"])
    assert (scores["room"].tp, scores["room"].fp, scores["room"].fn) == (1, 1, 0)
    assert (scores["city"].tp, scores["city"].fn) == (0, 1)
    assert scores["color"].fp == 1
    assert scores["room"].f1 == pytest.approx(2 / 3)
    total = ents.micro(scores)
    assert (total.tp, total.fp, total.fn) == (1, 2, 1)
