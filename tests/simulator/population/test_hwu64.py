"""The HWU64 corpus and its mapping: checked reading, speech, the held-out tenth, every intent placed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from simulator.population.hwu64 import (
    DEFAULT_CORPUS,
    HwuDataError,
    held_out_ids,
    load_corpus,
    parse_annotation,
    to_speech,
)
from simulator.population.hwu_mapping import DEFAULT_MAPPING, MappingError, Section, load_mapping


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def _row(**overrides: object) -> dict:
    row = {"id": 7, "answer_id": 1, "sentence": "lights off in the kitchen.", "scenario": "iot",
           "intent": "iot_hue_lightoff", "annotation": "lights off in the [house_place : kitchen].",
           "entities": [{"type": "house_place", "value": "kitchen"}]}
    row.update(overrides)
    return row


def _write(path: Path, *rows: object) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_shipped_corpus_reads_whole(corpus) -> None:
    assert len(corpus.rows) == 8422
    assert len(corpus.intents) == 64
    assert DEFAULT_CORPUS.stat().st_size < 3_000_000  # small enough to keep in git


def test_spans_spell_the_sentence() -> None:
    pieces = parse_annotation("wake me at [time : seven am] [date : tomorrow]")
    assert "".join(p.text for p in pieces) == "wake me at seven am tomorrow"
    assert [(p.span.type, p.span.value) for p in pieces if p.span] == [("time", "seven am"), ("date", "tomorrow")]


@pytest.mark.parametrize(("written", "spoken"), [
    ("Olly, turn OFF the lights!", "turn off the lights"),
    ("what's the weather in St. Louis?", "what's the weather in st louis"),
    ("set an alarm for 'tomorrow' - please", "set an alarm for tomorrow please"),
    ("jolly good, olly", "jolly good"),
])
def test_rows_become_speech(written: str, spoken: str) -> None:
    assert to_speech(written) == spoken


@pytest.mark.parametrize(("lines", "problem"), [
    (["{not json"], ":1: not JSON"),
    ([_row(), _row()], ":2: row id 7 is also on line 1"),
    ([_row(annotation="lights off in the [house_place : bedroom].")], "(row 7): the annotation's spans do not match"),
    ([_row(entities=[])], "(row 7): entities [] differ"),
    ([{"id": 3, "sentence": "hi"}], ":1: missing intent, annotation, entities"),
    ([_row(id="seven")], "id must be a whole number"),
])
def test_bad_rows_name_the_file_and_row(tmp_path: Path, lines: list, problem: str) -> None:
    path = _write(tmp_path / "hwu.jsonl", *lines)
    with pytest.raises(HwuDataError) as caught:
        load_corpus(path)
    assert str(caught.value).startswith(str(path))
    assert problem in str(caught.value)


def test_a_missing_corpus_is_named(tmp_path: Path) -> None:
    with pytest.raises(HwuDataError, match="no such file"):
        load_corpus(tmp_path / "nowhere.jsonl")


def test_the_held_out_tenth_is_fixed_and_per_intent(corpus) -> None:
    held = held_out_ids(corpus)
    assert held == held_out_ids(load_corpus())
    per_intent = Counter(r.intent for r in corpus.rows)
    held_per_intent = Counter(r.intent for r in corpus.rows if r.id in held)
    for intent, count in per_intent.items():
        assert held_per_intent[intent] == -(-count // 10), intent


def test_every_intent_is_in_exactly_one_section(corpus) -> None:
    mapping = load_mapping(DEFAULT_MAPPING, corpus.intents)
    sections = {intent: mapping.section(intent) for intent in corpus.intents}
    assert None not in sections.values()
    assert all(reason.strip() for reason in mapping.unmapped.values())
    counted = Counter(sections.values())
    assert counted[Section.GOAL_KINDS] >= 10 and counted[Section.OUT_OF_SCOPE] >= 20


@pytest.mark.parametrize(("text", "problem"), [
    ("goal_kinds:\n  iot_coffee: make_tea\n", ":2: iot_coffee: unknown goal kind"),
    ("reactions:\n  general_affirm: maybe\n", ":2: general_affirm: unknown reaction"),
    ("goal_kinds:\n  iot_coffee: coffee\nout_of_scope:\n  - iot_coffee\n", "in both goal_kinds and out_of_scope"),
    ("unmapped:\n  iot_coffee: ''\n", "needs its reason"),
    ("goals:\n  iot_coffee: coffee\n", ":1: unknown section 'goals'"),
])
def test_bad_mappings_name_the_file_and_line(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "mapping.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert str(caught.value).startswith(str(path)) and problem in str(caught.value)


def test_an_intent_placed_nowhere_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yml"
    path.write_text("goal_kinds:\n  iot_coffee: coffee\n", encoding="utf-8")
    with pytest.raises(MappingError, match="placed in no section: iot_hue_lightoff"):
        load_mapping(path, frozenset({"iot_coffee", "iot_hue_lightoff"}))
