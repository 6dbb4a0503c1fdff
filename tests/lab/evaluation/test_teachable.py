"""The repeat-detection evaluation: SLURP parsing, seeded pairs, and the confusion counts."""

from __future__ import annotations

import json
from pathlib import Path

from lab.evaluation.teachable import Pair, Request, evaluate, load_requests, make_pairs

ROWS = [
    ("what's the weather in [place_name : seattle]", "weather_query"),
    ("how is the weather in [place_name : Seattle]", "weather_query"),
    ("weather for [place_name : boston] please", "weather_query"),
    ("tell me the weather in [place_name : boston]", "weather_query"),
    ("wake me up at [time : seven am]", "alarm_set"),
    ("set an alarm for [time : seven am]", "alarm_set"),
    ("turn the lights off", "iot_hue_lightoff"),
    ("lights off please", "iot_hue_lightoff"),
]


def write_slurp(path: Path) -> Path:
    with path.open("w") as handle:
        for annotated, intent in ROWS:
            plain = annotated.replace("[place_name : ", "").replace("[time : ", "").replace("]", "")
            handle.write(json.dumps({"sentence": plain, "sentence_annotation": annotated, "intent": intent}) + "\n")
    return path


def test_load_requests_reads_gold_entities(tmp_path: Path) -> None:
    requests = load_requests(write_slurp(tmp_path / "devel.jsonl"))
    assert requests[0] == Request("what's the weather in seattle", "weather_query", (("place_name", "seattle"),))
    assert requests[1].entities == requests[0].entities  # case folded


def test_pairs_are_seeded_and_labelled(tmp_path: Path) -> None:
    requests = load_requests(write_slurp(tmp_path / "devel.jsonl"))
    pairs = make_pairs(requests, 4, seed=3)
    assert pairs == make_pairs(requests, 4, seed=3)
    assert len(pairs) == 8 and sum(p.same for p in pairs) == 4
    for pair in pairs:
        same_request = (pair.first.intent, pair.first.entities) == (pair.second.intent, pair.second.entities)
        assert pair.same == same_request


def test_evaluate_counts() -> None:
    a = Request("play jazz", "play_music", ())
    b = Request("put on some jazz", "play_music", ())
    c = Request("turn off the lights", "iot_hue_lightoff", ())
    pairs = [Pair(a, b, True), Pair(a, c, False), Pair(b, a, True)]
    similar = {("put on some jazz", "play jazz"): 0.9, ("turn off the lights", "play jazz"): 0.1,
               ("play jazz", "put on some jazz"): 0.5}
    report = evaluate(pairs, lambda texts: [similar[pair] for pair in texts])
    assert (report.true_positives, report.false_positives, report.false_negatives, report.true_negatives) == (1, 0, 1, 1)
    assert (report.precision, report.recall) == (1.0, 0.5)
